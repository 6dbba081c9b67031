/**
 * How often the host's client sends a batch, by audience size. Every batch becomes one message
 * delivered to every viewer, and deliveries are what the Event API bills, so a large audience
 * gets fewer, fuller batches: the queue in between folds them, last writer wins per tile field
 * and state key (coalesce-patches.ts), and the final position of a drag is always sent.
 * docs/scale.md explains the tiers: what each costs per hour of dragging, and why the eye accepts it.
 */
export const publishRateTiers = [
  // Up to 50 viewers: no extra wait; one batch in flight at a time already paces it to the round trip.
  { upToViewers: 50, batchesPerSecond: Infinity },
  // The studio's own drag throttle (80 ms): smooth motion.
  { upToViewers: 500, batchesPerSecond: 12 },
  { upToViewers: 2000, batchesPerSecond: 6 },
  { upToViewers: Infinity, batchesPerSecond: 4 },
] as const;

/** The fewest milliseconds between two batches from the host for this many viewers. */
export function minBatchIntervalMs(viewers: number): number {
  const tier = publishRateTiers.find((t) => viewers <= t.upToViewers)!;
  return tier.batchesPerSecond === Infinity ? 0 : Math.ceil(1000 / tier.batchesPerSecond);
}
