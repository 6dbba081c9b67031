import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rateLimits, sessionRateLimits, type Patch } from '../../src/protocol/realtime.js';
import { eventApiBroadcast } from '../../src/realtime/event-api-broadcast.js';
import { RoomConnection } from '../../src/realtime/room-connection.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/** What one viewer can do to a session on the real local stack: flood it, out-chat it, miss a patch. */
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
let env: TestStack;
let host: TestUser;
const clients: RoomClient[] = [];
const rooms: RoomConnection[] = [];

beforeAll(async () => {
  env = await startTestStack();
  host = await env.createUser('abuse-host@example.com');
});
afterAll(async () => {
  rooms.forEach((room) => room.close());
  await Promise.all(clients.map((c) => c.close()));
  await env?.stop();
});

async function join(sessionId: string, token?: string) {
  const client = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, ...(token ? { token } : {}) });
  clients.push(client);
  return client;
}

const bigTile = (i: number): Patch => ({
  type: 'tile.add',
  tileId: `big-${i}`,
  kind: 'code',
  frame: { x: i, y: 0, w: 100, h: 100, z: i },
  state: { source: `${i}`.padEnd(28_000, 'x') },
});

describe('a sync flood from one anonymous viewer', () => {
  it('is rate-limited and cheap, and the host and the other viewers carry on', { timeout: 180_000 }, async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    // A ~340 KB canvas: every answered sync is four 96 KB snapshot parts.
    for (let i = 0; i < 12; i++) await h.request({ v: 1, action: 'publishState', clientSeq: i, patches: [bigTile(i)] }, 'ack', 15_000);
    const viewers = await Promise.all(Array.from({ length: 10 }, () => join(sessionId)));
    const flooder = await join(sessionId);

    const FLOOD = 1000;
    const startedAt = Date.now();
    for (let i = 0; i < FLOOD; i++) flooder.send({ v: 1, action: 'sync' });
    const ack = await h.request({ v: 1, action: 'publishState', clientSeq: 100, patches: [{ type: 'tile.frame', tileId: 'big-0', frame: { x: 500 } }] }, 'ack', 60_000);
    await Promise.all(viewers.map((v) => v.waitFor('patch', (m) => m.seq === ack.seq, 60_000)));
    const pong = await h.request({ v: 1, action: 'ping', clientTime: 1 }, 'pong', 60_000);
    expect(pong.clientTime).toBe(1);

    // Every flooding frame is answered: a whole snapshot, or a refusal saying why.
    const answers = () => flooder.of('error').length + flooder.of('snapshot').filter((m) => (m.part ?? 1) === 1).length;
    await waitUntil(() => answers() >= FLOOD, 120_000);
    const elapsedMs = Date.now() - startedAt;
    const snapshots = flooder.of('snapshot').filter((m) => (m.part ?? 1) === 1).length;
    // The bucket allows `max` at once and refills at max per window: no more reads than that.
    const refill = (elapsedMs / (rateLimits.sync.windowSeconds * 1000)) * rateLimits.sync.max;
    expect(snapshots).toBeGreaterThanOrEqual(1);
    expect(snapshots).toBeLessThanOrEqual(rateLimits.sync.max + Math.ceil(refill));
    const codes = new Set(flooder.of('error').map((m) => m.code));
    expect([...codes].every((code) => code === 'rate_limited' || code === 'busy')).toBe(true);
    expect(flooder.of('error').every((m) => m.action === 'sync')).toBe(true);
  });
});

describe('the session-wide cap on viewer chat', () => {
  it('holds however many sockets one viewer opens', { timeout: 60_000 }, async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const sockets = await Promise.all(Array.from({ length: 10 }, () => join(sessionId)));
    const startedAt = Date.now();
    sockets.forEach((socket, n) => {
      for (let i = 0; i < rateLimits.chat.max; i++) socket.send({ v: 1, action: 'chat', name: 'Spam', text: `${n}-${i}` });
    });
    // Each socket's lines are all answered: broadcast back to it (every line goes to everyone), or refused.
    const own = (n: number) => sockets[n]!.of('chat').filter((m) => m.message.text.startsWith(`${n}-`)).length;
    await waitUntil(() => sockets.every((s, n) => s.of('error').length + own(n) === rateLimits.chat.max), 30_000);
    const elapsedMs = Date.now() - startedAt;
    const accepted = h.of('chat').length;
    const cap = sessionRateLimits.chat;
    const refill = (elapsedMs / (cap.windowSeconds * 1000)) * cap.max;
    // 10 sockets × 5 lines would be 50 with per-connection limits only.
    expect(accepted).toBeGreaterThanOrEqual(cap.max);
    expect(accepted).toBeLessThanOrEqual(cap.max + Math.ceil(refill));
    const refusals = sockets.flatMap((s) => s.of('error'));
    expect(refusals.length).toBe(sockets.length * rateLimits.chat.max - accepted);
    expect(refusals.every((m) => m.code === 'rate_limited' && m.action === 'chat' && m.message.includes('together'))).toBe(true);
    // The host's own chat is not held back by the viewers' cap.
    const since = h.received.length;
    h.send({ v: 1, action: 'chat', name: 'Host', text: 'calm down' });
    await h.waitFor('chat', (m) => m.message.name === 'Host', 10_000, since);
  });
});

describe('a viewer that missed a patch', () => {
  it('notices from the host’s beacon and resyncs, with nothing else published', { timeout: 60_000 }, async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    await h.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [bigTile(1)] }, 'ack');
    // The Event API does not promise delivery: this viewer's subscription loses seq 2.
    const lost: unknown[] = [];
    const delivery = eventApiBroadcast(env.stack.outputs);
    const viewer = new RoomConnection({
      webSocketUrl: env.stack.webSocketUrl,
      sessionId,
      WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
      broadcast: {
        subscribe: (id, handlers) =>
          delivery.subscribe(id, { ...handlers, message: (m) => (isPatch(m, 2) ? lost.push(m) : handlers.message(m)) }),
      },
      random: () => 0.5,
    });
    rooms.push(viewer);
    await waitUntil(() => viewer.status === 'open' && viewer.broadcastLive && viewer.snapshot.seq === 1, 15_000);

    const ack = await h.request({ v: 1, action: 'publishState', clientSeq: 2, patches: [{ type: 'tile.frame', tileId: 'big-1', frame: { x: 700 } }] }, 'ack');
    expect(ack.seq).toBe(2);
    await waitUntil(() => lost.length === 1, 10_000);
    expect(viewer.snapshot.seq).toBe(1);

    // The host publishes nothing more; its pings (once its connection is past the clock-sampling ones) carry the beacon.
    for (let i = 0; i < 60 && viewer.snapshot.seq < 2; i++) {
      h.send({ v: 1, action: 'ping', clientTime: Date.now() });
      await waitUntil(() => viewer.snapshot.seq >= 2, 500).catch(() => undefined);
    }
    expect(viewer.snapshot.seq).toBe(2);
    expect(viewer.snapshot.tiles['big-1']?.frame.x).toBe(700);
  });
});

function isPatch(message: unknown, seq: number): boolean {
  const { type, seq: messageSeq } = message as { type?: string; seq?: number };
  return type === 'patch' && messageSeq === seq;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
