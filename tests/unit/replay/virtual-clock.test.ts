import { describe, expect, it } from 'vitest';
import { PLAYBACK_SPEEDS, VirtualClock, stepSpeed } from '../../../src/replay/virtual-clock';

const T0 = 1_750_000_000_000;

function clockAt(start = T0) {
  let real = 5_000;
  const clock = new VirtualClock(start, () => real);
  return { clock, pass: (ms: number) => (real += ms) };
}

describe('the virtual clock', () => {
  it.each(PLAYBACK_SPEEDS)('advances %s× as fast as real time while playing', (speed) => {
    const { clock, pass } = clockAt();
    clock.setSpeed(speed);
    clock.play();
    pass(1000);
    expect(clock.now()).toBe(T0 + 1000 * speed);
    pass(3000);
    expect(clock.now()).toBe(T0 + 4000 * speed);
  });

  it('stands still while paused and resumes where it stopped', () => {
    const { clock, pass } = clockAt();
    pass(1000);
    expect(clock.now()).toBe(T0);
    clock.play();
    pass(500);
    clock.pause();
    pass(10_000);
    expect(clock.now()).toBe(T0 + 500);
    expect(clock.playing).toBe(false);
    clock.play();
    pass(100);
    expect(clock.now()).toBe(T0 + 600);
  });

  it('never jumps when the speed changes mid-play', () => {
    const { clock, pass } = clockAt();
    clock.play();
    pass(1000);
    clock.setSpeed(2);
    expect(clock.now()).toBe(T0 + 1000);
    pass(1000);
    expect(clock.now()).toBe(T0 + 3000);
    clock.setSpeed(0.5);
    pass(1000);
    expect(clock.now()).toBe(T0 + 3500);
    expect(clock.speed).toBe(0.5);
  });

  it('seeks anywhere, playing on from there', () => {
    const { clock, pass } = clockAt();
    clock.play();
    pass(1000);
    clock.seek(T0 + 60_000);
    expect(clock.now()).toBe(T0 + 60_000);
    pass(250);
    expect(clock.now()).toBe(T0 + 60_250);
    clock.pause();
    clock.seek(T0);
    pass(1000);
    expect(clock.now()).toBe(T0);
  });

  it('refuses speeds that are not positive numbers', () => {
    const { clock } = clockAt();
    for (const speed of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => clock.setSpeed(speed)).toThrow(RangeError);
  });

  it('steps through the speeds, stopping at either end', () => {
    expect(stepSpeed(1, 1)).toBe(1.25);
    expect(stepSpeed(1, -1)).toBe(0.75);
    expect(stepSpeed(2, 1)).toBe(2);
    expect(stepSpeed(0.5, -1)).toBe(0.5);
    expect(stepSpeed(1.1, 1)).toBe(1.25);
    expect(stepSpeed(1.1, -1)).toBe(1);
  });
});
