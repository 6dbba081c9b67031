import { describe, expect, it } from 'vitest';
import { ClockOffset } from '../../../src/realtime/clock-offset';

describe('ClockOffset', () => {
  it('is zero without samples', () => {
    const clock = new ClockOffset();
    expect(clock.offsetMs).toBe(0);
    expect(clock.serverNow(1000)).toBe(1000);
  });

  it('assumes the server answered half-way through the round trip', () => {
    const clock = new ClockOffset();
    // Sent at 1000, received at 1100: the server's 5050 corresponds to client 1050.
    clock.addSample(1000, 5050, 1100);
    expect(clock.offsetMs).toBe(4000);
    expect(clock.serverNow(2000)).toBe(6000);
  });

  it('handles a server clock behind the client', () => {
    const clock = new ClockOffset();
    clock.addSample(10_000, 7_010, 10_020);
    expect(clock.offsetMs).toBe(-3000);
  });

  it('keeps the sample with the shortest round trip', () => {
    const clock = new ClockOffset();
    clock.addSample(0, 1_000 + 150, 300); // rtt 300 → offset 1000
    clock.addSample(1000, 2_000 + 1010, 1020); // rtt 20 → offset 2000
    clock.addSample(2000, 3_000 + 2250, 2500); // rtt 500 → offset 3000
    expect(clock.offsetMs).toBe(2000);
  });

  it('keeps the earliest of equally short round trips', () => {
    const clock = new ClockOffset();
    clock.addSample(0, 110, 20); // offset 100
    clock.addSample(100, 310, 120); // offset 200, same rtt
    expect(clock.offsetMs).toBe(100);
  });

  it('clamps a negative round trip (clock stepped back) to zero', () => {
    const clock = new ClockOffset();
    clock.addSample(1000, 5000, 900);
    expect(clock.offsetMs).toBe(4000);
  });

  it('only remembers the last 8 samples', () => {
    const clock = new ClockOffset();
    clock.addSample(0, 1_000 + 1, 2); // rtt 2 → offset 1000: the best, but oldest
    for (let i = 1; i <= 7; i++) clock.addSample(i * 100, i * 100 + 50 + 5_000, i * 100 + 100); // rtt 100 → offset 5000
    expect(clock.offsetMs).toBe(1000);
    clock.addSample(900, 900 + 50 + 6_000, 1000); // the 9th sample pushes out the best one
    expect(clock.offsetMs).toBe(5000);
  });

  it('follows a changed offset once the window has moved on', () => {
    const clock = new ClockOffset();
    for (let i = 0; i < 8; i++) clock.addSample(i, i + 10 + 100, i + 20);
    expect(clock.offsetMs).toBe(100);
    for (let i = 0; i < 8; i++) clock.addSample(i, i + 10 + 700, i + 20);
    expect(clock.offsetMs).toBe(700);
  });
});
