import { describe, expect, it } from 'vitest';
import { nextBackoffMs } from '../../../src/realtime/backoff';

const fixed = (value: number) => () => value;

describe('nextBackoffMs', () => {
  it.each([
    [1, 250, 500],
    [2, 500, 1000],
    [3, 1000, 2000],
    [4, 2000, 4000],
    [5, 4000, 8000],
    [6, 7500, 15_000],
    [20, 7500, 15_000],
  ])('attempt %i lies between %i and %i ms', (attempt, low, high) => {
    expect(nextBackoffMs(attempt, fixed(0))).toBe(low);
    expect(nextBackoffMs(attempt, fixed(0.999999))).toBe(high);
    expect(nextBackoffMs(attempt, fixed(0.5))).toBe(Math.round((low + high) / 2));
  });

  it('treats attempt 0 and negative attempts like the first', () => {
    expect(nextBackoffMs(0, fixed(0))).toBe(250);
    expect(nextBackoffMs(-3, fixed(1))).toBe(500);
  });

  it('doubles the ceiling each attempt until the cap', () => {
    const ceilings = Array.from({ length: 8 }, (_, i) => nextBackoffMs(i + 1, fixed(1)));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });

  it('never exceeds the cap, even for huge attempts', () => {
    expect(nextBackoffMs(1_000, fixed(1))).toBe(15_000);
    expect(nextBackoffMs(Number.MAX_SAFE_INTEGER, fixed(1))).toBe(15_000);
  });

  it('honours custom base and cap', () => {
    expect(nextBackoffMs(1, fixed(1), 100, 1000)).toBe(100);
    expect(nextBackoffMs(4, fixed(1), 100, 1000)).toBe(800);
    expect(nextBackoffMs(5, fixed(0), 100, 1000)).toBe(500);
  });

  it('spreads clients over the upper half of the window (equal jitter)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const delays = Array.from({ length: 2000 }, () => nextBackoffMs(4, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
    // Roughly uniform: each quarter of [2000, 4000] gets a fair share.
    for (let q = 0; q < 4; q++) {
      const share = delays.filter((d) => d >= 2000 + q * 500 && d < 2500 + q * 500).length / delays.length;
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(0.3);
    }
    expect(new Set(delays).size).toBeGreaterThan(500);
  });

  it('returns whole milliseconds', () => {
    expect(Number.isInteger(nextBackoffMs(3, fixed(0.123456)))).toBe(true);
  });
});
