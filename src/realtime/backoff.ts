/** Exponential backoff with "equal jitter": spreads reconnecting clients after an outage. */
export function nextBackoffMs(attempt: number, random: () => number, baseMs = 500, maxMs = 15_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
