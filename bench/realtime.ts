import { createSession, type TestStack } from '../tests/support/local-stack.js';
import { RoomClient } from '../tests/support/room-client.js';
import { percentiles, type Percentiles } from './stats.js';

/**
 * Host publish -> every viewer received, on the local stack, for several audience sizes;
 * and the DynamoDB requests each publish costs (it must not grow with the audience).
 */
export interface RealtimeBenchResult {
  viewers: number;
  publishes: number;
  latencyMs: Percentiles;
  dynamoRequestsPerPublish: number;
  dynamoRequestsByOperation: Record<string, number>;
}

export async function benchRealtime(env: TestStack, audiences = [1, 50, 500], publishes = 60): Promise<RealtimeBenchResult[]> {
  const results: RealtimeBenchResult[] = [];
  const user = await env.createUser('bench-host@example.com');
  for (const viewers of audiences) {
    const sessionId = await createSession(env.stack, user.accessToken, `Bench ${viewers}`);
    const host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
    const audience: RoomClient[] = [];
    while (audience.length < viewers) {
      const batch = Math.min(50, viewers - audience.length);
      audience.push(...(await Promise.all(Array.from({ length: batch }, () => RoomClient.connect(env.stack.webSocketUrl, { sessionId })))));
    }
    await host.request(
      { v: 1, action: 'publishState', clientSeq: 0, patches: [{ type: 'tile.add', tileId: 'b', kind: 'clock', frame: { x: 0, y: 0, w: 10, h: 10, z: 1 }, state: { n: 0 } }] },
      'ack',
    );
    await Promise.all(audience.map((v) => v.waitFor('patch', (m) => m.seq === 1, 30_000)));

    const before = sum(env.stack.dynamoRequestCounts());
    const byOperationBefore = env.stack.dynamoRequestCounts();
    const samples: number[] = [];
    for (let i = 1; i <= publishes; i++) {
      const seq = i + 1;
      const started = performance.now();
      const received = audience.map((v) => v.waitFor('patch', (m) => m.seq === seq, 30_000).then(() => performance.now()));
      host.send({ v: 1, action: 'publishState', clientSeq: i, patches: [{ type: 'tile.state', tileId: 'b', set: { n: i } }] });
      const times = await Promise.all(received);
      samples.push(Math.max(...times) - started);
      await host.waitFor('ack', (m) => m.clientSeq === i, 30_000);
    }
    const after = env.stack.dynamoRequestCounts();
    const byOperation = Object.fromEntries(
      Object.entries(after).map(([op, n]) => [op, round((n - (byOperationBefore[op] ?? 0)) / publishes)]).filter(([, n]) => Number(n) > 0),
    );
    results.push({
      viewers,
      publishes,
      latencyMs: percentiles(samples),
      dynamoRequestsPerPublish: round((sum(after) - before) / publishes),
      dynamoRequestsByOperation: byOperation,
    });
    await Promise.all([host, ...audience].map((c) => c.close()));
    // Let the $disconnect handlers finish before the next audience.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return results;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
