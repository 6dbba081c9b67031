import { Amplify } from 'aws-amplify';
import { events } from 'aws-amplify/data';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sessionChannel } from '../../src/protocol/live-events.js';
import type { ServerMessage } from '../../src/protocol/realtime.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/**
 * The unmodified Amplify `events` client (aws-amplify/data) against the local Event API
 * stand-in, in Node: connect, subscribe, receive what the backend publishes, unsubscribe, and be
 * refused where AWS would refuse. Node 20 has no global WebSocket; `ws` provides the standard one.
 */
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

let env: TestStack;
let host: TestUser;

beforeAll(async () => {
  env = await startTestStack();
  host = await env.createUser('amplify-events-host@example.com');
});
afterAll(async () => {
  await events.closeAll();
  await env?.stop();
});
afterEach(async () => {
  await events.closeAll();
});

/** Configures Amplify as the app does: from the outputs the local stack serves. */
function configure(endpoint = env.stack.outputs.custom.events!.url, credentials?: { accessKeyId: string; secretAccessKey: string }) {
  Amplify.configure(
    { API: { Events: { endpoint, region: env.stack.outputs.custom.region, defaultAuthMode: 'lambda' } } },
    credentials
      ? { Auth: { credentialsProvider: { getCredentialsAndIdentityId: async () => ({ credentials }), clearCredentialsAndIdentityId: () => undefined } } }
      : undefined,
  );
}

function collect(channel: Awaited<ReturnType<typeof events.connect>>, token: string) {
  const received: ServerMessage[] = [];
  const errors: unknown[] = [];
  const subscription = channel.subscribe({ next: (data: { event: ServerMessage }) => received.push(data.event), error: (e: unknown) => errors.push(e) }, { authMode: 'lambda', authToken: token });
  return { received, errors, subscription };
}

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Amplify events client against the local Event API', () => {
  it('subscribes to a live session and receives what the backend publishes, in order, until it unsubscribes', async () => {
    configure();
    const sessionId = await createSession(env.stack, host.accessToken);
    const hostRoom = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: host.accessToken });
    const channel = await events.connect(sessionChannel(sessionId), { authMode: 'lambda', authToken: sessionId });
    const { received, errors, subscription } = collect(channel, sessionId);
    await until(() => env.stack.eventApi!.subscriptionCount() === 2); // the RoomClient's and Amplify's

    await hostRoom.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [{ type: 'tile.add', tileId: 't', kind: 'clock', frame: { x: 0, y: 0, w: 10, h: 10, z: 1 }, state: {} }] }, 'ack');
    for (let i = 2; i <= 5; i++) await hostRoom.request({ v: 1, action: 'publishState', clientSeq: i, patches: [{ type: 'tile.frame', tileId: 't', frame: { x: i } }] }, 'ack');
    hostRoom.send({ v: 1, action: 'react', emoji: '🎉' });
    await until(() => received.some((m) => m.type === 'reaction'));
    expect(received.filter((m) => m.type === 'patch').map((m) => (m as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(errors).toEqual([]);

    subscription.unsubscribe();
    await until(() => env.stack.eventApi!.subscriptionCount() === 1);
    await hostRoom.request({ v: 1, action: 'publishState', clientSeq: 6, patches: [{ type: 'tile.frame', tileId: 't', frame: { x: 6 } }] }, 'ack');
    await hostRoom.waitFor('patch', (m) => m.seq === 6); // the host's own subscription got it…
    expect(received.filter((m) => m.type === 'patch')).toHaveLength(5); // …the unsubscribed one did not
    await hostRoom.close();
  });

  it('is refused a connection for an unknown or ended session', async () => {
    configure();
    const unknown = crypto.randomUUID();
    await expect(events.connect(sessionChannel(unknown), { authMode: 'lambda', authToken: unknown })).rejects.toThrow(/Unauthorized/);

    const ended = await createSession(env.stack, host.accessToken);
    const response = await fetch(`${env.stack.httpApiUrl}/sessions/${ended}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${host.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'ended' }),
    });
    expect(response.status).toBe(200);
    await events.closeAll();
    configure();
    await expect(events.connect(sessionChannel(ended), { authMode: 'lambda', authToken: ended })).rejects.toThrow(/Unauthorized/);
  });

  it('is refused a subscription to another session’s channel', async () => {
    configure();
    const mine = await createSession(env.stack, host.accessToken);
    const other = await createSession(env.stack, host.accessToken);
    const channel = await events.connect(sessionChannel(other), { authMode: 'lambda', authToken: mine });
    const { errors } = collect(channel, mine);
    await until(() => errors.length > 0);
    expect(JSON.stringify(errors[0])).toMatch(/UnauthorizedException/);
  });

  it('never lets a subscriber publish, over the socket or over HTTP', async () => {
    configure();
    const sessionId = await createSession(env.stack, host.accessToken);
    const watcher = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
    const channel = await events.connect(sessionChannel(sessionId), { authMode: 'lambda', authToken: sessionId });
    collect(channel, sessionId);
    const forged = { type: 'patch', v: 1, seq: 99, patches: [], at: 0 };
    await expect(channel.publish(forged, { authMode: 'lambda', authToken: sessionId })).rejects.toThrow(/Unauthorized/);

    await events.closeAll();
    configure(env.stack.eventApiHttpUrl!);
    await expect(events.post(sessionChannel(sessionId), forged, { authMode: 'lambda', authToken: sessionId })).rejects.toThrow();
    expect(watcher.of('patch')).toEqual([]);
    await watcher.close();
  });

  it('publishes over HTTP with IAM credentials that sign correctly, and not with a wrong secret', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const watcher = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
    const message = { type: 'reaction', v: 1, emoji: '👏', at: 1 };

    configure(env.stack.eventApiHttpUrl!, { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! });
    await events.post(sessionChannel(sessionId), message, { authMode: 'iam' });
    await watcher.waitFor('reaction');

    configure(env.stack.eventApiHttpUrl!, { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: 'not-the-secret' });
    await expect(events.post(sessionChannel(sessionId), message, { authMode: 'iam' })).rejects.toThrow();
    expect(watcher.of('reaction')).toHaveLength(1);
    await watcher.close();
  });
});
