import type { Patch } from '../../../src/protocol/realtime';
import type { ReplayEntry, ReplayManifest, ReplayMarker, ReplayReaction, ReplayState } from '../../../src/protocol/replay';
import { advanceTo, emptyReplayState } from '../../../src/protocol/replay-fold';
import type { ReplayReader } from '../../../src/replay/replay-api';

/** A synthetic session and a reader that serves it as the replay API would (checkpoints every 100, pages of 200). */
export const T0 = 1_750_000_000_000;
export const SECOND = 1000;
const frame = { x: 0, y: 0, w: 300, h: 200, z: 1 };

/** A 10-minute session, one message a second; checkpoints every 100; a reaction every 10 s. */
export function makeSession(count = 600) {
  const log: ReplayEntry[] = [
    { kind: 'patch', seq: 1, at: T0, patches: [{ type: 'tile.add', tileId: 'a', kind: 'clock', frame, state: { n: 1 } }] },
  ];
  for (let seq = 2; seq <= count; seq++) log.push({ kind: 'patch', seq, at: T0 + (seq - 1) * SECOND, patches: [{ type: 'tile.state', tileId: 'a', set: { n: seq } }] });
  const checkpoints: Array<{ label: number; state: ReplayState }> = [];
  for (let seq = 100; seq <= count; seq += 100) {
    const at = log[seq - 1]!.at;
    checkpoints.push({ label: at, state: advanceTo(emptyReplayState, log, at).state });
  }
  const reactions: ReplayReaction[] = Array.from({ length: count / 10 }, (_, i) => ({ at: T0 + i * 10 * SECOND + 500, emoji: '👏' }));
  return { log, checkpoints, reactions };
}

export function fakeReader(session = makeSession(), manifest: Partial<ReplayManifest> = {}) {
  const calls: string[] = [];
  const pending: Array<() => void> = [];
  let hold = false;
  const answer = <T,>(value: T) => (hold ? new Promise<T>((resolve) => pending.push(() => resolve(value))) : Promise.resolve(value));
  const page = (after: number) => {
    const entries = session.log.filter((e) => e.seq > after).slice(0, 200);
    const more = entries.length === 200 && entries.at(-1)!.seq < session.log.length;
    return { entries, next: more ? entries.at(-1)!.seq : null };
  };
  const reader: ReplayReader = {
    manifest: async () => {
      calls.push('manifest');
      return {
        sessionId: '00000000-0000-4000-8000-000000000000',
        title: 'Test',
        status: 'ended',
        startAt: T0,
        endAt: session.log.at(-1)!.at,
        firstLiveAt: T0 + 5 * SECOND,
        serverTime: T0,
        lastSeq: session.log.length,
        markers: [],
        markersComplete: true,
        availableUntil: T0 + 10 ** 10,
        ...manifest,
      };
    },
    seek: async (at) => {
      calls.push(`seek ${at - T0}`);
      const checkpoint = [...session.checkpoints].reverse().find((c) => c.label <= at);
      return answer({ at, checkpoint: checkpoint?.state ?? null, ...page(checkpoint?.state.seq ?? 0) });
    },
    log: async (after) => {
      calls.push(`log ${after}`);
      return answer(page(after));
    },
    reactions: async (from, to) => {
      calls.push('reactions');
      return session.reactions.filter((r) => r.at >= from && r.at <= to);
    },
  };
  return {
    reader,
    calls,
    holdAnswers: (value: boolean) => (hold = value),
    release: () => pending.splice(0).forEach((resolve) => resolve()),
  };
}

