import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { publishTokenBodySchema, subscribeTokenBodySchema } from '../../../src/protocol/media-token.js';
import { deleteSessionStage, ivsStagesFromEnv, type MediaStages } from '../../media/stages.js';
import { publishToken, subscribeToken } from './media-tokens.js';
import {
  MAX_HTTP_BODY_BYTES,
  createSessionBodySchema,
  httpRoutes,
  listSessionsQuerySchema,
  sessionIdSchema,
  updateSessionBodySchema,
  type PublicSession,
  type Session,
} from '../../../src/protocol/session.js';
import { documentClient } from '../../data/document-client.js';
import { sessionsTableAccess, type SessionStageRecords, type SessionsTable } from '../../data/sessions-table.js';
import { connectionsTableAccess } from '../../data/connections-table.js';
import { sessionStatesTableAccess } from '../../data/session-states-table.js';
import { connectionsTable, sessionStatesTable, sessionsTable } from '../../data/table-definitions.js';
import { managementApiPoster, managementEndpoint } from '../realtime/connection-poster.js';
import { EVENT_API_URL_ENV, eventApiPublisher } from '../realtime/event-api-publisher.js';
import { closeRoom } from '../shared/close-room.js';
import { replayRecorderFromEnv, replayStoreFromEnv } from '../shared/replay-recorder.js';
import { replayRouteKeys, routeReplay, type ReplayApiDeps } from './replay-routes.js';
import { optionalEnv, requireEnv } from '../shared/env.js';
import { decksTableAccess } from '../../data/decks-table.js';
import { decksTable } from '../../data/table-definitions.js';
import { DECK_PROCESSOR_ENV } from '../../decks/deck-env.js';
import { lambdaDeckProcessor } from '../../decks/deck-functions.js';
import { FILES_BUCKET_ENV, objectStore, s3Client } from '../../storage/object-store.js';
import { routeDecks, type DeckRouteDeps } from './deck-routes.js';
import { HttpError, callerId, errorResponse, json, parseBody, parseWith } from '../shared/http.js';
import { serviceNames } from '../shared/metric-names.js';
import { createObservability } from '../shared/observability.js';

export interface SessionApiDeps {
  sessions: SessionsTable & SessionStageRecords;
  /** Tells the session's room it ended: viewers see the ended screen at once. */
  closeRoom: (sessionId: string, at: number) => Promise<void>;
  /** Replays and insights (replay-routes.ts). */
  replay: Omit<ReplayApiDeps, 'sessions' | 'now' | 'log'>;
  /** Amazon IVS stages, when this deployment's media provider is `ivs`. */
  stages?: MediaStages;
  now: () => Date;
  newId: () => string;
  log: (entry: Record<string, unknown>) => void;
  /** The deck routes' own dependencies; undefined where slides are not set up. */
  decks?: () => DeckRouteDeps;
}

/** The HTTP API behind /sessions: create, list mine, read one publicly, update as host, media tokens. */
export function createSessionApiHandler(deps: () => SessionApiDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      return await route(event, deps());
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
      deps().log({ level: 'error', message: 'unhandled error', error: String(error), routeKey: event.routeKey });
      return errorResponse(new HttpError('Internal', 'Something went wrong on our side.', 'Try again in a moment.'));
    }
  };
}

async function route(event: APIGatewayProxyEventV2, deps: SessionApiDeps): Promise<APIGatewayProxyStructuredResultV2> {
  switch (event.routeKey) {
    case httpRoutes.createSession: {
      const hostId = callerId(event);
      const body = parseBody(event, createSessionBodySchema, MAX_HTTP_BODY_BYTES);
      const now = deps.now().toISOString();
      const session: Session = {
        sessionId: deps.newId(),
        hostId,
        title: body.title,
        status: 'active',
        createdAt: now,
        updatedAt: now,
      };
      await deps.sessions.create(session);
      return json(201, session);
    }
    case httpRoutes.listSessions: {
      const hostId = callerId(event);
      const query = parseWith(listSessionsQuerySchema, event.queryStringParameters ?? {}, 'query');
      const cursor = query.nextToken ? decodeCursor(query.nextToken, hostId) : undefined;
      const page = await deps.sessions.listByHost(hostId, query.limit, cursor);
      return json(200, { sessions: page.sessions, ...(page.cursor ? { nextToken: encodeCursor(page.cursor) } : {}) });
    }
    case httpRoutes.getSession: {
      const sessionId = pathSessionId(event);
      const session = await deps.sessions.get(sessionId);
      if (!session) throw notFound(sessionId);
      const { hostId: _hidden, mediaStageArn: _internal, ...publicFields } = session;
      return json(200, publicFields satisfies PublicSession);
    }
    case httpRoutes.updateSession: {
      const hostId = callerId(event);
      const sessionId = pathSessionId(event);
      const body = parseBody(event, updateSessionBodySchema, MAX_HTTP_BODY_BYTES);
      const now = deps.now();
      const result = await deps.sessions.updateAsHost(sessionId, hostId, { title: body.title, end: body.status === 'ended' }, now.toISOString());
      if (result.ok && body.status === 'ended') {
        // The session has ended whatever happens next; a room that cannot be told now is told on reconnect.
        await deps.closeRoom(sessionId, now.getTime()).catch((error: unknown) =>
          deps.log({ level: 'error', message: 'could not close the room', sessionId, error: String(error) }),
        );
        if (deps.stages) await deleteSessionStage({ stages: deps.stages, log: deps.log }, result.session);
      }
      if (result.ok) return json(200, result.session);
      if (result.reason === 'NotFound') throw notFound(sessionId);
      if (result.reason === 'Forbidden') {
        throw new HttpError('Forbidden', 'Only the host of this session may change it.', 'Sign in as the host.');
      }
      throw new HttpError('Conflict', 'This session has ended and can no longer change.', 'Create a new session.');
    }
    case httpRoutes.publishMediaToken: {
      const hostId = callerId(event);
      const sessionId = pathSessionId(event);
      const body = parseBody(event, publishTokenBodySchema, MAX_HTTP_BODY_BYTES);
      return json(200, await publishToken(mediaDeps(deps), sessionId, hostId, body));
    }
    case httpRoutes.subscribeMediaToken: {
      const sessionId = pathSessionId(event);
      parseBody(event, subscribeTokenBodySchema, MAX_HTTP_BODY_BYTES);
      return json(200, await subscribeToken(mediaDeps(deps), sessionId));
    }
    default: {
      if (replayRouteKeys.includes(event.routeKey)) {
        return routeReplay(event, { ...deps.replay, sessions: deps.sessions, now: () => deps.now().getTime(), log: deps.log });
      }
      const answer = deps.decks ? await routeDecks(event, deps.decks()) : undefined;
      if (answer) return answer;
      throw new HttpError('NotFound', `No route ${event.routeKey}.`);
    }
  }
}

function mediaDeps(deps: SessionApiDeps) {
  if (!deps.stages) {
    throw new HttpError(
      'NotFound',
      'This deployment does not use Amazon IVS for media (its provider is mesh or sfu).',
      'Use the media provider named in amplify_outputs.json custom.media, or deploy with STREAMCANVAS_MEDIA_PROVIDER=ivs.',
    );
  }
  return { ...deps, stages: deps.stages };
}

function pathSessionId(event: APIGatewayProxyEventV2): string {
  return parseWith(sessionIdSchema, event.pathParameters?.sessionId, 'session id');
}

function notFound(sessionId: string): HttpError {
  return new HttpError('NotFound', `Session ${sessionId} does not exist.`, 'Check the link or the session id.');
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A cursor is only honoured for the host who received it. */
function decodeCursor(token: string, hostId: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key && typeof key === 'object' && key.hostId === hostId && typeof key.sessionId === 'string' && typeof key.createdAt === 'string') {
      return { hostId: key.hostId, sessionId: key.sessionId, createdAt: key.createdAt };
    }
  } catch {
    // fall through to the error below
  }
  throw new HttpError('BadRequest', 'Invalid query: nextToken is not one this API issued.', 'Omit nextToken to start from the newest session.');
}

const observability = createObservability(serviceNames.sessionApi);

export const handler = observability.instrument(
  createSessionApiHandler(
    lazy(() => ({
      sessions: sessionsTableAccess(documentClient(), requireEnv(sessionsTable.envVar)),
      closeRoom: (sessionId, at) =>
        closeRoom(
          {
            connections: connectionsTableAccess(documentClient(), requireEnv(connectionsTable.envVar)),
            states: sessionStatesTableAccess(documentClient(), requireEnv(sessionStatesTable.envVar)),
            poster: managementApiPoster(managementEndpoint(requireEnv('WEBSOCKET_MANAGEMENT_ENDPOINT'))),
            replay: replayRecorderFromEnv(observability.log),
            ...(optionalEnv(EVENT_API_URL_ENV) ? { events: eventApiPublisher(optionalEnv(EVENT_API_URL_ENV)!) } : {}),
            log: observability.log,
          },
          sessionId,
          at,
        ),
      replay: {
        connections: connectionsTableAccess(documentClient(), requireEnv(connectionsTable.envVar)),
        states: sessionStatesTableAccess(documentClient(), requireEnv(sessionStatesTable.envVar)),
        store: replayStoreFromEnv(),
      },
      stages: ivsStagesFromEnv(),
      now: () => new Date(),
      newId: () => crypto.randomUUID(),
      log: observability.log,
      decks: lazy(() => ({
        decks: decksTableAccess(documentClient(), requireEnv(decksTable.envVar)),
        objects: objectStore(s3Client(), requireEnv(FILES_BUCKET_ENV)),
        startProcessing: lambdaDeckProcessor(requireEnv(DECK_PROCESSOR_ENV)),
        now: () => new Date(),
        newId: () => crypto.randomUUID(),
        log: observability.log,
      })),
    })),
  ),
);

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
