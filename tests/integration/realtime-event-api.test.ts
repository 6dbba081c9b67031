import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionChannel } from '../../src/protocol/live-events.js';
import type { Patch } from '../../src/protocol/realtime.js';
import { EventApiSubscriber } from '../support/event-api-client.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/**
 * Messages for the whole session go through the Event API (the local stand-in): published once,
 * fanned out to every subscriber, with @connections as the fallback when the Event API fails.
 */
let env: TestStack;
let host: TestUser;
const clients: RoomClient[] = [];

beforeAll(async () => {
  env = await startTestStack();
  host = await env.createUser('event-api-host@example.com');
});
afterAll(async () => {
  env?.stack.eventApi?.failPublishes(undefined);
  await Promise.all(clients.map((c) => c.close()));
  await env?.stop();
});

async function join(sessionId: string, token?: string) {
  const client = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, ...(token ? { token } : {}) });
  clients.push(client);
  return client;
}

const counter = (value: number): Patch => ({ type: 'tile.state', tileId: 'c', set: { value } });
const addCounter: Patch = { type: 'tile.add', tileId: 'c', kind: 'clock', frame: { x: 0, y: 0, w: 10, h: 10, z: 1 }, state: { value: 0 } };

describe('broadcast through the Event API', () => {
  it('publishes each message once: two DynamoDB requests per publish whatever the audience, nothing posted to viewers’ sockets', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewers = await Promise.all(Array.from({ length: 20 }, () => join(sessionId)));
    await h.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [addCounter] }, 'ack');

    const before = env.stack.dynamoRequestCounts();
    for (let i = 2; i <= 6; i++) await h.request({ v: 1, action: 'publishState', clientSeq: i, patches: [counter(i)] }, 'ack');
    const after = env.stack.dynamoRequestCounts();
    const delta = (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
    expect({ UpdateItem: delta('UpdateItem'), PutItem: delta('PutItem'), Query: delta('Query'), GetItem: delta('GetItem') }).toEqual({
      UpdateItem: 5,
      PutItem: 5,
      Query: 0,
      GetItem: 0,
    });

    for (const v of [h, ...viewers]) {
      await v.waitFor('patch', (m) => m.seq === 6);
      expect(v.of('patch').map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(v.receivedOnSocket.filter((m) => m.type === 'patch')).toEqual([]);
    }
    // Chat and reactions too; what is addressed to one connection stays on its socket.
    viewers[0]!.send({ v: 1, action: 'chat', name: 'Ada', text: 'hello' });
    viewers[1]!.send({ v: 1, action: 'react', emoji: '🔥' });
    for (const v of [h, ...viewers]) {
      const chat = await v.waitFor('chat', (m) => m.message.text === 'hello');
      expect(chat.seq).toBe(7);
      await v.waitFor('reaction', (m) => m.emoji === '🔥');
    }
    expect(viewers[0]!.receivedOnSocket.filter((m) => m.type === 'chat' || m.type === 'reaction')).toEqual([]);
    expect(h.receivedOnSocket.map((m) => m.type)).toContain('presence');
  });

  it('falls back to posting to each connection while the Event API fails, and goes back once it recovers', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewers = [await join(sessionId), await join(sessionId)];
    await h.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [addCounter] }, 'ack');

    env.stack.eventApi!.failPublishes({ status: 503, errorType: 'ServiceUnavailableException' });
    await h.request({ v: 1, action: 'publishState', clientSeq: 2, patches: [counter(2)] }, 'ack');
    for (const v of viewers) {
      const patch = await v.waitFor('patch', (m) => m.seq === 2);
      expect(v.receivedOnSocket).toContain(patch);
    }

    env.stack.eventApi!.failPublishes(undefined);
    await h.request({ v: 1, action: 'publishState', clientSeq: 3, patches: [counter(3)] }, 'ack');
    for (const v of viewers) {
      const patch = await v.waitFor('patch', (m) => m.seq === 3);
      expect(v.receivedOnSocket).not.toContain(patch);
      expect(v.of('patch').map((m) => m.seq)).toEqual([1, 2, 3]);
    }
  });

  it('tells subscribers the session ended on its channel, then refuses new subscribers', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    const watcher = await EventApiSubscriber.connect(env.stack.eventApiUrl!, sessionId);
    const heard: unknown[] = [];
    await watcher.subscribe(sessionChannel(sessionId), (event) => heard.push(event));

    h.send({ v: 1, action: 'end' });
    const ended = await viewer.waitFor('ended');
    expect(viewer.receivedOnSocket).not.toContain(ended);
    await expect.poll(() => heard).toContainEqual(expect.objectContaining({ type: 'ended' }));
    await watcher.close();

    await expect(EventApiSubscriber.connect(env.stack.eventApiUrl!, sessionId)).rejects.toMatchObject({ errors: [{ errorType: 'UnauthorizedException' }] });
  });
});
