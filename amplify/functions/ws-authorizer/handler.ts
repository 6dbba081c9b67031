import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createTokenVerifier, type TokenVerifier } from '../../auth/token-verifier.js';
import { documentClient } from '../../data/document-client.js';
import { sessionsTableAccess, type SessionsTable } from '../../data/sessions-table.js';
import { sessionsTable } from '../../data/table-definitions.js';
import { optionalEnv, requireEnv } from '../shared/env.js';
import { serviceNames } from '../shared/metric-names.js';
import { createObservability, type LogEntry } from '../shared/observability.js';
import { sessionIdSchema } from '../../../src/protocol/session.js';

export interface AuthorizerDeps {
  sessions: SessionsTable;
  verifyToken: TokenVerifier;
}

/** What $connect learns about the connection, through the authorizer's context. */
export interface ConnectionContext {
  sessionId: string;
  role: 'host' | 'viewer';
  userId: string;
}

export type AuthorizerOutcome =
  | { allow: true; context: ConnectionContext }
  | { allow: false; reason: string };

/**
 * Decides who may open a socket: anyone may watch an active session; a verified token
 * of the session's host makes the connection the host's. A present but invalid token is
 * refused rather than downgraded, so a broken sign-in is noticed.
 */
export async function authorizeConnection(
  query: Record<string, string | undefined>,
  deps: AuthorizerDeps,
): Promise<AuthorizerOutcome> {
  const parsedId = sessionIdSchema.safeParse(query.sessionId);
  if (!parsedId.success) return { allow: false, reason: 'sessionId is missing or not a session id' };
  const session = await deps.sessions.get(parsedId.data);
  if (!session) return { allow: false, reason: 'session does not exist' };
  if (session.status !== 'active') return { allow: false, reason: 'session has ended' };

  if (!query.token) return { allow: true, context: { sessionId: session.sessionId, role: 'viewer', userId: '' } };
  let userId: string;
  try {
    ({ userId } = await deps.verifyToken(query.token));
  } catch {
    return { allow: false, reason: 'token is invalid or expired' };
  }
  const role = userId === session.hostId ? 'host' : 'viewer';
  return { allow: true, context: { sessionId: session.sessionId, role, userId } };
}

/** `log` is separate from `deps` so a failure to build the dependencies is still logged. */
export function createAuthorizerHandler(deps: () => AuthorizerDeps, log: (entry: LogEntry) => void) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const query = event.queryStringParameters ?? {};
    let outcome: AuthorizerOutcome;
    try {
      outcome = await authorizeConnection(query, deps());
    } catch (error) {
      log({ level: 'error', message: 'authorizer failed', error: String(error) });
      outcome = { allow: false, reason: 'authorization is unavailable' };
    }
    if (!outcome.allow) log({ level: 'info', message: 'connection refused', reason: outcome.reason });
    return {
      principalId: outcome.allow ? outcome.context.userId || 'anonymous' : 'refused',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: outcome.allow ? 'Allow' : 'Deny', Resource: event.methodArn }],
      },
      context: outcome.allow ? { ...outcome.context } : { reason: outcome.reason },
    };
  };
}

const observability = createObservability(serviceNames.wsAuthorizer);
let deps: AuthorizerDeps | undefined;
export const handler = observability.instrument(
  createAuthorizerHandler(
    () =>
      (deps ??= {
        sessions: sessionsTableAccess(documentClient(), requireEnv(sessionsTable.envVar)),
        verifyToken: createTokenVerifier({
          userPoolId: requireEnv('USER_POOL_ID'),
          userPoolClientId: requireEnv('USER_POOL_CLIENT_ID'),
          region: requireEnv('AWS_REGION'),
          cognitoEndpoint: optionalEnv('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER'),
        }),
      }),
    observability.log,
  ),
);
