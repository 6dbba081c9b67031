import type { z } from 'zod';
import { createApiRequest, type RequestOptions, type SessionsApiDeps } from '../api/sessions-api';
import {
  replayDeletionSchema,
  replayLogPageSchema,
  replayManifestSchema,
  replayReactionsSchema,
  replaySeekSchema,
  sessionInsightsSchema,
  type ReplayDeletion,
  type ReplayEntry,
  type ReplayLogPage,
  type ReplayManifest,
  type ReplayReaction,
  type ReplaySeek,
  type ReplayState,
  type SessionInsights,
} from '../protocol/replay';
import { advanceTo, emptyReplayState } from '../protocol/replay-fold';

/**
 * The typed client of the replay routes (docs/protocol.md, Replay). A live session's replay
 * is read with the caller's connection id (its viewers and host only); an ended one by anyone.
 */
export interface ReplayReader {
  manifest(options?: RequestOptions): Promise<ReplayManifest>;
  seek(at: number, options?: RequestOptions): Promise<ReplaySeek>;
  log(after: number, options?: RequestOptions & { limit?: number }): Promise<ReplayLogPage>;
  reactions(from: number, to: number, options?: RequestOptions): Promise<ReplayReaction[]>;
}

export interface HostReplayApi {
  insights(options?: RequestOptions): Promise<SessionInsights>;
  /** One deletion request; `deleting` means call again. */
  deleteReplay(options?: RequestOptions): Promise<ReplayDeletion>;
}

export function createReplayReader(deps: SessionsApiDeps, sessionId: string, connectionId?: () => string | undefined): ReplayReader {
  const request = createApiRequest(deps);
  const path = `/sessions/${encodeURIComponent(sessionId)}/replay`;
  const get = <S extends z.ZodType>(suffix: string, query: Record<string, string | undefined>, schema: S, options?: RequestOptions) =>
    request({ method: 'GET', path: path + suffix, auth: false, query: { ...query, connectionId: connectionId?.() }, what: 'such replay' }, schema, options);
  return {
    manifest: (options) => get('', {}, replayManifestSchema, options),
    seek: (at, options) => get('/seek', { at: String(Math.round(at)) }, replaySeekSchema, options),
    log: (after, options) =>
      get('/log', { after: String(after), limit: options?.limit === undefined ? undefined : String(options.limit) }, replayLogPageSchema, options),
    reactions: async (from, to, options) =>
      (await get('/reactions', { from: String(Math.floor(from)), to: String(Math.ceil(to)) }, replayReactionsSchema, options)).reactions,
  };
}

export function createHostReplayApi(deps: SessionsApiDeps, sessionId: string): HostReplayApi {
  const request = createApiRequest(deps);
  const path = `/sessions/${encodeURIComponent(sessionId)}`;
  return {
    insights: (options) => request({ method: 'GET', path: `${path}/insights`, auth: true, what: 'such session' }, sessionInsightsSchema, options),
    deleteReplay: (options) => request({ method: 'DELETE', path: `${path}/replay`, auth: true, what: 'such session' }, replayDeletionSchema, options),
  };
}

/** Every log entry, page by page (for exports): `onProgress` gets the seq reached. */
export async function readWholeLog(reader: ReplayReader, onProgress?: (seq: number) => void, options?: RequestOptions): Promise<ReplayEntry[]> {
  const entries: ReplayEntry[] = [];
  for (let after = 0; ; ) {
    const page = await reader.log(after, { ...options, limit: 500 });
    entries.push(...page.entries);
    onProgress?.(entries.at(-1)?.seq ?? after);
    if (page.next === null) return entries;
    after = page.next;
  }
}

/** The replay state at `time`: one seek, then log pages while the target lies beyond them. */
export async function replayStateAt(reader: ReplayReader, time: number, options?: RequestOptions): Promise<ReplayState> {
  const seek = await reader.seek(time, options);
  let { state, used } = advanceTo(seek.checkpoint ?? emptyReplayState, seek.entries, time);
  for (let next = used === seek.entries.length ? seek.next : null; next !== null; ) {
    const page = await reader.log(next, options);
    ({ state, used } = advanceTo(state, page.entries, time));
    next = used === page.entries.length ? page.next : null;
  }
  return state;
}
