import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectionsTable } from '../../amplify/data/table-definitions.js';
import type { Patch } from '../../src/protocol/realtime.js';
import { RoomConnection } from '../../src/realtime/room-connection.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/**
 * A deployment without an Event API (or with one that keeps failing): the realtime function
 * posts every message to each connection over @connections, and clients get everything on
 * their one socket. Also the failure this path has and the Event API does not: the connections
 * index not listing a new viewer yet.
 */
let env: TestStack;
let host: TestUser;
const clients: RoomClient[] = [];
const rooms: RoomConnection[] = [];

beforeAll(async () => {
  env = await startTestStack({ eventApi: false });
  host = await env.createUser('no-event-api-host@example.com');
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

describe('without an Event API', () => {
  it('serves no Event API to the browser and posts patches, chat, reactions and the end to every connection', async () => {
    expect(env.stack.outputs.custom).not.toHaveProperty('events');
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewers = [await join(sessionId), await join(sessionId)];
    expect(viewers[0]!.events).toBeUndefined();
    await h.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [bigTile(1)] }, 'ack');
    viewers[0]!.send({ v: 1, action: 'chat', name: 'Ada', text: 'hi' });
    viewers[1]!.send({ v: 1, action: 'react', emoji: '👏' });
    for (const v of viewers) {
      await v.waitFor('patch', (m) => m.seq === 1);
      await v.waitFor('chat', (m) => m.message.text === 'hi');
      await v.waitFor('reaction');
    }
    // The publishing host hears of its own batch by the ack only.
    expect(h.of('patch')).toEqual([]);
    h.send({ v: 1, action: 'end' });
    for (const v of viewers) await v.waitFor('ended');
  });
});

describe('a viewer that missed a post', () => {
  it('notices from the host’s beacon and resyncs, with nothing else published', { timeout: 60_000 }, async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    await h.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [bigTile(1)] }, 'ack');
    const viewer = new RoomConnection({
      webSocketUrl: env.stack.webSocketUrl,
      sessionId,
      WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
      random: () => 0.5,
    });
    rooms.push(viewer);
    await waitUntil(() => viewer.status === 'open' && viewer.snapshot.seq === 1, 15_000);

    // The connections index does not list the viewer yet (GSI lag): the fan-out misses it.
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: `http://127.0.0.1:${env.ports.dynamo}`, region: 'local', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } }),
    );
    const listUnder = (id: string) =>
      documents.send(
        new UpdateCommand({
          TableName: connectionsTable.logicalName,
          Key: { connectionId: viewer.connectionId },
          UpdateExpression: 'SET sessionId = :id',
          ExpressionAttributeValues: { ':id': id },
        }),
      );
    await listUnder('not-yet-indexed');
    const ack = await h.request({ v: 1, action: 'publishState', clientSeq: 2, patches: [{ type: 'tile.frame', tileId: 'big-1', frame: { x: 700 } }] }, 'ack');
    expect(ack.seq).toBe(2);
    await listUnder(sessionId);
    expect(viewer.snapshot.seq).toBe(1);

    // The host publishes nothing more; its pings (once its connection is past the clock-sampling ones) carry the beacon.
    for (let i = 0; i < 60 && viewer.snapshot.seq < 2; i++) {
      h.send({ v: 1, action: 'ping', clientTime: Date.now() });
      await waitUntil(() => viewer.snapshot.seq >= 2, 500).catch(() => undefined);
    }
    expect(viewer.snapshot.seq).toBe(2);
    expect(viewer.snapshot.tiles['big-1']?.frame.x).toBe(700);
    documents.destroy();
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
