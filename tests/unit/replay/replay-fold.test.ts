import { describe, expect, it } from 'vitest';
import type { TileRun } from '../../../src/protocol/code';
import type { ChatMessage, Patch } from '../../../src/protocol/realtime';
import { CHAT_MARKER_MERGE_MS, CHECKPOINT_POLICY, MAX_MARKERS, REPLAY_CHAT_KEPT, type ReplayEntry } from '../../../src/protocol/replay';
import {
  advance,
  advanceTo,
  checkpointDue,
  emptyReplayState,
  emptySegment,
  emptySummary,
  entryBytes,
  foldEntries,
  grow,
} from '../../../src/protocol/replay-fold';

const T0 = 1_750_000_000_000;
const frame = { x: 0, y: 0, w: 300, h: 200, z: 1 };
const patch = (seq: number, at: number, patches: Patch[]): ReplayEntry => ({ kind: 'patch', seq, at, patches });
const chat = (seq: number, at: number, text = `m${seq}`): ReplayEntry => ({
  kind: 'chat',
  seq,
  at,
  message: { id: `c${seq}`, name: 'Ada', text, role: 'viewer', at } satisfies ChatMessage,
});
const add = (tileId: string, kind = 'clock', state = {}): Patch => ({ type: 'tile.add', tileId, kind, frame, state });
const set = (tileId: string, values: Record<string, unknown>): Patch => ({ type: 'tile.state', tileId, set: values as never });
const run = (runId: string, status: string, language = 'python'): TileRun =>
  (status === 'running'
    ? { runId, status: 'running', language, startedAt: T0 }
    : { runId, status, language, startedAt: T0, finishedAt: T0 + 1, exitCode: 0, stdout: 'x', stderr: '', durationMs: 1, truncated: false }) as TileRun;

describe('log application', () => {
  it('applies patches, keeps the last chat messages and marks the end', () => {
    let state = advance(emptyReplayState, patch(1, T0, [add('a')]));
    expect(state.canvas.tiles.a?.kind).toBe('clock');
    expect(state).toMatchObject({ seq: 1, at: T0 });
    for (let seq = 2; seq <= REPLAY_CHAT_KEPT + 11; seq++) state = advance(state, chat(seq, T0 + seq));
    expect(state.chat).toHaveLength(REPLAY_CHAT_KEPT);
    expect(state.chat.at(-1)?.text).toBe(`m${REPLAY_CHAT_KEPT + 11}`);
    const ended = advance(state, { kind: 'ended', seq: state.seq + 1, at: T0 + 500 });
    expect(ended.endedAt).toBe(T0 + 500);
  });

  it('keeps the canvas object when only chat arrives, so no tile re-renders', () => {
    const state = advance(emptyReplayState, patch(1, T0, [add('a')]));
    expect(advance(state, chat(2, T0 + 1)).canvas).toBe(state.canvas);
  });

  it('ignores an entry it has already applied', () => {
    const state = advance(emptyReplayState, patch(1, T0, [add('a')]));
    expect(advance(state, patch(1, T0, [add('b')]))).toBe(state);
  });

  it('never runs time backwards: a later seq logged with an earlier `at` takes effect with the one before', () => {
    const state = advance(advance(emptyReplayState, patch(1, T0 + 10, [add('a')])), patch(2, T0 + 5, [set('a', { n: 2 })]));
    expect(state.at).toBe(T0 + 10);
  });
});

describe('log application to a time', () => {
  const log = [patch(1, T0, [add('a')]), patch(2, T0 + 100, [set('a', { n: 2 })]), chat(3, T0 + 200), patch(4, T0 + 300, [set('a', { n: 4 })])];

  it('applies exactly the entries at or before the time', () => {
    expect(advanceTo(emptyReplayState, log, T0 - 1)).toMatchObject({ state: { seq: 0 }, used: 0 });
    expect(advanceTo(emptyReplayState, log, T0).state.seq).toBe(1);
    expect(advanceTo(emptyReplayState, log, T0 + 99).state.canvas.tiles.a?.state).toEqual({});
    expect(advanceTo(emptyReplayState, log, T0 + 100).state.canvas.tiles.a?.state).toEqual({ n: 2 });
    const { state, used } = advanceTo(emptyReplayState, log, T0 + 250);
    expect(state.seq).toBe(3);
    expect(state.chat.map((m) => m.text)).toEqual(['m3']);
    expect(used).toBe(3);
    expect(advanceTo(emptyReplayState, log, T0 + 10_000)).toMatchObject({ state: { seq: 4 }, used: 4 });
  });

  it('continues from where it stopped, as a player does frame by frame', () => {
    const first = advanceTo(emptyReplayState, log, T0 + 150);
    const second = advanceTo(first.state, log.slice(first.used), T0 + 400);
    expect(second.state).toEqual(advanceTo(emptyReplayState, log, T0 + 400).state);
  });

  it('stops at an entry whose clamped time is later, even when its own `at` is earlier', () => {
    const skewed = [patch(1, T0 + 50, [add('a')]), patch(2, T0 + 10, [set('a', { n: 2 })])];
    // Seq 2 takes effect at T0 + 50 (with seq 1), so at T0 + 20 neither has happened.
    expect(advanceTo(emptyReplayState, skewed, T0 + 20).state.seq).toBe(0);
    expect(advanceTo(emptyReplayState, skewed, T0 + 50).state.seq).toBe(2);
  });
});

describe('checkpoint placement', () => {
  const entry = patch(1, T0, [set('a', { n: 1 })]);

  it('is due after everyMessages messages', () => {
    let segment = emptySegment();
    for (let i = 1; i < CHECKPOINT_POLICY.everyMessages; i++) segment = grow(segment, entry, T0);
    expect(checkpointDue(segment, T0, false)).toBe(false);
    expect(checkpointDue(grow(segment, entry, T0), T0, false)).toBe(true);
  });

  it('is due after everyBytes of messages, however few', () => {
    const big = patch(1, T0, [set('a', { text: 'x'.repeat(30_000) })]);
    let segment = emptySegment();
    while (segment.bytes < CHECKPOINT_POLICY.everyBytes) {
      expect(checkpointDue(segment, T0, false)).toBe(false);
      segment = grow(segment, big, T0);
    }
    expect(segment.messages).toBe(Math.ceil(CHECKPOINT_POLICY.everyBytes / entryBytes(big)));
    expect(checkpointDue(segment, T0, false)).toBe(true);
  });

  it('is due everyMs after the last checkpoint (or the first message), and at the end', () => {
    const afterCheckpoint = grow(emptySegment(T0), entry, T0 + 1000);
    expect(checkpointDue(afterCheckpoint, T0 + CHECKPOINT_POLICY.everyMs - 1, false)).toBe(false);
    expect(checkpointDue(afterCheckpoint, T0 + CHECKPOINT_POLICY.everyMs, false)).toBe(true);
    const first = grow(emptySegment(), entry, T0 + 1000);
    expect(first.since).toBe(T0 + 1000);
    expect(checkpointDue(first, T0 + 1000, true)).toBe(true);
  });

  it('is never due for an empty segment', () => {
    expect(checkpointDue(emptySegment(T0), T0 + 10 * CHECKPOINT_POLICY.everyMs, true)).toBe(false);
  });

  it('takes its limits from the policy it is given', () => {
    const policy = { everyMessages: 2, everyBytes: 10 ** 9, everyMs: 10 ** 9 };
    expect(checkpointDue(grow(grow(emptySegment(), entry, T0), entry, T0), T0, false, policy)).toBe(true);
  });
});

describe('markers and counts', () => {
  it('marks tiles added, finished code runs (once each), going live, pausing and the end', () => {
    const log: ReplayEntry[] = [
      patch(1, T0, [add('a'), add('py', 'code', { language: 'python', source: '' })]),
      patch(2, T0 + 10, [{ type: 'canvas.set', set: { live: true } }]),
      patch(3, T0 + 20, [set('py', { run: run('r1', 'running') })]),
      patch(4, T0 + 30, [set('py', { run: run('r1', 'ok') })]),
      // The same run stored again (a wide batch rewrites the tile) is not a second run.
      patch(5, T0 + 35, [set('py', { run: run('r1', 'ok'), source: 'x' })]),
      patch(6, T0 + 40, [set('py', { run: run('r2', 'compile_error', 'cpp') })]),
      patch(7, T0 + 1040, [{ type: 'canvas.set', set: { live: false } }]),
      { kind: 'ended', seq: 8, at: T0 + 2000 },
    ];
    const { summary } = foldEntries(emptyReplayState, emptySummary, log);
    expect(summary.markers.map((m) => [m.kind, m.detail, m.status, m.seq])).toEqual([
      ['tile', 'clock', undefined, 1],
      ['tile', 'code', undefined, 1],
      ['live', undefined, undefined, 2],
      ['code', 'python', 'ok', 4],
      ['code', 'cpp', 'compile_error', 6],
      ['paused', undefined, undefined, 7],
      ['end', undefined, undefined, 8],
    ]);
    expect(summary).toMatchObject({ seq: 8, firstAt: T0, firstLiveAt: T0 + 10, endedAt: T0 + 2000, tilesAdded: 2, codeRuns: { python: 1, cpp: 1 }, liveMs: 1030 });
  });

  it('merges chat that comes close together into one marker, and counts chat per minute', () => {
    const log = [chat(1, T0), chat(2, T0 + 1000), chat(3, T0 + CHAT_MARKER_MERGE_MS + 5000), chat(4, T0 + 61_000)];
    const { summary } = foldEntries(emptyReplayState, emptySummary, log);
    expect(summary.markers.map((m) => [m.kind, m.count, m.seq])).toEqual([
      ['chat', 2, 1],
      ['chat', 2, 3],
    ]);
    const minute = Math.floor(T0 / 60_000) * 60_000;
    expect(summary.chatCount).toBe(4);
    expect(summary.chatPerMinute.reduce((n, [, c]) => n + c, 0)).toBe(4);
    expect(summary.chatPerMinute[0]![0]).toBe(minute);
  });

  it('folds in pieces to the same summary as in one go', () => {
    const log: ReplayEntry[] = [patch(1, T0, [add('a'), { type: 'canvas.set', set: { live: true } }]), chat(2, T0 + 5), patch(3, T0 + 10, [add('b')]), chat(4, T0 + 20)];
    const whole = foldEntries(emptyReplayState, emptySummary, log);
    const half = foldEntries(emptyReplayState, emptySummary, log.slice(0, 2));
    const rest = foldEntries(half.state, half.summary, log.slice(2));
    expect(rest).toEqual(whole);
    // The builder copied what it was given.
    expect(half.summary.markers).toHaveLength(3);
  });

  it('keeps at most MAX_MARKERS markers and counts the rest', () => {
    // Chat far enough apart that each is its own marker.
    const log = Array.from({ length: MAX_MARKERS + 5 }, (_, i) => chat(i + 1, T0 + i * (CHAT_MARKER_MERGE_MS + 1)));
    const { summary } = foldEntries(emptyReplayState, emptySummary, log);
    expect(summary.markers).toHaveLength(MAX_MARKERS);
    expect(summary.markersDropped).toBe(5);
    expect(summary.chatCount).toBe(MAX_MARKERS + 5);
  });
});
