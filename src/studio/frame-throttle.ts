/**
 * Rate-limits what a drag publishes: the first change goes out at once, later ones at most
 * once per interval (the latest wins), and `finish` always sends the exact final value and
 * drops anything still waiting, so viewers end where the host let go.
 */
export interface Throttle<T> {
  push(value: T): void;
  finish(value: T): void;
  /** Drops a waiting value without sending it. */
  cancel(): void;
}

export interface ThrottleClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ThrottleClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** ~12 per second: smooth enough for viewers, light on the socket and the table. */
export const DRAG_PUBLISH_INTERVAL_MS = 80;

export function createThrottle<T>(send: (value: T) => void, intervalMs = DRAG_PUBLISH_INTERVAL_MS, clock: ThrottleClock = realClock): Throttle<T> {
  let lastSentAt = -Infinity;
  let waiting: { value: T } | undefined;
  let timer: unknown;

  const sendWaiting = () => {
    timer = undefined;
    if (!waiting) return;
    const { value } = waiting;
    waiting = undefined;
    lastSentAt = clock.now();
    send(value);
  };

  const clearTimer = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };

  return {
    push(value) {
      waiting = { value };
      const wait = lastSentAt + intervalMs - clock.now();
      if (wait <= 0) {
        clearTimer();
        sendWaiting();
      } else if (timer === undefined) {
        timer = clock.setTimeout(sendWaiting, wait);
      }
    },
    finish(value) {
      clearTimer();
      waiting = undefined;
      lastSentAt = clock.now();
      send(value);
    },
    cancel() {
      clearTimer();
      waiting = undefined;
    },
  };
}
