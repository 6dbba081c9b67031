import { createSession, type TestStack } from './local-stack.js';
import { connectRoom, publishSynthetic, subscribeTo, type SfuPeer } from './sfu-client.js';

/**
 * The SFU under load on loopback: one publisher, many subscribers (werift peers through the
 * real room connections), for a bounded time. Samples the process's memory (the stack and the
 * SFU share it with the peers, so growth is an upper bound on the SFU's) and each
 * subscriber's received packets.
 */
export interface LoadSample {
  atSeconds: number;
  heapUsedMB: number;
  rssMB: number;
  /** Subscribers that received packets since the previous sample. */
  receiving: number;
}

export interface LoadResult {
  subscribers: number;
  seconds: number;
  samples: LoadSample[];
  connected: number;
  forwardedPackets: number;
  /** Heap growth from the first sample after warm-up to the last (after a GC where available). */
  heapGrowthMB: number;
}

export async function runSfuLoad(env: TestStack, options: { subscribers: number; seconds: number; sampleEverySeconds?: number; onSample?: (s: LoadSample) => void }): Promise<LoadResult> {
  const host = await env.createUser(`sfu-load-${Date.now()}@example.com`);
  const sessionId = await createSession(env.stack, host.accessToken, 'SFU load');
  const publicationId = `pub-load-${Date.now()}`;
  const peers: SfuPeer[] = [];
  try {
    const publisher = await publishSynthetic(await connectRoom(env.stack.webSocketUrl, sessionId, host.accessToken), 'host-load-peer', publicationId);
    peers.push(publisher);
    // Join in small groups, as an audience does, rather than all in one instant.
    for (let i = 0; i < options.subscribers; i += 5) {
      const group = await Promise.all(
        Array.from({ length: Math.min(5, options.subscribers - i) }, async (_, j) =>
          subscribeTo(await connectRoom(env.stack.webSocketUrl, sessionId), `load-viewer-${i + j}-peer`, publicationId),
        ),
      );
      peers.push(...group);
    }
    const subscribers = peers.slice(1);
    const started = Date.now();
    const samples: LoadSample[] = [];
    let last = subscribers.map((s) => s.packets());
    const every = (options.sampleEverySeconds ?? 5) * 1000;
    while (Date.now() - started < options.seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, every));
      (globalThis as { gc?: () => void }).gc?.();
      const now = subscribers.map((s) => s.packets());
      const memory = process.memoryUsage();
      const sample = {
        atSeconds: Math.round((Date.now() - started) / 1000),
        heapUsedMB: Math.round(memory.heapUsed / 2 ** 20),
        rssMB: Math.round(memory.rss / 2 ** 20),
        receiving: now.filter((count, index) => count > last[index]!).length,
      };
      last = now;
      samples.push(sample);
      options.onSample?.(sample);
    }
    const afterWarmUp = samples[Math.min(1, samples.length - 1)]!;
    return {
      subscribers: subscribers.length,
      seconds: options.seconds,
      samples,
      connected: env.stack.sfuStats().connected,
      forwardedPackets: subscribers.reduce((total, s) => total + s.packets(), 0),
      heapGrowthMB: samples.at(-1)!.heapUsedMB - afterWarmUp.heapUsedMB,
    };
  } finally {
    await Promise.all(peers.map((peer) => peer.close().catch(() => undefined)));
  }
}
