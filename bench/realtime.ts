import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createSession, type TestStack } from '../tests/support/local-stack.js';
import { RoomClient } from '../tests/support/room-client.js';
import { percentiles, type Percentiles } from './stats.js';

/**
 * Host publish -> every viewer received, on the local stack, for several audience sizes; the
 * realtime function's CPU time and the DynamoDB requests and bytes each publish costs (none of
 * them may grow with the audience). The floor: a bare `ws` server on loopback relaying the same
 * frames to as many clients of the same kind, in the same run, so the ratio says what the stack adds.
 * The stack must run the realtime function in its own process (`realtimeInOwnProcess`), as Lambda does.
 */
export interface RealtimeBenchResult {
  viewers: number;
  publishes: number;
  latencyMs: Percentiles;
  floorMs: Percentiles;
  /** latencyMs / floorMs, at p50 and p95. */
  ratio: { p50: number; p95: number };
  /** CPU time (user + system) of the realtime function's process per publish. */
  functionCpuMsPerPublish: number;
  /** The same, split: the function's own code (user) and the kernel's work for it (system: its sockets' sends and receives). */
  functionCpuSplitMsPerPublish: { user: number; system: number };
  dynamoRequestsPerPublish: number;
  dynamoRequestsByOperation: Record<string, number>;
  /** Request and response bodies per publish, summed over its DynamoDB requests. */
  dynamoBytesPerPublish: { sent: number; received: number };
}

/** An audience size whose run failed, and why. */
export interface RealtimeBenchFailure {
  viewers: number;
  publishes: number;
  error: string;
}

export const defaultAudiences = [1, 50, 500, 1000, 2000];

/**
 * How the realtime function reaches the audience: `event-api`, one publish per message that the
 * Event API (stand-in) fans out, as deployed; `connections`, one signed PostToConnection per
 * viewer over the keep-alive pool, as without an Event API (the lean poster on its own).
 */
export const transports = ['connections', 'event-api'] as const;
export type Transport = (typeof transports)[number];

export interface RealtimeTransportResult {
  transport: Transport;
  results: Array<RealtimeBenchResult | RealtimeBenchFailure>;
}

export async function benchRealtime(
  env: TestStack,
  audiences = defaultAudiences,
  publishes = 60,
  which: readonly Transport[] = transports,
): Promise<RealtimeTransportResult[]> {
  const all: RealtimeTransportResult[] = [];
  const host = await env.createUser('bench-host@example.com');
  for (const transport of which) {
    await env.stack.restartRealtimeFunction({ eventApi: transport === 'event-api' });
    all.push({ transport, results: await benchTransport(env, host.accessToken, audiences, publishes) });
  }
  return all;
}

async function benchTransport(env: TestStack, hostToken: string, audiences: number[], publishes: number): Promise<Array<RealtimeBenchResult | RealtimeBenchFailure>> {
  const results: Array<RealtimeBenchResult | RealtimeBenchFailure> = [];
  for (const viewers of audiences) {
    try {
      results.push(await benchAudience(env, hostToken, viewers, publishes));
    } catch (error) {
      // One audience failing (a viewer that never got a message) must not lose the others' figures.
      results.push({ viewers, publishes, error: String(error) });
    }
    // Let the $disconnect handlers finish before the next audience.
    await waitUntil(() => env.stack.webSocketConnectionCount() === 0, 60_000);
  }
  return results;
}

async function benchAudience(env: TestStack, hostToken: string, viewers: number, publishes: number): Promise<RealtimeBenchResult> {
  const sessionId = await createSession(env.stack, hostToken, `Bench ${viewers}`);
  const host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: hostToken });
  const audience: RoomClient[] = [];
  try {
    audience.push(...(await connectAudience(viewers, () => RoomClient.connect(env.stack.webSocketUrl, { sessionId }))));
    await host.request(
      { v: 1, action: 'publishState', clientSeq: 0, patches: [{ type: 'tile.add', tileId: 'b', kind: 'clock', frame: { x: 0, y: 0, w: 10, h: 10, z: 1 }, state: { n: 0 } }] },
      'ack',
      30_000,
    );
    await everyViewerGets(audience, 1);

    const countsBefore = env.stack.dynamoRequestCounts();
    const bytesBefore = env.stack.dynamoRequestBytes();
    const cpuBefore = await functionCpuMicros(env);
    const samples = await publishAndWait(host, audience, publishes, 1);
    const cpuAfter = await functionCpuMicros(env);
    const countsAfter = env.stack.dynamoRequestCounts();
    const bytesAfter = env.stack.dynamoRequestBytes();

    const byOperation = Object.fromEntries(
      Object.entries(countsAfter)
        .map(([op, n]) => [op, round((n - (countsBefore[op] ?? 0)) / publishes)] as const)
        .filter(([, n]) => n > 0),
    );
    const bytes = (side: 'sent' | 'received') =>
      round(Object.entries(bytesAfter).reduce((total, [op, b]) => total + b[side] - (bytesBefore[op]?.[side] ?? 0), 0) / publishes);
    const latencyMs = percentiles(samples);
    const floorMs = percentiles(await bareWebSocketFloor(viewers, publishes));
    return {
      viewers,
      publishes,
      latencyMs,
      floorMs,
      ratio: { p50: round(latencyMs.p50 / floorMs.p50), p95: round(latencyMs.p95 / floorMs.p95) },
      functionCpuMsPerPublish: round((cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / 1000 / publishes),
      functionCpuSplitMsPerPublish: {
        user: round((cpuAfter.user - cpuBefore.user) / 1000 / publishes),
        system: round((cpuAfter.system - cpuBefore.system) / 1000 / publishes),
      },
      dynamoRequestsPerPublish: round(Object.values(byOperation).reduce((a, b) => a + b, 0)),
      dynamoRequestsByOperation: byOperation,
      dynamoBytesPerPublish: { sent: bytes('sent'), received: bytes('received') },
    };
  } finally {
    await Promise.all([host, ...audience].map((c) => c.close()));
  }
}

/** Resolves once every viewer has the patch with this seq; otherwise says how many never got it. */
async function everyViewerGets(audience: RoomClient[], seq: number): Promise<number[]> {
  const outcomes = await Promise.allSettled(audience.map((v) => v.waitFor('patch', (m) => m.seq === seq, 60_000).then(() => performance.now())));
  const missed = outcomes.filter((o) => o.status === 'rejected').length;
  if (missed > 0) throw new Error(`${missed} of ${audience.length} viewers never got the patch with seq ${seq} (the raw bench clients do not resync).`);
  return outcomes.map((o) => (o as PromiseFulfilledResult<number>).value);
}

async function functionCpuMicros(env: TestStack): Promise<{ user: number; system: number }> {
  const micros = await env.stack.realtimeCpuMicros();
  if (micros === undefined) throw new Error('The realtime bench needs the stack started with realtimeInOwnProcess: true.');
  return micros;
}

async function connectAudience(viewers: number, connect: () => Promise<RoomClient>): Promise<RoomClient[]> {
  const audience: RoomClient[] = [];
  while (audience.length < viewers) {
    const batch = Math.min(50, viewers - audience.length);
    audience.push(...(await Promise.all(Array.from({ length: batch }, connect))));
  }
  return audience;
}

/** The host publishes one patch at a time; each sample is send -> the last viewer has it. */
async function publishAndWait(host: RoomClient, audience: RoomClient[], publishes: number, firstSeq: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 1; i <= publishes; i++) {
    const seq = firstSeq + i;
    const started = performance.now();
    const received = everyViewerGets(audience, seq);
    host.send({ v: 1, action: 'publishState', clientSeq: i, patches: [{ type: 'tile.state', tileId: 'b', set: { n: i } }] });
    const times = await received;
    samples.push(Math.max(...times) - started);
    await host.waitFor('ack', (m) => m.clientSeq === i, 60_000);
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
  const audience = await connectAudience(viewers, () => RoomClient.connect(url, {}));
  try {
    return await publishAndWait(host, audience, publishes, 1);
  } finally {
    await Promise.all([host, ...audience].map((c) => c.close()));
    await new Promise((resolve) => server.close(resolve));
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
