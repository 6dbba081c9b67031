import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Patch } from '../../src/protocol/realtime.js';
import { createSession, startTestStack, type TestStack } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/** 200 viewers, the host publishing 10 patches a second for 10 seconds: nothing lost, nothing out of order. */
const VIEWERS = 200;
const PUBLISHES = 100;
let env: TestStack;
const clients: RoomClient[] = [];

beforeAll(async () => {
  env = await startTestStack();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await env?.stop();
});

it(`delivers every patch to ${VIEWERS} viewers in order`, { timeout: 120_000 }, async () => {
  const user = await env.createUser('load-host@example.com');
  const sessionId = await createSession(env.stack, user.accessToken);
  const host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
  clients.push(host);
  for (let i = 0; i < VIEWERS; i += 25) {
    const batch = await Promise.all(Array.from({ length: Math.min(25, VIEWERS - i) }, () => RoomClient.connect(env.stack.webSocketUrl, { sessionId })));
    clients.push(...batch);
  }
  const viewers = clients.slice(1);
  await host.request({ v: 1, action: 'publishState', clientSeq: 0, patches: [tile()] }, 'ack');

  // The host paces itself at 10 publishes a second, one batch in flight, as the browser client does.
  const started = Date.now();
  for (let i = 1; i <= PUBLISHES; i++) {
    const patch: Patch = { type: 'tile.state', tileId: 'counter', set: { value: i } };
    const ack = host.request({ v: 1, action: 'publishState', clientSeq: i, patches: [patch] }, 'ack', 10_000);
    await Promise.all([ack, new Promise((resolve) => setTimeout(resolve, started + i * 100 - Date.now()))]);
  }
  await Promise.all(viewers.map((v) => v.waitFor('patch', (m) => m.seq === PUBLISHES + 1, 15_000)));

  for (const viewer of viewers) {
    const seqs = viewer.of('patch').map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: PUBLISHES + 1 }, (_, i) => i + 1));
    const values = viewer.of('patch').slice(1).map((m) => (m.patches[0] as Extract<Patch, { type: 'tile.state' }>).set?.value);
    expect(values).toEqual(Array.from({ length: PUBLISHES }, (_, i) => i + 1));
    // Through the Event API: published once each, none posted to this viewer's socket.
    expect(viewer.events).toBeDefined();
    expect(viewer.receivedOnSocket.filter((m) => m.type === 'patch')).toEqual([]);
  }
  const late = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  clients.push(late);
  const snapshot = await late.request({ v: 1, action: 'sync' }, 'snapshot');
  expect(snapshot.snapshot.tiles.counter?.state).toEqual({ value: PUBLISHES });
  expect(snapshot.viewerCount).toBe(VIEWERS + 1);
});

function tile(): Patch {
  return { type: 'tile.add', tileId: 'counter', kind: 'clock', frame: { x: 0, y: 0, w: 100, h: 100, z: 1 }, state: { value: 0 } };
}
