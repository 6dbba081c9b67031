/**
 * A client-side sliding-window limit that mirrors a server limit: staying under it locally
 * means the server (which counts fixed windows) never has to refuse.
 */
export interface RateGuard {
  /** Records an action and returns true, or returns false when it would exceed the limit. */
  tryTake(now?: number): boolean;
  /** Milliseconds until the next action is allowed (0 when it is). */
  waitMs(now?: number): number;
}

export function createRateGuard(max: number, windowMs: number): RateGuard {
  const taken: number[] = [];
  const prune = (now: number) => {
    while (taken.length && taken[0]! <= now - windowMs) taken.shift();
  };
  return {
    tryTake(now = Date.now()) {
      prune(now);
      if (taken.length >= max) return false;
      taken.push(now);
      return true;
    },
    waitMs(now = Date.now()) {
      prune(now);
      return taken.length < max ? 0 : taken[0]! + windowMs - now;
    },
  };
}
