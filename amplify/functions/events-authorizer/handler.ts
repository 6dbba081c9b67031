import { documentClient } from '../../data/document-client.js';
import { sessionsTableAccess, type SessionsTable } from '../../data/sessions-table.js';
import { sessionsTable } from '../../data/table-definitions.js';
import { requireEnv } from '../shared/env.js';
import { serviceNames } from '../shared/metric-names.js';
import { createObservability, type LogEntry } from '../shared/observability.js';
import { sessionIdSchema } from '../../../src/protocol/session.js';
import { sessionOfChannel } from '../../../src/protocol/live-events.js';

/**
 * The Event API's Lambda authorizer (AWS_LAMBDA mode): who may connect to the Event API and
 * subscribe to a session's channel. The token is the session id the page was opened for, which
 * anyone with the link has: watching is public. What this guards is that a subscription is only
 * to the channel of that session, and only while the session is live; and that nobody publishes
 * this way (the `live` namespace accepts only IAM for publishing, so this is a second line).
 */
export type EventApiOperation = 'EVENT_CONNECT' | 'EVENT_SUBSCRIBE' | 'EVENT_PUBLISH';

export interface EventApiAuthorizerEvent {
  authorizationToken: string;
  requestContext: {
    apiId: string;
    accountId: string;
    requestId: string;
    operation: EventApiOperation;
    /** Present for subscribe and publish. */
    channelNamespaceName?: string;
    channel?: string;
  };
  requestHeaders?: Record<string, string>;
}

export interface EventApiAuthorizerResult {
  isAuthorized: boolean;
  /** Never cached: a cached answer is keyed by token only, and would outlive the session's end. */
  ttlOverride?: number;
  handlerContext?: Record<string, string>;
}

export type EventAuthorization = { allow: true; sessionId: string } | { allow: false; reason: string };

export async function authorizeEventApi(event: EventApiAuthorizerEvent, sessions: SessionsTable): Promise<EventAuthorization> {
  const { operation, channel } = event.requestContext ?? {};
  if (operation === 'EVENT_PUBLISH') return { allow: false, reason: 'only the backend publishes' };
  if (operation !== 'EVENT_CONNECT' && operation !== 'EVENT_SUBSCRIBE') return { allow: false, reason: `unknown operation ${String(operation)}` };
  const token = sessionIdSchema.safeParse(event.authorizationToken);
  if (!token.success) return { allow: false, reason: 'the token is not a session id' };
  if (operation === 'EVENT_SUBSCRIBE' && (channel === undefined || sessionOfChannel(channel) !== token.data)) {
    return { allow: false, reason: 'the channel is not the session of the token' };
  }
  const session = await sessions.get(token.data);
  if (!session) return { allow: false, reason: 'session does not exist' };
  if (session.status !== 'active') return { allow: false, reason: 'session has ended' };
  return { allow: true, sessionId: session.sessionId };
}

/** `log` is separate from `sessions` so a failure to build the dependencies is still logged. */
export function createEventsAuthorizerHandler(sessions: () => SessionsTable, log: (entry: LogEntry) => void) {
  return async (event: EventApiAuthorizerEvent): Promise<EventApiAuthorizerResult> => {
    let outcome: EventAuthorization;
    try {
      outcome = await authorizeEventApi(event, sessions());
    } catch (error) {
      log({ level: 'error', message: 'event API authorizer failed', error: String(error) });
      outcome = { allow: false, reason: 'authorization is unavailable' };
    }
    if (!outcome.allow) log({ level: 'info', message: 'event API request refused', operation: event.requestContext?.operation, reason: outcome.reason });
    return outcome.allow ? { isAuthorized: true, ttlOverride: 0, handlerContext: { sessionId: outcome.sessionId } } : { isAuthorized: false, ttlOverride: 0 };
  };
}

const observability = createObservability(serviceNames.eventsAuthorizer);
let sessions: SessionsTable | undefined;
export const handler = observability.instrument(
  createEventsAuthorizerHandler(() => (sessions ??= sessionsTableAccess(documentClient(), requireEnv(sessionsTable.envVar))), observability.log),
);
