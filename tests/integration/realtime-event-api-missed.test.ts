import { events } from 'aws-amplify/data';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AmplifyOutputsJson } from '../../src/config';
import type { Patch } from '../../src/protocol/realtime.js';
import type { BroadcastSource } from '../../src/realtime/broadcast-source.js';
import { eventApiBroadcast } from '../../src/realtime/event-api-broadcast.js';
import { RoomConnection } from '../../src/realtime/room-connection.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/**
 * A viewer as the browser runs it (RoomConnection, subscribed with the app's own Amplify
 * `events` source) that misses a message the Event API delivered to everyone else: AppSync
 * Events promises no delivery to a subscriber whose socket hiccups. The viewer notices by seq,
 * from the next message or from the beacon a quiet host's ping makes the server publish, and
 * resyncs over its WebSocket API socket. Node 20 has no global WebSocket; `ws` provides it.
 */
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

let env: TestStack;
let host: TestUser;
const rooms: RoomConnection[] = [];
const clients: RoomClient[] = [];

beforeAll(async () => {
  env = await startTestStack();
  host = await env.createUser('missed-broadcast-host@example.com');
});
afterAll(async () => {
  rooms.forEach((room) => room.close());
  await Promise.all(clients.map((c) => c.close()));
  await events.closeAll();
  await env?.stop();
});

/** The app's broadcast source, losing the broadcasts whose seq is in `lost` on the way to this viewer only. */
function losing(source: BroadcastSource, lost: Set<number>): BroadcastSource {
  return {
    subscribe: (sessionId, handlers) =>
      source.subscribe(sessionId, {
        ...handlers,
        message: (message) => {
          const seq = (message as { seq?: number }).seq;
          if (seq !== undefined && lost.delete(seq)) return;
          handlers.message(message);
        },
      }),
  };
}

it('a viewer that misses a broadcast resyncs: from the host’s beacon when nothing follows, from the gap when something does', { timeout: 90_000 }, async () => {
  const sessionId = await createSession(env.stack, host.accessToken);
  const h = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: host.accessToken });
  clients.push(h);
  const addTile: Patch = { type: 'tile.add', tileId: 't', kind: 'clock', frame: { x: 0, y: 0, w: 10, h: 10, z: 1 }, state: { n: 0 } };
  await h.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [addTile] }, 'ack');

  const lost = new Set([2, 4]);
  const viewer = new RoomConnection({
    webSocketUrl: env.stack.webSocketUrl,
    sessionId,
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    broadcast: losing(eventApiBroadcast(env.stack.outputs as unknown as AmplifyOutputsJson), lost),
    gapTimeoutMs: 300,
    random: () => 0.5,
  });
  rooms.push(viewer);
  // Another viewer, subscribed normally, gets every broadcast: only ours misses them.
  const other = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  clients.push(other);
  // The first snapshot comes at once; the subscription follows, then the snapshot asked for once it is live.
  await waitUntil(() => viewer.status === 'open' && viewer.broadcastLive && viewer.snapshot.seq === 1, 20_000);

  // Seq 2 is lost on its way to the viewer, and the host then stays quiet.
  await h.request({ v: 1, action: 'publishState', clientSeq: 2, patches: [{ type: 'tile.frame', tileId: 't', frame: { x: 700 } }] }, 'ack');
  await other.waitFor('patch', (m) => m.seq === 2);
  expect(lost.has(2)).toBe(false);
  expect(viewer.snapshot.seq).toBe(1);
  for (let i = 0; i < 60 && viewer.snapshot.seq < 2; i++) {
    h.send({ v: 1, action: 'ping', clientTime: Date.now() });
    await waitUntil(() => viewer.snapshot.seq >= 2, 500).catch(() => undefined);
  }
  expect(viewer.snapshot.seq).toBe(2);
  expect(viewer.snapshot.tiles.t?.frame.x).toBe(700);

  // Seq 4 is lost, seq 5 arrives: the gap stays open, so the viewer resyncs.
  await h.request({ v: 1, action: 'publishState', clientSeq: 3, patches: [{ type: 'tile.state', tileId: 't', set: { n: 3 } }] }, 'ack');
  await h.request({ v: 1, action: 'publishState', clientSeq: 4, patches: [{ type: 'tile.frame', tileId: 't', frame: { y: 400 } }] }, 'ack');
  await h.request({ v: 1, action: 'publishState', clientSeq: 5, patches: [{ type: 'tile.state', tileId: 't', set: { n: 5 } }] }, 'ack');
  await other.waitFor('patch', (m) => m.seq === 5);
  await waitUntil(() => viewer.snapshot.seq === 5, 30_000);
  expect(lost.size).toBe(0);
  expect(viewer.snapshot.tiles.t?.frame).toMatchObject({ x: 700, y: 400 });
  expect(viewer.snapshot.tiles.t?.state).toEqual({ n: 5 });
  expect(other.of('patch').map((m) => m.seq)).toEqual([2, 3, 4, 5]); // it joined after seq 1
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
