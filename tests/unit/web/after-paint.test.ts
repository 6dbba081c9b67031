import { afterEach, describe, expect, it, vi } from 'vitest';
import { afterNextPaint } from '../../../src/lib/after-paint';

/** A browser's frame loop, advanced by hand: `paint()` runs the frame callbacks. */
function frames() {
  const callbacks = new Map<number, FrameRequestCallback>();
  let next = 1;
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => (callbacks.set(next, callback), next++));
  vi.stubGlobal('cancelAnimationFrame', (id: number) => callbacks.delete(id));
  return {
    paint() {
      const due = [...callbacks.values()];
      callbacks.clear();
      for (const callback of due) callback(performance.now());
    },
  };
}

describe('afterNextPaint', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('runs once the next frame is painted, not before', () => {
    vi.useFakeTimers();
    const loop = frames();
    const run = vi.fn();
    afterNextPaint(run);
    vi.advanceTimersByTime(100);
    expect(run).not.toHaveBeenCalled();
    loop.paint();
    expect(run).not.toHaveBeenCalled(); // the frame's own work (the paint) comes first
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('runs anyway in a tab that paints no frames (hidden), after the latest delay', () => {
    vi.useFakeTimers();
    frames();
    const run = vi.fn();
    afterNextPaint(run, 250);
    vi.advanceTimersByTime(249);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('never runs once cancelled', () => {
    vi.useFakeTimers();
    const loop = frames();
    const run = vi.fn();
    const cancel = afterNextPaint(run);
    cancel();
    loop.paint();
    vi.advanceTimersByTime(1000);
    expect(run).not.toHaveBeenCalled();
  });

  it('runs on the next turn where there are no frames at all (Node)', () => {
    vi.useFakeTimers();
    vi.stubGlobal('requestAnimationFrame', undefined);
    const run = vi.fn();
    afterNextPaint(run);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
