import { describe, expect, it } from 'vitest';
import { createThrottle, type ThrottleClock } from '../../../src/studio/frame-throttle';

/** A clock the test moves by hand. */
function manualClock() {
  let now = 0;
  let timers: Array<{ at: number; callback: () => void; id: number }> = [];
  let nextId = 1;
  const clock: ThrottleClock = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, callback, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((timer) => timer.id !== id);
    },
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at;
      timers = timers.filter((timer) => timer !== due);
      due.callback();
    }
    now = until;
  };
  return { clock, advance };
}

describe('drag publishing throttle', () => {
  it('sends the first move at once, then at most one per interval, latest wins', () => {
    const { clock, advance } = manualClock();
    const sent: number[] = [];
    const throttle = createThrottle<number>((value) => sent.push(value), 80, clock);

    throttle.push(1);
    expect(sent).toEqual([1]);
    for (let x = 2; x <= 10; x++) {
      advance(10); // a pointermove every 10 ms
      throttle.push(x);
    }
    // 0 → 1 sent; at 80 ms the latest waiting value (8) goes out.
    expect(sent).toEqual([1, 8]);
    advance(100);
    expect(sent).toEqual([1, 8, 10]);
  });

  it('keeps a 60 Hz drag to about 12 publishes a second', () => {
    const { clock, advance } = manualClock();
    const sent: number[] = [];
    const throttle = createThrottle<number>((value) => sent.push(value), 80, clock);
    for (let i = 0; i < 60; i++) {
      throttle.push(i);
      advance(1000 / 60);
    }
    expect(sent.length).toBeGreaterThanOrEqual(11);
    expect(sent.length).toBeLessThanOrEqual(14);
  });

  it('always sends the exact final value on release, and nothing stale after it', () => {
    const { clock, advance } = manualClock();
    const sent: string[] = [];
    const throttle = createThrottle<string>((value) => sent.push(value), 80, clock);
    throttle.push('a');
    advance(20);
    throttle.push('b'); // waiting for its slot
    throttle.finish('final');
    expect(sent).toEqual(['a', 'final']);
    advance(500);
    expect(sent).toEqual(['a', 'final']); // 'b' never overtakes the final frame
  });

  it('sends the final value even when it equals nothing sent before', () => {
    const { clock } = manualClock();
    const sent: number[] = [];
    const throttle = createThrottle<number>((value) => sent.push(value), 80, clock);
    throttle.finish(42);
    expect(sent).toEqual([42]);
  });

  it('drops a waiting value on cancel', () => {
    const { clock, advance } = manualClock();
    const sent: number[] = [];
    const throttle = createThrottle<number>((value) => sent.push(value), 80, clock);
    throttle.push(1);
    throttle.push(2);
    throttle.cancel();
    advance(200);
    expect(sent).toEqual([1]);
  });
});
