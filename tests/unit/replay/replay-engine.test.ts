import { describe, expect, it } from 'vitest';
import type { ReplayManifest } from '../../../src/protocol/replay';
import { advanceTo, emptyReplayState } from '../../../src/protocol/replay-fold';
import { ReplayEngine } from '../../../src/replay/replay-engine';

import { SECOND, T0, fakeReader, makeSession } from './fake-replay';

function setup(options: { session?: ReturnType<typeof makeSession>; live?: { serverNow: () => number }; manifest?: Partial<ReplayManifest> } = {}) {
  const session = options.session ?? makeSession();
  const fake = fakeReader(session, options.manifest);
  let real = 0;
  let frame: (() => void) | undefined;
  const reactions: string[] = [];
  let caughtUp = 0;
  const engine = new ReplayEngine({
    reader: fake.reader,
    realNow: () => real,
    schedule: (tick) => {
      frame = tick;
      return () => (frame = undefined);
    },
    onReaction: (emoji) => reactions.push(emoji),
    onCaughtUp: () => caughtUp++,
    ...(options.live ? { live: options.live } : {}),
  });
  /** Lets `ms` of real time pass in frames of 50 ms, running the engine's frame each time. */
  const pass = async (ms: number) => {
    for (let done = 0; done < ms; done += 50) {
      real += Math.min(50, ms - done);
      frame?.();
      await Promise.resolve();
      await Promise.resolve();
    }
  };
  const expected = (time: number) => advanceTo(emptyReplayState, session.log, time).state;
  return { engine, ...fake, pass, reactions, expected, caughtUp: () => caughtUp, session, setReal: (value: number) => (real = value) };
}

describe('the replay engine', () => {
  it('opens where the host went live, showing the canvas as it was then, and plays', async () => {
    const { engine, calls, expected } = setup();
    await engine.open();
    const view = engine.getView();
    expect(view.phase).toBe('ready');
    expect(view.playing).toBe(true);
    expect(engine.time()).toBe(T0 + 5 * SECOND);
    expect(view.state).toEqual(expected(T0 + 5 * SECOND));
    expect(calls.slice(0, 2)).toEqual(['manifest', `seek ${5 * SECOND}`]);
  });

  it.each([0.5, 1, 2])('plays at %s×: the canvas follows the virtual clock', async (speed) => {
    const { engine, pass, expected } = setup();
    await engine.open();
    engine.setSpeed(speed);
    await pass(4000);
    expect(engine.time()).toBe(T0 + 5 * SECOND + 4000 * speed);
    expect(engine.getView().state).toEqual(expected(engine.time()));
  });

  it('seeks back within what it has read without asking the server, and far away with one request', async () => {
    const { engine, calls, expected } = setup();
    await engine.open();
    await engine.seek(T0 + 150 * SECOND);
    expect(engine.getView().state).toEqual(expected(T0 + 150 * SECOND));
    const asked = calls.length;
    await engine.seek(T0 + 20 * SECOND);
    await engine.seek(T0 + 180 * SECOND);
    expect(calls.length).toBe(asked);
    expect(engine.getView().state).toEqual(expected(T0 + 180 * SECOND));
    await engine.seek(T0 + 450 * SECOND);
    expect(calls.slice(asked)).toEqual([`seek ${450 * SECOND}`]);
    expect(engine.getView().state).toEqual(expected(T0 + 450 * SECOND));
  });

  it('keeps seeks inside the timeline', async () => {
    const { engine, session } = setup();
    await engine.open();
    await engine.seek(T0 - 10 ** 6);
    expect(engine.time()).toBe(T0);
    await engine.seek(T0 + 10 ** 9);
    expect(engine.time()).toBe(session.log.at(-1)!.at);
    await engine.skip(-10 * SECOND);
    expect(engine.time()).toBe(session.log.at(-1)!.at - 10 * SECOND);
  });

  it('reads the next page ahead of the playhead, and holds the playhead while a page is late', async () => {
    const { engine, calls, pass, holdAnswers, release, expected } = setup();
    await engine.open();
    engine.setSpeed(2);
    holdAnswers(true);
    // The first page (seq 1–200) runs out at 199 s of replay; 2× for 100 s of real time goes past it.
    await pass(100_000);
    expect(calls).toContain('log 200');
    expect(engine.getView().buffering).toBe(true);
    expect(engine.time()).toBe(T0 + 199 * SECOND);
    expect(engine.getView().state).toEqual(expected(T0 + 199 * SECOND));
    holdAnswers(false);
    release();
    await pass(1000);
    expect(engine.getView().buffering).toBe(false);
    expect(engine.time()).toBeGreaterThan(T0 + 199 * SECOND);
    expect(engine.getView().state).toEqual(expected(engine.time()));
  });

  it('stops at the end of an ended session, and Play starts it over', async () => {
    const { engine, pass, session } = setup();
    await engine.open();
    await engine.seek(session.log.at(-1)!.at - 2 * SECOND);
    await pass(3000);
    expect(engine.getView().playing).toBe(false);
    expect(engine.getView().state.seq).toBe(session.log.length);
    engine.play();
    await Promise.resolve();
    expect(engine.time()).toBe(T0);
  });

  it('passes reactions as the playhead passes them, not the ones a seek skips', async () => {
    const { engine, pass, reactions } = setup();
    await engine.open();
    await pass(100);
    await pass(21_000);
    // Reactions at 10.5 s, 20.5 s from the start (the playhead started at 5 s).
    expect(reactions).toEqual(['👏', '👏']);
    await engine.seek(T0 + 300 * SECOND);
    await pass(100);
    await pass(100);
    expect(reactions).toHaveLength(2);
  });

  it('live: the timeline ends at the server’s now, and reaching it returns to live', async () => {
    let serverNow = T0 + 300 * SECOND;
    const { engine, pass, caughtUp } = setup({ live: { serverNow: () => serverNow } });
    await engine.open();
    expect(engine.end()).toBe(T0 + 300 * SECOND);
    await engine.seek(T0 + 295 * SECOND);
    serverNow += 1000;
    await pass(1000);
    expect(caughtUp()).toBe(0);
    // 2× catches up with a clock that moves at 1×.
    engine.setSpeed(2);
    for (let i = 0; i < 20 && caughtUp() === 0; i++) {
      serverNow += 1000;
      await pass(1000);
    }
    expect(caughtUp()).toBe(1);
    expect(engine.getView().playing).toBe(false);
  });

  it('reports a manifest it cannot read', async () => {
    const fake = fakeReader();
    fake.reader.manifest = async () => {
      throw new Error('Session gone');
    };
    const engine = new ReplayEngine({ reader: fake.reader, schedule: () => () => undefined });
    await engine.open();
    expect(engine.getView()).toMatchObject({ phase: 'error', error: new Error('Session gone') });
  });
});
