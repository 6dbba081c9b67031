import { documentClient } from '../../data/document-client.js';
import { replayStoreAccess, type PresenceSample, type ReplayStore, type StoredSummary } from '../../data/replay-store.js';
import { sessionStatesTableAccess, type LogEntry, type SessionStatesTable } from '../../data/session-states-table.js';
import { sessionStatesTable } from '../../data/table-definitions.js';
import { FILES_BUCKET_ENV, objectStore, s3Client, type ObjectStore } from '../../storage/object-store.js';
import { requireEnv } from './env.js';
import { CHECKPOINT_POLICY, type CheckpointPolicy, type ReplayReaction, type ReplayState } from '../../../src/protocol/replay.js';
import {
  advance,
  checkpointDue,
  emptyReplayState,
  emptySegment,
  emptySummary,
  entryBytes,
  grow,
  summaryBuilder,
  type Segment,
  tileMarkerRules,
  type TileMarkerRule,
} from '../../../src/protocol/replay-fold.js';
import type { Json, Tile } from '../../../src/protocol/realtime.js';

/**
 * Records what a replay needs beyond the log, from the functions that write the log: the
 * checkpoints and the summary (markers and counts) after sequenced messages, reactions, and
 * presence samples. Nothing here may break the live session: every failure is logged and
 * swallowed, and a later message makes up for a missed checkpoint.
 *
 * Checkpoints are placed by the log alone (CHECKPOINT_POLICY, `checkpointDue`), so whichever
 * writer folds a stretch of log stores the same checkpoints; the summary item is written with
 * a condition on the seq it was read at, so two writers never count a stretch twice.
 */
export interface ReplayRecorder {
  /** After a sequenced message was logged: writes the checkpoints that are due (always at `ended`). */
  afterLog(sessionId: string, entry: LogEntry): Promise<void>;
  reaction(sessionId: string, reaction: ReplayReaction): Promise<void>;
  presence(sessionId: string, sample: PresenceSample): Promise<void>;
}

/** What a tile kind keeps outside the canvas, captured with each checkpoint (e.g. a whiteboard's elements as of `seq`). */
export type CheckpointCapture = (input: { sessionId: string; tileId: string; tile: Tile; seq: number; at: number }) => Promise<Json | undefined>;

export interface ReplayFoldDeps {
  states: Pick<SessionStatesTable, 'readLogPage'>;
  store: ReplayStore;
  now: () => number;
  log: (entry: Record<string, unknown>) => void;
  policy?: CheckpointPolicy;
  rules?: Readonly<Record<string, TileMarkerRule>>;
  /** By tile kind. */
  captures?: Readonly<Record<string, CheckpointCapture>>;
}

/**
 * A missing log entry whose successors are older than this is taken as lost (its write
 * failed), not as still being written: the fold goes on without it, as a player would.
 */
export const LOG_GRACE_MS = 10_000;
const LOG_PAGE = 200;
/** Entries one write-behind fold reads at most; a longer backlog continues with the next message. */
export const FOLD_BUDGET = 2000;

export interface FoldResult {
  /** The summary through the last entry read (saved only through the last checkpoint). */
  summary: StoredSummary;
  /** The whole log was read (up to its end or the `ended` entry). */
  complete: boolean;
  /** The latest stored checkpoint's seq and time (0 when there is none), and the log read after it. */
  checkpoint: { seq: number; at: number };
  tail: Segment;
}

/**
 * Folds the log after the stored summary: with `write`, stores each checkpoint that is due
 * and the summary with it; without, only reads (what a timeline or insights show for the
 * unsummarised tail).
 */
export async function foldLog(deps: ReplayFoldDeps, sessionId: string, options: { write: boolean; budget: number }): Promise<FoldResult> {
  const policy = deps.policy ?? CHECKPOINT_POLICY;
  const stored = await deps.store.getSummary(sessionId);
  if (stored?.endedAt !== undefined) {
    // Folded to its end already: nothing to read.
    return { summary: stored, complete: true, checkpoint: { seq: stored.seq, at: stored.at }, tail: emptySegment(stored.at) };
  }
  let previousSeq = stored?.seq ?? 0;
  let summary: StoredSummary = stored ?? emptySummary;
  let state = emptyReplayState;
  if (stored && stored.seq > 0) {
    const checkpoint = stored.checkpointLabel !== undefined ? await deps.store.checkpointAt(sessionId, stored.checkpointLabel) : undefined;
    if (checkpoint?.seq === stored.seq) {
      state = checkpoint;
    } else {
      // Lost or expired: fold again from the start, replacing the summary.
      deps.log({ level: 'warn', message: 'replay summary has no matching checkpoint; folding from the start', sessionId, seq: stored.seq });
      summary = emptySummary;
    }
  }
  let checkpoint = { seq: state.seq, at: state.at };
  let lastLabel = state.seq > 0 ? summary.checkpointLabel : undefined;
  let segment = emptySegment(state.seq > 0 ? state.at : undefined);
  const builder = summaryBuilder(summary, deps.rules ?? tileMarkerRules);
  const result = (complete: boolean): FoldResult => ({
    summary: { ...builder.result(), ...(lastLabel !== undefined ? { checkpointLabel: lastLabel } : {}) },
    complete,
    checkpoint,
    tail: segment,
  });

  let read = 0;
  const now = deps.now();
  for (;;) {
    const page = await deps.states.readLogPage(sessionId, state.seq, Math.min(LOG_PAGE, Math.max(1, options.budget - read)));
    for (const entry of page.entries) {
      if (entry.seq > state.seq + 1 && now - entry.at < LOG_GRACE_MS) {
        // An earlier entry may still be on its way to the log: stop before the gap.
        return result(false);
      }
      const next = advance(state, entry);
      builder.add(state, entry, next);
      state = next;
      segment = grow(segment, entry, state.at);
      read++;
      const ended = entry.kind === 'ended';
      if (!options.write || !checkpointDue(segment, state.at, ended, policy)) continue;
      // Labels only grow, so no two checkpoints share a key (time can stand still within a millisecond).
      const label = Math.max(state.at, (lastLabel ?? -Infinity) + 1);
      await deps.store.putCheckpoint(sessionId, label, await withAttachments(deps, sessionId, state));
      if (!(await deps.store.putSummary(sessionId, { ...builder.result(), checkpointLabel: label }, previousSeq))) {
        // Another writer stored this stretch meanwhile; it carries on from there.
        return result(false);
      }
      previousSeq = state.seq;
      lastLabel = label;
      checkpoint = { seq: state.seq, at: state.at };
      segment = emptySegment(state.at);
    }
    if (state.endedAt !== undefined || page.entries.length === 0 || !page.more) return result(true);
    if (read >= options.budget) return result(false);
  }
}

async function withAttachments(deps: ReplayFoldDeps, sessionId: string, state: ReplayState): Promise<ReplayState> {
  const captures = deps.captures ?? {};
  const attachments: Record<string, Json> = {};
  for (const [tileId, tile] of Object.entries(state.canvas.tiles)) {
    const capture = captures[tile.kind];
    if (!capture) continue;
    const value = await capture({ sessionId, tileId, tile, seq: state.seq, at: state.at });
    if (value !== undefined) attachments[tileId] = value;
  }
  return Object.keys(attachments).length ? { ...state, attachments } : state;
}

/** What this instance last knew of a session's checkpoints: decides, without a read, when a fold may be due. */
interface Known {
  seq: number;
  at: number;
  bytes: number;
}
const KNOWN_SESSIONS = 1000;

export function createReplayRecorder(deps: ReplayFoldDeps): ReplayRecorder {
  const policy = deps.policy ?? CHECKPOINT_POLICY;
  const known = new Map<string, Known>();

  /**
   * Every `everyMessages`-th seq always folds (whichever instance logs it); with what this
   * instance knows, the bytes and time rules fold earlier. The fold itself decides from the log.
   */
  function mayBeDue(sessionId: string, entry: LogEntry): boolean {
    const last = known.get(sessionId);
    if (last) last.bytes += entryBytes(entry);
    if (entry.kind === 'ended' || entry.seq % policy.everyMessages === 0) return true;
    if (!last) return false;
    return entry.seq - last.seq >= policy.everyMessages || last.bytes >= policy.everyBytes || entry.at - last.at >= policy.everyMs;
  }

  function remember(sessionId: string, value: Known) {
    known.delete(sessionId);
    known.set(sessionId, value);
    if (known.size > KNOWN_SESSIONS) known.delete(known.keys().next().value!);
  }

  return {
    async afterLog(sessionId, entry) {
      if (!mayBeDue(sessionId, entry)) return;
      try {
        const { checkpoint, tail } = await foldLog(deps, sessionId, { write: true, budget: FOLD_BUDGET });
        remember(sessionId, { ...checkpoint, bytes: tail.bytes });
      } catch (error) {
        deps.log({ level: 'error', message: 'replay checkpoint failed', sessionId, seq: entry.seq, error: String(error) });
      }
    },

    async reaction(sessionId, reaction) {
      await deps.store.putReaction(sessionId, reaction).catch((error: unknown) =>
        deps.log({ level: 'error', message: 'could not record a reaction', sessionId, error: String(error) }),
      );
    },

    async presence(sessionId, sample) {
      await deps.store.putPresence(sessionId, sample).catch((error: unknown) =>
        deps.log({ level: 'error', message: 'could not record a presence sample', sessionId, error: String(error) }),
      );
    },
  };
}

/** The replay store of a deployed function: SessionStates, and the files bucket for checkpoints too large for an item. */
export function replayStoreFromEnv(): ReplayStore {
  let files: ObjectStore | undefined;
  // The bucket is needed only for an oversized checkpoint; a missing grant fails there, with its resolution.
  return replayStoreAccess(documentClient(), requireEnv(sessionStatesTable.envVar), () => (files ??= objectStore(s3Client(), requireEnv(FILES_BUCKET_ENV))));
}

export function replayRecorderFromEnv(log: (entry: Record<string, unknown>) => void): ReplayRecorder {
  return createReplayRecorder({
    states: sessionStatesTableAccess(documentClient(), requireEnv(sessionStatesTable.envVar)),
    store: replayStoreFromEnv(),
    now: () => Date.now(),
    log,
  });
}
