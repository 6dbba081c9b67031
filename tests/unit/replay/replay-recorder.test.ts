import { describe, expect, it, vi } from 'vitest';
import { checkpointKey, checkpointRangeAtOrBefore, type PresenceSample, type ReplayStore, type StoredSummary } from '../../../amplify/data/replay-store';
import type { LogEntry } from '../../../amplify/data/session-states-table';
import { createReplayRecorder, foldLog, LOG_GRACE_MS, type ReplayFoldDeps } from '../../../amplify/functions/shared/replay-recorder';
import type { Patch } from '../../../src/protocol/realtime';
import { CHECKPOINT_POLICY, type ReplayReaction, type ReplayState } from '../../../src/protocol/replay';
import { advanceTo, emptyReplayState } from '../../../src/protocol/replay-fold';

const T0 = 1_750_000_000_000;
const S = 'session-1';

/** The replay store's behaviour in memory, with the same conditions as the DynamoDB one. */
class MemoryStore implements ReplayStore {
  readonly checkpoints = new Map<number, ReplayState>();
  summary?: StoredSummary;
  readonly reactionsList: ReplayReaction[] = [];
  readonly presenceList: PresenceSample[] = [];
  summaryWrites = 0;
  async getSummary() {
    return this.summary && structuredClone(this.summary);
  }
  async putSummary(_s: string, summary: StoredSummary, previousSeq: number) {
    if ((this.summary?.seq ?? 0) !== previousSeq) return false;
    this.summary = structuredClone(summary);
    this.summaryWrites++;
    return true;
  }
  async putCheckpoint(_s: string, label: number, state: ReplayState) {
    this.checkpoints.set(label, structuredClone(state));
  }
  async checkpointAt(_s: string, label: number) {
    return this.checkpoints.get(label);
  }
  async checkpointAtOrBefore(_s: string, at: number) {
    const labels = [...this.checkpoints.keys()].filter((label) => label <= at).sort((a, b) => b - a);
    return labels.length ? { label: labels[0]!, state: this.checkpoints.get(labels[0]!)! } : undefined;
  }
  async putReaction(_s: string, reaction: ReplayReaction) {
    this.reactionsList.push(reaction);
  }
  async putPresence(_s: string, sample: PresenceSample) {
    this.presenceList.push(sample);
  }
  async reactions() {
    return this.reactionsList;
  }
  async allReactions() {
    return { items: this.reactionsList, complete: true };
  }
  async allPresence() {
    return { items: this.presenceList, complete: true };
  }
  async deleteAll() {
    return { done: true, deleted: 0 };
  }
}

class MemoryLog {
  readonly entries: LogEntry[] = [];
  reads = 0;
  async readLogPage(_s: string, afterSeq: number, limit: number) {
    this.reads++;
    const after = this.entries.filter((e) => e.seq > afterSeq).sort((a, b) => a.seq - b.seq);
    return { entries: after.slice(0, limit), more: after.length > limit };
  }
}

function setup(options: Partial<ReplayFoldDeps> = {}) {
  const store = new MemoryStore();
  const log = new MemoryLog();
  const errors: Array<Record<string, unknown>> = [];
  let now = T0 + 10 ** 9;
  const deps: ReplayFoldDeps = { states: log, store, now: () => now, log: (entry) => errors.push(entry), ...options };
  return { store, log, errors, deps, setNow: (value: number) => (now = value) };
}

const frame = { x: 0, y: 0, w: 300, h: 200, z: 1 };
function session(count: number, step = 100): LogEntry[] {
  const entries: LogEntry[] = [{ kind: 'patch', seq: 1, at: T0, patches: [{ type: 'tile.add', tileId: 'a', kind: 'clock', frame, state: { n: 0 } }] }];
  for (let seq = 2; seq <= count; seq++) {
    const patches: Patch[] = [{ type: 'tile.state', tileId: 'a', set: { n: seq } }];
    entries.push(seq % 10 === 0 ? { kind: 'chat', seq, at: T0 + seq * step, message: { id: `m${seq}`, name: 'A', text: 'hi', role: 'viewer', at: T0 + seq * step } } : { kind: 'patch', seq, at: T0 + seq * step, patches });
  }
  return entries;
}

describe('checkpoint selection (sort keys)', () => {
  it('a Query for keys in the range, ascending, finds the checkpoint with the largest label at or before the time', () => {
    const labels = [T0, T0 + 500, T0 + 1000, T0 + 1500];
    const keys = labels.map(checkpointKey).sort((a, b) => a - b);
    const select = (at: number) => {
      const { from, to } = checkpointRangeAtOrBefore(at);
      const first = keys.find((key) => key >= from && key <= to);
      return first === undefined ? undefined : -first;
    };
    expect(select(T0 - 1)).toBeUndefined();
    expect(select(T0)).toBe(T0);
    expect(select(T0 + 999)).toBe(T0 + 500);
    expect(select(T0 + 1000)).toBe(T0 + 1000);
    expect(select(T0 + 10 ** 7)).toBe(T0 + 1500);
    // Log keys (positive) and other replay items (below -10^13) are never in the range.
    const { from, to } = checkpointRangeAtOrBefore(Number.MAX_SAFE_INTEGER);
    expect(to).toBeLessThan(0);
    expect(from).toBeGreaterThan(-(10 ** 13));
  });
});

describe('the checkpoint writer', () => {
  it('stores a checkpoint every everyMessages messages and at the end, each the log folded to its seq', async () => {
    const { store, log, deps } = setup();
    log.entries.push(...session(250), { kind: 'ended', seq: 251, at: T0 + 30_000 });
    const result = await foldLog(deps, S, { write: true, budget: 10_000 });
    expect(result.complete).toBe(true);
    const seqs = [...store.checkpoints.values()].map((state) => state.seq);
    expect(seqs).toEqual([100, 200, 251]);
    for (const [label, state] of store.checkpoints) {
      expect(state).toEqual(advanceTo(emptyReplayState, log.entries, label).state);
    }
    expect(store.summary).toMatchObject({ seq: 251, endedAt: T0 + 30_000, chatCount: 25 });
  });

  it('places checkpoints by the log alone: folding in pieces stores the same ones as in one go', async () => {
    const whole = setup();
    whole.log.entries.push(...session(330, 700));
    await foldLog(whole.deps, S, { write: true, budget: 10_000 });

    const pieces = setup();
    for (const cut of [37, 150, 222, 330]) {
      pieces.log.entries.push(...session(330, 700).slice(pieces.log.entries.length, cut));
      await foldLog(pieces.deps, S, { write: true, budget: 10_000 });
    }
    expect([...pieces.store.checkpoints.keys()]).toEqual([...whole.store.checkpoints.keys()]);
    expect(pieces.store.summary).toEqual(whole.store.summary);
    // 700 ms apart, the 60 s rule comes before the 100-message one.
    const gaps = [...whole.store.checkpoints.values()].map((s) => s.seq);
    expect(gaps[0]).toBe(Math.ceil(CHECKPOINT_POLICY.everyMs / 700));
  });

  it('lets two writers race without counting a stretch twice', async () => {
    const { store, log, deps } = setup();
    log.entries.push(...session(300));
    await Promise.all([foldLog(deps, S, { write: true, budget: 10_000 }), foldLog(deps, S, { write: true, budget: 10_000 })]);
    expect([...store.checkpoints.values()].map((s) => s.seq)).toEqual([100, 200, 300]);
    expect(store.summary).toMatchObject({ seq: 300, chatCount: 30 });
  });

  it('gives checkpoints strictly growing labels when time stands still', async () => {
    const { store, log, deps } = setup();
    log.entries.push(...session(200, 0), { kind: 'ended', seq: 201, at: T0 });
    await foldLog(deps, S, { write: true, budget: 10_000 });
    expect([...store.checkpoints.keys()]).toEqual([T0, T0 + 1, T0 + 2]);
  });

  it('stops before a missing entry that may still be on its way, and skips one that was lost', async () => {
    const { store, log, deps, setNow } = setup();
    const entries = session(150);
    log.entries.push(...entries.filter((e) => e.seq !== 50));
    setNow(entries[50]!.at + LOG_GRACE_MS - 1);
    const young = await foldLog(deps, S, { write: true, budget: 10_000 });
    expect(young.complete).toBe(false);
    expect(store.checkpoints.size).toBe(0);
    setNow(entries[50]!.at + LOG_GRACE_MS + 1);
    await foldLog(deps, S, { write: true, budget: 10_000 });
    // The hundredth message logged is seq 101: seq 50 is lost.
    expect([...store.checkpoints.values()].map((s) => s.seq)).toEqual([101]);
  });

  it('reads no more than its budget, and carries on next time', async () => {
    const { store, log, deps } = setup();
    log.entries.push(...session(450));
    expect((await foldLog(deps, S, { write: true, budget: 150 })).complete).toBe(false);
    expect(store.summary?.seq).toBe(100);
    await foldLog(deps, S, { write: true, budget: 10_000 });
    expect(store.summary?.seq).toBe(400);
  });

  it('without `write`, stores nothing and still sums up the tail', async () => {
    const { store, log, deps } = setup();
    log.entries.push(...session(150));
    await foldLog(deps, S, { write: true, budget: 10_000 });
    log.entries.push(...session(180).slice(150));
    const read = await foldLog(deps, S, { write: false, budget: 10_000 });
    expect(read.summary.seq).toBe(180);
    expect(store.summary?.seq).toBe(100);
    expect(read.checkpoint.seq).toBe(100);
  });

  it('stores what a tile kind keeps outside the canvas with each checkpoint', async () => {
    const capture = vi.fn(async ({ tileId, seq }: { tileId: string; seq: number }) => ({ board: `${tileId}@${seq}` }));
    const { store, log, deps } = setup({ captures: { clock: capture } });
    log.entries.push(...session(100));
    await foldLog(deps, S, { write: true, budget: 10_000 });
    expect([...store.checkpoints.values()][0]?.attachments).toEqual({ a: { board: 'a@100' } });
  });
});

describe('the recorder', () => {
  it('folds after every everyMessages-th message, and after a minute once it knows the session', async () => {
    const { store, log, deps } = setup();
    const recorder = createReplayRecorder(deps);
    const entries = session(250, 1000);
    for (const entry of entries) {
      log.entries.push(entry);
      await recorder.afterLog(S, entry);
    }
    // One message a second: the first fold waits for seq 100 (nothing known yet) and places the first
    // checkpoint a minute in; from then on this instance folds each minute.
    expect([...store.checkpoints.values()].map((s) => s.seq)).toEqual([60, 120, 180, 240]);
    expect(store.summary?.seq).toBe(240);
  });

  it('never throws: a failing store is logged and the live message goes on', async () => {
    const { deps, errors, store } = setup();
    store.getSummary = async () => {
      throw new Error('throttled');
    };
    store.putReaction = async () => {
      throw new Error('throttled');
    };
    const recorder = createReplayRecorder(deps);
    await expect(recorder.afterLog(S, { kind: 'ended', seq: 1, at: T0 })).resolves.toBeUndefined();
    await expect(recorder.reaction(S, { at: T0, emoji: '👏' })).resolves.toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual(['replay checkpoint failed', 'could not record a reaction']);
  });

  it('records reactions and presence samples', async () => {
    const { deps, store } = setup();
    const recorder = createReplayRecorder(deps);
    await recorder.reaction(S, { at: T0, emoji: '🎉' });
    await recorder.presence(S, { at: T0, viewers: 3, joined: 1, left: 0 });
    expect(store.reactionsList).toEqual([{ at: T0, emoji: '🎉' }]);
    expect(store.presenceList).toEqual([{ at: T0, viewers: 3, joined: 1, left: 0 }]);
  });
});
