import type { Subscription, SubscriptionState, SubscriptionStats } from './types';

/** Anything with WebRTC stats: a receiver, a peer connection, or an IVS stage stream. */
export interface StatsSource {
  getStats(): Promise<RTCStatsReport>;
}

/**
 * The state a provider keeps for one subscription, and what callers see of it. Providers
 * move it between states; callers read it and listen for changes.
 */
export class ProviderSubscription implements Subscription {
  state: SubscriptionState = 'connecting';
  track: MediaStreamTrack | undefined;
  error: string | undefined;
  /** When subscribe() was called, for join-to-first-frame. */
  readonly startedAt: number;
  private firstFrameAt: number | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly publicationId: string,
    private readonly hooks: { onClose: (subscription: ProviderSubscription) => void; receiver?: () => StatsSource | undefined },
    now: () => number,
  ) {
    this.startedAt = now();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(change: { state?: SubscriptionState; track?: MediaStreamTrack | undefined; error?: string | undefined }): void {
    if (this.state === 'closed') return;
    const next = { state: this.state, track: this.track, error: this.error, ...change };
    if (next.state === this.state && next.track === this.track && next.error === this.error) return;
    Object.assign(this, next);
    for (const listener of [...this.listeners]) listener();
  }

  noteFirstFrame(at: number): void {
    this.firstFrameAt ??= at;
  }

  async stats(): Promise<SubscriptionStats | undefined> {
    const receiver = this.hooks.receiver?.();
    if (!receiver || !this.track) return undefined;
    const stats = await receiverStats(receiver, this.track.kind as 'audio' | 'video');
    return this.firstFrameAt === undefined ? stats : { ...stats, joinToFirstFrameMs: Math.round(this.firstFrameAt - this.startedAt) };
  }

  close(): void {
    if (this.state === 'closed') return;
    this.set({ state: 'closed', track: undefined });
    this.listeners.clear();
    this.hooks.onClose(this);
  }
}

const previous = new WeakMap<StatsSource, { bytes: number; at: number }>();

/** Resolution, frame rate and bitrate of one receiver, from getStats (bitrate since the last call). */
export async function receiverStats(receiver: StatsSource, kind: 'audio' | 'video'): Promise<SubscriptionStats> {
  const report = await receiver.getStats();
  let inbound: Record<string, number | undefined> | undefined;
  report.forEach((entry: Record<string, unknown>) => {
    if (entry.type === 'inbound-rtp') inbound = entry as Record<string, number | undefined>;
  });
  const bytes = inbound?.bytesReceived ?? 0;
  const at = inbound?.timestamp ?? performance.now();
  const last = previous.get(receiver);
  previous.set(receiver, { bytes, at });
  const kbps = last && at > last.at ? ((bytes - last.bytes) * 8) / (at - last.at) : 0;
  return {
    kind,
    kbps: Math.round(kbps),
    ...(inbound?.frameWidth ? { width: inbound.frameWidth, height: inbound.frameHeight } : {}),
    ...(inbound?.framesPerSecond !== undefined ? { framesPerSecond: inbound.framesPerSecond } : {}),
    ...(inbound?.framesDecoded !== undefined ? { framesDecoded: inbound.framesDecoded } : {}),
  };
}

/** Sums what every sender of these connections sent since the last call, in kbit/s. */
export async function uploadKbps(connections: readonly StatsSource[], memo: WeakMap<StatsSource, { bytes: number; at: number }>): Promise<number> {
  let total = 0;
  for (const pc of connections) {
    let bytes = 0;
    let at = 0;
    const report = await pc.getStats();
    report.forEach((entry: Record<string, unknown>) => {
      if (entry.type === 'outbound-rtp') {
        bytes += Number(entry.bytesSent ?? 0);
        at = Math.max(at, Number(entry.timestamp ?? 0));
      }
    });
    const last = memo.get(pc);
    memo.set(pc, { bytes, at });
    if (last && at > last.at) total += ((bytes - last.bytes) * 8) / (at - last.at);
  }
  return Math.round(total);
}
