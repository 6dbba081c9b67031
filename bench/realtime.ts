import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createSession, type TestStack } from '../tests/support/local-stack.js';
import { RoomClient } from '../tests/support/room-client.js';
import { percentiles, type Percentiles } from './stats.js';

/**
 * Host publish -> every viewer received, on the local stack, for several audience sizes;
 * and the DynamoDB requests each publish costs (it must not grow with the audience).
 * The floor: a bare `ws` server on loopback relaying the same frames to as many clients of
 * the same kind, in the same run, so the ratio says what the stack adds.
 */
export interface RealtimeBenchResult {
  viewers: number;
  publishes: number;
  latencyMs: Percentiles;
  floorMs: Percentiles;
  /** latencyMs / floorMs, at p50 and p95. */
  ratio: { p50: number; p95: number };
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
    const samples = await publishAndWait(host, audience, publishes, 1);
    const after = env.stack.dynamoRequestCounts();
    const byOperation = Object.fromEntries(
      Object.entries(after).map(([op, n]) => [op, round((n - (byOperationBefore[op] ?? 0)) / publishes)]).filter(([, n]) => Number(n) > 0),
    );
    await Promise.all([host, ...audience].map((c) => c.close()));
    const latencyMs = percentiles(samples);
    const floorMs = percentiles(await bareWebSocketFloor(viewers, publishes));
    results.push({
      viewers,
      publishes,
      latencyMs,
      floorMs,
      ratio: { p50: round(latencyMs.p50 / floorMs.p50), p95: round(latencyMs.p95 / floorMs.p95) },
      dynamoRequestsPerPublish: round((sum(after) - before) / publishes),
      dynamoRequestsByOperation: byOperation,
    });
    // Let the $disconnect handlers finish before the next audience.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return results;
}

/** The host publishes one patch at a time; each sample is send -> the last viewer has it. */
async function publishAndWait(host: RoomClient, audience: RoomClient[], publishes: number, firstSeq: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 1; i <= publishes; i++) {
    const seq = firstSeq + i;
    const started = performance.now();
    const received = audience.map((v) => v.waitFor('patch', (m) => m.seq === seq, 30_000).then(() => performance.now()));
    host.send({ v: 1, action: 'publishState', clientSeq: i, patches: [{ type: 'tile.state', tileId: 'b', set: { n: i } }] });
    const times = await Promise.all(received);
    samples.push(Math.max(...times) - started);
    await host.waitFor('ack', (m) => m.clientSeq === i, 30_000);
  }
  return samples;
}

/**
 * The same publishes through a bare `ws` server on loopback that relays each one as a `patch`
 * to every other socket and then acks: the transport alone, without Lambda, DynamoDB or the
 * management API.
 */
async function bareWebSocketFloor(viewers: number, publishes: number): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  let seq = 1;
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { clientSeq: number; patches: unknown[] };
      const patch = JSON.stringify({ type: 'patch', v: 1, seq: ++seq, patches: message.patches, at: Date.now() });
      for (const client of server.clients) if (client !== socket) client.send(patch);
      socket.send(JSON.stringify({ type: 'ack', v: 1, clientSeq: message.clientSeq, seq }));
    });
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
  const host = await RoomClient.connect(url, {});
  const audience: RoomClient[] = [];
  while (audience.length < viewers) {
    const batch = Math.min(50, viewers - audience.length);
    audience.push(...(await Promise.all(Array.from({ length: batch }, () => RoomClient.connect(url, {})))));
  }
  try {
    return await publishAndWait(host, audience, publishes, 1);
  } finally {
    await Promise.all([host, ...audience].map((c) => c.close()));
    await new Promise((resolve) => server.close(resolve));
  }
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
