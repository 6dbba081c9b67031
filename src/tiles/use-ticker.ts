import { useEffect, useLayoutEffect, useReducer, useRef } from 'react';

/**
 * Computes a value at render, and again on every animation frame, re-rendering only when
 * its key changes. Time-based tiles derive what they show from server time on each frame,
 * instead of relying on intervals that drift or on messages from the host.
 */
export function useTicker<T>(compute: () => T, keyOf: (value: T) => string): T {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const value = compute();
  const key = keyOf(value);
  const shownKey = useRef(key);
  const latest = useRef({ compute, keyOf });

  useLayoutEffect(() => {
    shownKey.current = key;
    latest.current = { compute, keyOf };
  });

  useEffect(() => {
    let frame = 0;
    const tick = () => {
      const { compute: next, keyOf: keyFor } = latest.current;
      if (keyFor(next()) !== shownKey.current) rerender();
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, []);

  return value;
}
