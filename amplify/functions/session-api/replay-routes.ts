import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ConnectionsTable } from '../../data/connections-table.js';
import type { ReplayStore } from '../../data/replay-store.js';
import type { SessionStatesTable } from '../../data/session-states-table.js';
import type { SessionsTable } from '../../data/sessions-table.js';
import {
  REPLAY_RETENTION_DAYS,
  REPLAY_RETENTION_MS,
  replayLogQuerySchema,
  replayManifestQuerySchema,
  replayReactionsQuerySchema,
  replaySeekQuerySchema,
  type ReplayDeletion,
  type ReplayLogPage,
  type ReplayManifest,
  type ReplaySeek,
  type SessionInsights,
} from '../../../src/protocol/replay.js';
import { httpRoutes, sessionIdSchema, type Session } from '../../../src/protocol/session.js';
import { HttpError, callerId, json, parseWith } from '../shared/http.js';
import { foldLog, type ReplayFoldDeps } from '../shared/replay-recorder.js';
import { computeInsights } from './insights.js';

/**
 * The replay routes of the HTTP API: a public, paginated read of an ended session's replay
 * (for a live one, only for whoever holds one of its connections: its viewers and host), and
 * the host's insights and deletion. Every read is bounded: one checkpoint and one page of log
 * per request, a capped number of pages for insights.
 */
export interface ReplayApiDeps {
  sessions: SessionsTable;
  connections: Pick<ConnectionsTable, 'get'>;
  states: Pick<SessionStatesTable, 'readLogPage'>;
  store: ReplayStore;
  now: () => number;
  log: (entry: Record<string, unknown>) => void;
}

/** Log entries a timeline folds at most for one answer (an old session's first open folds and stores its whole log). */
const FOLD_FOR_READ_BUDGET = 10_000;
/** Query pages (1 MB each) of presence samples or reactions that insights read at most. */
const INSIGHT_PAGES = 20;
/** Reactions one window returns at most (viewers send at most 6 per second together). */
const REACTIONS_PER_WINDOW = 2500;
/** Items one deletion request removes before answering `deleting`. */
const DELETE_ITEMS_PER_REQUEST = 2000;
/** A live session's replay may be asked a little past the server's now (the viewer's clock estimate). */
const LIVE_EDGE_SLACK_MS = 5_000;

export const replayRouteKeys: readonly string[] = [
  httpRoutes.getReplay,
  httpRoutes.seekReplay,
  httpRoutes.readReplayLog,
  httpRoutes.readReplayReactions,
  httpRoutes.deleteReplay,
  httpRoutes.getInsights,
];

export async function routeReplay(event: APIGatewayProxyEventV2, deps: ReplayApiDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const sessionId = parseWith(sessionIdSchema, event.pathParameters?.sessionId, 'session id');
  const query = event.queryStringParameters ?? {};
  const fold: ReplayFoldDeps = { states: deps.states, store: deps.store, now: deps.now, log: deps.log };
  switch (event.routeKey) {
    case httpRoutes.getReplay: {
      const { connectionId } = parseWith(replayManifestQuerySchema, query, 'query');
      const session = await readable(deps, sessionId, connectionId);
      const ended = session.status === 'ended';
      // An ended session logged before checkpoints existed (or whose last fold failed) is folded and stored now, once.
      const folded = await foldLog(fold, sessionId, { write: ended, budget: FOLD_FOR_READ_BUDGET });
      const { summary } = folded;
      const startAt = summary.firstAt ?? Date.parse(session.createdAt);
      const manifest: ReplayManifest = {
        sessionId,
        title: session.title,
        status: session.status,
        startAt,
        endAt: endOf(session, deps.now(), summary.endedAt),
        ...(summary.firstLiveAt !== undefined ? { firstLiveAt: summary.firstLiveAt } : {}),
        serverTime: deps.now(),
        lastSeq: summary.seq,
        markers: summary.markers,
        markersComplete: folded.complete && summary.markersDropped === 0,
        availableUntil: Date.parse(session.createdAt) + REPLAY_RETENTION_MS,
      };
      return json(200, manifest);
    }
    case httpRoutes.seekReplay: {
      const { at, limit, connectionId } = parseWith(replaySeekQuerySchema, query, 'query');
      const session = await readable(deps, sessionId, connectionId);
      const start = Date.parse(session.createdAt);
      const end = endOf(session, deps.now());
      if (at < start) {
        throw new HttpError('BadRequest', `at (${at}) is before this replay starts (${start}, ${iso(start)}).`, `Seek to a time from ${start} on.`);
      }
      if (at > end + (session.status === 'active' ? LIVE_EDGE_SLACK_MS : 0)) {
        throw new HttpError('BadRequest', `at (${at}) is after this replay ends (${end}, ${iso(end)}).`, `Seek to a time up to ${end}.`);
      }
      const checkpoint = await deps.store.checkpointAtOrBefore(sessionId, at);
      const page = await deps.states.readLogPage(sessionId, checkpoint?.state.seq ?? 0, limit);
      const seek: ReplaySeek = { at, checkpoint: checkpoint?.state ?? null, entries: page.entries, next: nextOf(page) };
      return json(200, seek);
    }
    case httpRoutes.readReplayLog: {
      const { after, limit, connectionId } = parseWith(replayLogQuerySchema, query, 'query');
      await readable(deps, sessionId, connectionId);
      const page = await deps.states.readLogPage(sessionId, after, limit);
      return json(200, { entries: page.entries, next: nextOf(page) } satisfies ReplayLogPage);
    }
    case httpRoutes.readReplayReactions: {
      const { from, to, connectionId } = parseWith(replayReactionsQuerySchema, query, 'query');
      await readable(deps, sessionId, connectionId);
      return json(200, { reactions: await deps.store.reactions(sessionId, from, to, REACTIONS_PER_WINDOW) });
    }
    case httpRoutes.getInsights: {
      const session = await ownSession(deps, sessionId, callerId(event));
      const [folded, presence, reactions] = await Promise.all([
        foldLog(fold, sessionId, { write: session.status === 'ended', budget: FOLD_FOR_READ_BUDGET }),
        deps.store.allPresence(sessionId, INSIGHT_PAGES),
        deps.store.allReactions(sessionId, INSIGHT_PAGES),
      ]);
      const incomplete: SessionInsights['incomplete'] = [];
      if (!presence.complete) incomplete.push('presence');
      if (!reactions.complete) incomplete.push('reactions');
      if (!folded.complete) incomplete.push('log');
      const insights = computeInsights({ session, summary: folded.summary, presence: presence.items, reactions: reactions.items, now: deps.now(), incomplete });
      return json(200, insights);
    }
    case httpRoutes.deleteReplay: {
      const hostId = callerId(event);
      const marked = await deps.sessions.markReplayDeleted(sessionId, hostId, new Date(deps.now()).toISOString());
      if (!marked.ok) {
        if (marked.reason === 'NotFound') throw notFound(sessionId);
        if (marked.reason === 'Forbidden') throw new HttpError('Forbidden', 'Only the host of this session may delete its replay.', 'Sign in as the host.');
        throw new HttpError('Conflict', 'This session is still live; its replay is being recorded.', 'End the session first, then delete its replay.');
      }
      const { done } = await deps.store.deleteAll(sessionId, DELETE_ITEMS_PER_REQUEST);
      return json(done ? 200 : 202, { status: done ? 'deleted' : 'deleting' } satisfies ReplayDeletion);
    }
    default:
      throw new HttpError('NotFound', `No route ${event.routeKey}.`);
  }
}

/** The session, if the caller may read its replay now; otherwise the precise reason. */
async function readable(deps: ReplayApiDeps, sessionId: string, connectionId: string | undefined): Promise<Session> {
  const session = await deps.sessions.get(sessionId);
  if (!session) throw notFound(sessionId);
  unavailable(session, deps.now());
  if (session.status === 'ended') return session;
  const connection = connectionId ? await deps.connections.get(connectionId) : undefined;
  if (connection?.sessionId !== sessionId) {
    throw new HttpError(
      'Forbidden',
      'This session is live: while it runs, its replay is open only to its host and viewers.',
      connectionId
        ? 'The connection given is not (or no longer) one of this session. Reconnect to the session, then rewind.'
        : "Join the session and use Rewind (the request then carries your connection's id), or wait until it ends.",
    );
  }
  return session;
}

/** The host's own session; a host's insights are the host's alone. */
async function ownSession(deps: ReplayApiDeps, sessionId: string, hostId: string): Promise<Session> {
  const session = await deps.sessions.get(sessionId);
  if (!session) throw notFound(sessionId);
  if (session.hostId !== hostId) throw new HttpError('Forbidden', 'Only the host of this session may see its insights.', 'Sign in as the host.');
  unavailable(session, deps.now());
  return session;
}

function unavailable(session: Session, now: number) {
  if (session.replayDeletedAt) {
    throw new HttpError('NotFound', `The host deleted this session's replay (${session.replayDeletedAt}).`, 'Nothing of it can be watched or counted any more.');
  }
  if (now > Date.parse(session.createdAt) + REPLAY_RETENTION_MS) {
    throw new HttpError('NotFound', `This session's replay has expired: replays are kept for ${REPLAY_RETENTION_DAYS} days.`, 'Nothing of it can be watched any more.');
  }
}

/** The replay's end: when the session ended, or the live edge. */
function endOf(session: Session, now: number, loggedEnd?: number): number {
  if (session.status !== 'ended') return now;
  return loggedEnd ?? (session.endedAt ? Date.parse(session.endedAt) : now);
}

function nextOf(page: { entries: Array<{ seq: number }>; more: boolean }): number | null {
  return page.more && page.entries.length ? page.entries.at(-1)!.seq : null;
}

function notFound(sessionId: string): HttpError {
  return new HttpError('NotFound', `Session ${sessionId} does not exist.`, 'Check the link or the session id.');
}

const iso = (at: number) => new Date(at).toISOString();
