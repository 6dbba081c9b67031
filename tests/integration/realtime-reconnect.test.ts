import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Patch } from '../../src/protocol/realtime.js';
import { RoomConnection, type ConnectionStatus } from '../../src/realtime/room-connection.js';
import { eventApiBroadcast } from '../../src/realtime/event-api-broadcast.js';
import { createSession, startTestStack, type TestStack } from '../support/local-stack.js';

/**
 * The browser client (in Node, over `ws`, with Amplify's events client for the broadcasts, as in
 * the app) rides out a gateway restart: it reconnects, resyncs and loses nothing.
 */
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
let env: TestStack;
const connections: RoomConnection[] = [];

beforeAll(async () => {
  env = await startTestStack();
});
afterAll(async () => {
  connections.forEach((c) => c.close());
  await env?.stop();
});

function connect(sessionId: string, token?: string) {
  const connection = new RoomConnection({
    webSocketUrl: env.stack.webSocketUrl,
    sessionId,
    getToken: async () => token,
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    broadcast: eventApiBroadcast(env.stack.outputs),
    random: () => 0.5,
  });
  connections.push(connection);
  return connection;
}

function until(connection: RoomConnection, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const timer = setTimeout(() => (unsubscribe(), reject(new Error(`timed out; status ${connection.status}`))), timeoutMs);
    const unsubscribe = connection.subscribe(() => {
      if (predicate()) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
}

const move = (x: number): Patch => ({ type: 'tile.frame', tileId: 'clock', frame: { x, y: 10, w: 300, h: 200, z: 1 } });

it('reconnects after a gateway restart, resyncs, and delivers the host’s queued patches', { timeout: 60_000 }, async () => {
  const user = await env.createUser('reconnect-host@example.com');
  const sessionId = await createSession(env.stack, user.accessToken);
  const host = connect(sessionId, user.accessToken);
  const viewers = [connect(sessionId), connect(sessionId), connect(sessionId)];
  await Promise.all([host, ...viewers].map((c) => until(c, () => c.status === 'open')));
  expect(host.role).toBe('host');

  host.publish([{ type: 'tile.add', tileId: 'clock', kind: 'clock', frame: { x: 0, y: 10, w: 300, h: 200, z: 1 }, state: { mode: 'stopwatch' } }]);
  host.publish([move(50)]);
  await Promise.all(viewers.map((v) => until(v, () => v.snapshot.tiles.clock?.frame.x === 50)));

  const statuses: ConnectionStatus[] = [];
  viewers[0]!.subscribe((event) => event.type === 'status' && statuses.push(event.status));

  const restart = env.stack.restartWebSocketGateway(1500);
  await until(host, () => host.status === 'reconnecting');
  // Edits made while offline are shown at once and queued.
  host.publish([move(100)]);
  host.publish([move(150), { type: 'tile.state', tileId: 'clock', set: { running: true } }]);
  expect(host.snapshot.tiles.clock?.frame.x).toBe(150);
  expect(host.unconfirmedCount).toBeGreaterThan(0);
  await restart;

  await Promise.all([host, ...viewers].map((c) => until(c, () => c.status === 'open', 20_000)));
  await until(host, () => host.unconfirmedCount === 0);
  for (const viewer of viewers) {
    await until(viewer, () => viewer.snapshot.tiles.clock?.frame.x === 150 && viewer.snapshot.tiles.clock?.state.running === true);
    expect(viewer.snapshot).toEqual(host.snapshot);
  }
  expect(statuses).toContain('reconnecting');
  expect(statuses.at(-1)).toBe('open');

  // A brand-new viewer sees the same canvas from the stored snapshot.
  const late = connect(sessionId);
  await until(late, () => late.status === 'open');
  expect(late.snapshot.tiles).toEqual(host.snapshot.tiles);
});
