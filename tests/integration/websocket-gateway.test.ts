import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebSocketEvent } from '../../amplify/functions/realtime/websocket-event.js';
import { MAX_INVOCATIONS_PER_CONNECTION, frameSizeWatcher, startWebSocketGateway } from '../../local/websocket-gateway.js';

/** The local API Gateway stand-in itself, with a handler that records what it is given. */
const started: Array<{ connectionId: string; body: string }> = [];
const running = new Map<string, number>();
const maxRunning = new Map<string, number>();
let gate: { promise: Promise<void>; open: () => void };
let gateway: Awaited<ReturnType<typeof startWebSocketGateway>>;

function newGate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

beforeAll(async () => {
  gate = newGate();
  gateway = await startWebSocketGateway({
    host: '127.0.0.1',
    port: 0,
    stage: 'prod',
    routeKeys: ['work'],
    log: () => undefined,
    authorizer: async () =>
      ({ principalId: 'p', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] } }) as APIGatewayAuthorizerResult,
    handler: async (event: WebSocketEvent) => {
      const { connectionId, eventType } = event.requestContext;
      if (eventType !== 'MESSAGE') return { statusCode: 200 };
      started.push({ connectionId, body: event.body ?? '' });
      running.set(connectionId, (running.get(connectionId) ?? 0) + 1);
      maxRunning.set(connectionId, Math.max(maxRunning.get(connectionId) ?? 0, running.get(connectionId)!));
      if ((event.body ?? '').startsWith('{"action":"work","slow"')) await gate.promise;
      running.set(connectionId, running.get(connectionId)! - 1);
      return { statusCode: 200 };
    },
  });
});
afterAll(async () => {
  gate.open();
  await gateway?.close();
});

function connect(): Promise<WebSocket> {
  const socket = new WebSocket(gateway.url);
  return new Promise((resolve, reject) => (socket.once('open', () => resolve(socket)), socket.once('error', reject)));
}

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('per-connection invocation queue', () => {
  it('runs at most a few invocations per connection, in order, and never makes other connections wait for them', async () => {
    const [flooder, other] = await Promise.all([connect(), connect()]);
    for (let i = 0; i < 40; i++) flooder.send(JSON.stringify({ action: 'work', slow: true, i }));
    await until(() => started.length >= MAX_INVOCATIONS_PER_CONNECTION);
    const flooderId = started[0]!.connectionId;
    other.send(JSON.stringify({ action: 'work', i: 'other' }));
    // The other socket's message is handled while the flooder's are still held up.
    await until(() => started.some((s) => s.body.includes('"other"')));
    expect(started.filter((s) => s.connectionId === flooderId)).toHaveLength(MAX_INVOCATIONS_PER_CONNECTION);
    gate.open();
    await until(() => started.filter((s) => s.connectionId === flooderId).length === 40);
    expect(maxRunning.get(flooderId)).toBe(MAX_INVOCATIONS_PER_CONNECTION);
    const order = started.filter((s) => s.connectionId === flooderId).map((s) => (JSON.parse(s.body) as { i: number }).i);
    expect(order).toEqual(Array.from({ length: 40 }, (_, i) => i));
    flooder.close();
    other.close();
  });
});

describe('frameSizeWatcher', () => {
  /** A masked client frame header for a payload of `length` bytes. */
  function header(length: number): Buffer {
    const mask = [1, 2, 3, 4];
    if (length < 126) return Buffer.from([0x81, 0x80 | length, ...mask]);
    if (length < 65536) return Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff, ...mask]);
    const eight = Buffer.alloc(8);
    eight.writeBigUInt64BE(BigInt(length));
    return Buffer.concat([Buffer.from([0x81, 0x80 | 127]), eight, Buffer.from(mask)]);
  }
  const frame = (length: number) => Buffer.concat([header(length), Buffer.alloc(length, 0x61)]);

  it('follows frames of every length encoding, split anywhere, and reports the first too large', () => {
    const stream = Buffer.concat([frame(5), frame(200), frame(32 * 1024), frame(70_000), frame(3)]);
    for (const step of [1, 3, 7, 1000, stream.length]) {
      const watch = frameSizeWatcher(32 * 1024);
      let found: number | undefined;
      for (let offset = 0; offset < stream.length && found === undefined; offset += step) found = watch(stream.subarray(offset, offset + step));
      expect(found, `chunks of ${step}`).toBe(70_000);
    }
  });

  it('passes a stream of frames within the limit', () => {
    const watch = frameSizeWatcher(32 * 1024);
    expect(watch(Buffer.concat([frame(32 * 1024), frame(0), frame(125), frame(126), frame(65_535 - 40_000)]))).toBeUndefined();
  });
});
