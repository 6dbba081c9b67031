import { CODE_TILE_KIND, type Language, type TileRun } from './code';
import { applyPatches, emptySnapshot, type Tile } from './realtime';
import {
  CHAT_MARKER_MERGE_MS,
  CHECKPOINT_POLICY,
  MAX_MARKERS,
  REPLAY_CHAT_KEPT,
  type CheckpointPolicy,
  type ReplayEntry,
  type ReplayMarker,
  type ReplayState,
} from './replay';

/**
 * The replay's pure logic, shared by the checkpoint writer (server) and the player (browser):
 * a log entry applied to a state, a state advanced to a time, where checkpoints go, and the
 * markers and counts a session's log adds up to.
 */

export const emptyReplayState: ReplayState = { seq: 0, at: 0, canvas: emptySnapshot, chat: [] };

/**
 * The time an entry takes effect after `state`. Concurrent commits can log a later seq with an
 * earlier `at` (by milliseconds); the replay's clock never runs backwards, so such an entry
 * takes effect with the one before it.
 */
export function effectiveAt(state: ReplayState, entry: ReplayEntry): number {
  return Math.max(state.at, entry.at);
}

/** Applies one log entry. An entry at or below the state's seq was applied already and changes nothing. */
export function advance(state: ReplayState, entry: ReplayEntry): ReplayState {
  if (entry.seq <= state.seq) return state;
  const at = effectiveAt(state, entry);
  switch (entry.kind) {
    case 'patch':
      return { ...state, seq: entry.seq, at, canvas: applyPatches(state.canvas, entry.patches, entry.seq) };
    case 'chat':
      // The canvas object stays the same, so a chat line re-renders no tile.
      return { ...state, seq: entry.seq, at, chat: [...state.chat, entry.message].slice(-REPLAY_CHAT_KEPT) };
    case 'ended':
      return { ...state, seq: entry.seq, at, endedAt: at };
  }
}

/**
 * Applies `entries` (in seq order) while they take effect at or before `time`: the state a
 * viewer saw at that moment. `used` is how many entries were consumed (applied or skipped as
 * already applied); the rest lie after `time`.
 */
export function advanceTo(state: ReplayState, entries: readonly ReplayEntry[], time: number): { state: ReplayState; used: number } {
  let current = state;
  let used = 0;
  for (const entry of entries) {
    if (entry.seq > current.seq && effectiveAt(current, entry) > time) break;
    current = advance(current, entry);
    used++;
  }
  return { state: current, used };
}

// ---------------------------------------------------------------- checkpoint placement

/** What the log holds since the last checkpoint. */
export interface Segment {
  messages: number;
  bytes: number;
  /** The time of the last checkpoint, or of the segment's first entry when there is none yet. */
  since?: number;
}

/** The segment after a checkpoint at `since` (none yet: undefined). */
export const emptySegment = (since?: number): Segment => ({ messages: 0, bytes: 0, ...(since !== undefined ? { since } : {}) });

export function entryBytes(entry: ReplayEntry): number {
  return new TextEncoder().encode(JSON.stringify(entry)).length;
}

/** Counts an entry into the segment. */
export function grow(segment: Segment, entry: ReplayEntry, at: number): Segment {
  return { messages: segment.messages + 1, bytes: segment.bytes + entryBytes(entry), since: segment.since ?? at };
}

/**
 * Whether a checkpoint belongs right after the segment's last entry (at `at`): every
 * `everyMessages` messages or `everyBytes` of them, or once `everyMs` have passed, whichever
 * comes first; and always at the session's end.
 */
export function checkpointDue(segment: Segment, at: number, ended: boolean, policy: CheckpointPolicy = CHECKPOINT_POLICY): boolean {
  if (segment.messages === 0) return false;
  return (
    ended ||
    segment.messages >= policy.everyMessages ||
    segment.bytes >= policy.everyBytes ||
    at - (segment.since ?? at) >= policy.everyMs
  );
}

// ---------------------------------------------------------------- markers and counts

/** A marker a tile kind contributes when one of its tiles changes (e.g. a finished code run, a new slide). */
export type TileMarker = Pick<ReplayMarker, 'kind' | 'detail' | 'status'>;
export type TileMarkerRule = (before: Tile, after: Tile) => TileMarker | undefined;

/** A code tile's run that just finished: its language and how it ended. */
export const codeRunMarker: TileMarkerRule = (before, after) => {
  const run = after.state.run as TileRun | undefined;
  const previous = before.state.run as TileRun | undefined;
  if (!run || typeof run !== 'object' || run.status === 'running' || typeof run.status !== 'string') return undefined;
  if (previous && typeof previous === 'object' && previous.runId === run.runId && previous.status === run.status) return undefined;
  return { kind: 'code', detail: String(run.language), status: run.status };
};

/**
 * Per tile kind, what counts as a moment on the timeline. A kind adds its rule here (the slides
 * kind: a page change, as `{ kind: 'slide', detail: '<page>' }`).
 */
export const tileMarkerRules: Readonly<Record<string, TileMarkerRule>> = {
  [CODE_TILE_KIND]: codeRunMarker,
};

/** What a session's log adds up to, through `seq`: its timeline markers and the counts insights show. */
export interface ReplaySummary {
  seq: number;
  at: number;
  firstAt?: number;
  firstLiveAt?: number;
  endedAt?: number;
  markers: ReplayMarker[];
  /** Markers past MAX_MARKERS, counted only. */
  markersDropped: number;
  chatCount: number;
  /** [minute start, messages], in time order. */
  chatPerMinute: Array<[number, number]>;
  codeRuns: Partial<Record<Language, number>>;
  tilesAdded: number;
  /** Time on air so far, not counting the current stretch (`liveSince`). */
  liveMs: number;
  liveSince?: number;
}

export const emptySummary: ReplaySummary = {
  seq: 0,
  at: 0,
  markers: [],
  markersDropped: 0,
  chatCount: 0,
  chatPerMinute: [],
  codeRuns: {},
  tilesAdded: 0,
  liveMs: 0,
};

/**
 * Folds entries into a summary. Mutates a private copy, so a checkpoint's hundred entries do
 * not copy the marker list a hundred times; `result()` hands the copy out.
 */
export function summaryBuilder(start: ReplaySummary, rules: Readonly<Record<string, TileMarkerRule>> = tileMarkerRules) {
  const summary: ReplaySummary = {
    ...start,
    markers: [...start.markers],
    chatPerMinute: start.chatPerMinute.map(([minute, count]) => [minute, count] as [number, number]),
    codeRuns: { ...start.codeRuns },
  };
  const mark = (marker: ReplayMarker) => {
    if (summary.markers.length >= MAX_MARKERS) summary.markersDropped++;
    else summary.markers.push(marker);
  };

  return {
    /** Counts `entry`, which took `before` to `after` (from `advance`). */
    add(before: ReplayState, entry: ReplayEntry, after: ReplayState): void {
      if (after === before) return;
      const at = after.at;
      summary.seq = after.seq;
      summary.at = at;
      summary.firstAt ??= at;
      if (entry.kind === 'chat') {
        summary.chatCount++;
        const minute = Math.floor(at / 60_000) * 60_000;
        const last = summary.chatPerMinute.at(-1);
        if (last && last[0] === minute) last[1]++;
        else summary.chatPerMinute.push([minute, 1]);
        const previous = summary.markers.at(-1);
        if (previous?.kind === 'chat' && at - previous.at <= CHAT_MARKER_MERGE_MS) previous.count = (previous.count ?? 1) + 1;
        else mark({ at, seq: entry.seq, kind: 'chat', count: 1 });
        return;
      }
      if (entry.kind === 'ended') {
        summary.endedAt = at;
        if (summary.liveSince !== undefined) {
          summary.liveMs += at - summary.liveSince;
          delete summary.liveSince;
        }
        mark({ at, seq: entry.seq, kind: 'end' });
        return;
      }
      const wasLive = before.canvas.canvas.live === true;
      const isLive = after.canvas.canvas.live === true;
      if (!wasLive && isLive) {
        summary.firstLiveAt ??= at;
        summary.liveSince = at;
        mark({ at, seq: entry.seq, kind: 'live' });
      } else if (wasLive && !isLive) {
        summary.liveMs += at - (summary.liveSince ?? at);
        delete summary.liveSince;
        mark({ at, seq: entry.seq, kind: 'paused' });
      }
      // One marker per tile and entry, even when a batch edits a tile several times.
      const touched = new Set(entry.patches.flatMap((patch) => ('tileId' in patch ? [patch.tileId] : [])));
      for (const tileId of touched) {
        const old = before.canvas.tiles[tileId];
        const now = after.canvas.tiles[tileId];
        if (!now) continue;
        if (!old) {
          summary.tilesAdded++;
          mark({ at, seq: entry.seq, kind: 'tile', detail: now.kind });
          continue;
        }
        const marker = old.kind === now.kind ? rules[now.kind]?.(old, now) : undefined;
        if (!marker) continue;
        mark({ at, seq: entry.seq, ...marker });
        if (marker.kind === 'code' && marker.detail) {
          const language = marker.detail as Language;
          summary.codeRuns[language] = (summary.codeRuns[language] ?? 0) + 1;
        }
      }
    },
    result(): ReplaySummary {
      return summary;
    },
  };
}

/** Replays `entries` after `state`, counting them into `summary`: the state and summary at the end. */
export function foldEntries(
  state: ReplayState,
  summary: ReplaySummary,
  entries: readonly ReplayEntry[],
  rules?: Readonly<Record<string, TileMarkerRule>>,
): { state: ReplayState; summary: ReplaySummary } {
  const builder = summaryBuilder(summary, rules);
  let current = state;
  for (const entry of entries) {
    const next = advance(current, entry);
    builder.add(current, entry, next);
    current = next;
  }
  return { state: current, summary: builder.result() };
}
