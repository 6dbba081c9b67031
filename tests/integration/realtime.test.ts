import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimits, type Patch } from '../../src/protocol/realtime.js';
import { SnapshotAssembler } from '../../src/protocol/snapshot-parts.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/** The room protocol against the local stack: real gateway, authorizer, handler and dynalite. */
let env: TestStack;
let host: TestUser;
let intruder: TestUser;
const open: RoomClient[] = [];

beforeAll(async () => {
  env = await startTestStack();
  host = await env.createUser('host@example.com');
  intruder = await env.createUser('intruder@example.com');
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await env?.stop();
});

async function join(sessionId: string, token?: string): Promise<RoomClient> {
  const client = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, ...(token ? { token } : {}) });
  open.push(client);
  await client.request({ v: 1, action: 'sync' }, 'snapshot');
  return client;
}

const clock = (tileId: string, x = 0): Patch => ({
  type: 'tile.add',
  tileId,
  kind: 'clock',
  frame: { x, y: 0, w: 320, h: 180, z: 1 },
  state: { mode: 'clock', timeZone: 'UTC' },
});

describe('connecting', () => {
  it('refuses unknown sessions, malformed ids, forged tokens and ended sessions', async () => {
    await expect(RoomClient.connect(env.stack.webSocketUrl, { sessionId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ status: 403 });
    await expect(RoomClient.connect(env.stack.webSocketUrl, { sessionId: 'nope' })).rejects.toMatchObject({ status: 403 });
    const sessionId = await createSession(env.stack, host.accessToken);
    const forged = `${host.accessToken.slice(0, -4)}AAAA`;
    await expect(RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: forged })).rejects.toMatchObject({ status: 403 });
    const h = await join(sessionId, host.accessToken);
    await h.request({ v: 1, action: 'end' }, 'ended');
    await expect(RoomClient.connect(env.stack.webSocketUrl, { sessionId })).rejects.toMatchObject({ status: 403 });
  });

  it('gives the host role only to the session’s host', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const other = await join(sessionId, intruder.accessToken);
    const anonymous = await join(sessionId);
    expect(h.of('snapshot')[0]?.role).toBe('host');
    expect(other.of('snapshot')[0]?.role).toBe('viewer');
    expect(anonymous.of('snapshot')[0]?.role).toBe('viewer');
  });
});

describe('state', () => {
  it('delivers patches to viewers in order and serves the current snapshot to a late joiner', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const early = await join(sessionId);
    await h.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [clock('a'), clock('b', 400)] }, 'ack');
    await h.request({ v: 1, action: 'publishState', clientSeq: 2, patches: [{ type: 'tile.frame', tileId: 'a', frame: { x: 100, y: 50, w: 320, h: 180, z: 2 } }] }, 'ack');
    await h.request({ v: 1, action: 'publishState', clientSeq: 3, patches: [{ type: 'tile.remove', tileId: 'b' }, { type: 'canvas.set', set: { live: true } }] }, 'ack');
    await early.waitFor('patch', (m) => m.seq === 3);
    expect(early.of('patch').map((m) => m.seq)).toEqual([1, 2, 3]);

    const late = await join(sessionId);
    const snapshot = late.of('snapshot')[0]!.snapshot;
    expect(snapshot.seq).toBe(3);
    expect(snapshot.canvas).toEqual({ live: true });
    expect(Object.keys(snapshot.tiles)).toEqual(['a']);
    expect(snapshot.tiles.a!.frame).toEqual({ x: 100, y: 50, w: 320, h: 180, z: 2 });
  });

  it('refuses a patch on a tile that does not exist, changing nothing', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const error = await h.request(
      { v: 1, action: 'publishState', clientSeq: 9, patches: [clock('ok'), { type: 'tile.state', tileId: 'ghost', set: { a: 1 } }] },
      'error',
    );
    expect(error).toMatchObject({ code: 'unknown_tile', clientSeq: 9 });
    const snapshot = (await h.request({ v: 1, action: 'sync' }, 'snapshot')).snapshot;
    expect(snapshot).toEqual({ seq: 0, tiles: {}, canvas: {} });
  });
});

describe('large canvases', () => {
  it('delivers a snapshot larger than one WebSocket message in parts', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    // Eight tiles of ~20 KB: the canvas is ~160 KB, over API Gateway's 128 KB per message.
    for (let i = 0; i < 8; i++) {
      const patch: Patch = { type: 'tile.add', tileId: `big${i}`, kind: 'code', frame: { x: 0, y: 0, w: 100, h: 100, z: i }, state: { source: `${i}`.repeat(20_000) } };
      await h.request({ v: 1, action: 'publishState', clientSeq: i + 1, patches: [patch] }, 'ack');
    }
    const late = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
    open.push(late);
    late.send({ v: 1, action: 'sync' });
    const first = await late.waitFor('snapshot');
    expect(first.parts).toBeGreaterThan(1);
    await expect.poll(() => late.of('snapshot').length).toBe(first.parts);
    const assembler = new SnapshotAssembler();
    const whole = late.of('snapshot').map((part) => assembler.add(part)).at(-1)!;
    expect(late.of('snapshot').length).toBeGreaterThan(1);
    expect(Object.keys(whole.snapshot.tiles)).toHaveLength(8);
    expect(whole.snapshot.tiles.big3?.state.source).toBe('3'.repeat(20_000));
  });
});

describe('authorization', () => {
  it('a viewer cannot publish, end, run code or signal anyone but the host', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId, intruder.accessToken);
    const other = await join(sessionId);
    for (const message of [
      { v: 1, action: 'publishState', clientSeq: 1, patches: [clock('x')] },
      { v: 1, action: 'end' },
      { v: 1, action: 'runCode', tileId: 'x' },
    ]) {
      expect(await viewer.request(message, 'error')).toMatchObject({ code: 'forbidden', action: message.action });
    }
    expect(await viewer.request({ v: 1, action: 'signal', to: other.of('snapshot')[0]!.connectionId, data: { media: 'mesh', peer: 'viewer-peer-1', type: 'hello' } }, 'error')).toMatchObject({ code: 'forbidden' });
    const stored = await h.request({ v: 1, action: 'sync' }, 'snapshot');
    expect(stored.snapshot.tiles).toEqual({});
    expect(stored.ended).toBe(false);
    const session = (await (await fetch(`${env.stack.httpApiUrl}/sessions/${sessionId}`)).json()) as { status: string };
    expect(session.status).toBe('active');
  });

  it('relays signals between the host and one viewer', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    const bystander = await join(sessionId);
    viewer.send({ v: 1, action: 'signal', to: 'host', data: { media: 'mesh', peer: 'viewer-peer-1', type: 'hello' } });
    const atHost = await h.waitFor('signal');
    expect(atHost).toMatchObject({ fromRole: 'viewer', data: { type: 'hello' } });
    h.send({ v: 1, action: 'signal', to: atHost.from, data: { media: 'mesh', peer: 'host-peer-1', target: 'viewer-peer-1', type: 'description', description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' } } });
    expect(await viewer.waitFor('signal')).toMatchObject({ fromRole: 'host', data: { type: 'description', description: { type: 'offer' } } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bystander.of('signal')).toEqual([]);
  });
});

describe('presence, chat and reactions', () => {
  it('tells the host who joins and leaves', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    expect(await h.waitFor('presence', (m) => m.event === 'join')).toMatchObject({ viewerCount: 1 });
    await viewer.close();
    expect(await h.waitFor('presence', (m) => m.event === 'leave')).toMatchObject({ viewerCount: 0 });
  });

  it('broadcasts chat as text with a sequence number, and keeps it for late joiners', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    viewer.send({ v: 1, action: 'chat', name: 'Ada', text: '<b>hi</b>' });
    const atHost = await h.waitFor('chat');
    expect(atHost.message).toMatchObject({ name: 'Ada', text: '<b>hi</b>', role: 'viewer' });
    expect(atHost.seq).toBe(1);
    const late = await join(sessionId);
    expect(late.of('snapshot')[0]!.chat.map((m) => m.text)).toEqual(['<b>hi</b>']);
  });

  it('enforces the chat and reaction rate limits per connection', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    for (let i = 0; i < rateLimits.chat.max + 2; i++) viewer.send({ v: 1, action: 'chat', name: 'Spam', text: `m${i}` });
    for (let i = 0; i < rateLimits.react.max + 3; i++) viewer.send({ v: 1, action: 'react', emoji: '👏' });
    // Every line is answered: broadcast back to the sender, or refused.
    const answered = (action: 'chat' | 'react', kind: 'chat' | 'reaction') => viewer.of(kind).length + viewer.of('error').filter((m) => m.action === action).length;
    await expect.poll(() => answered('chat', 'chat'), { timeout: 30_000 }).toBe(rateLimits.chat.max + 2);
    await expect.poll(() => answered('react', 'reaction'), { timeout: 30_000 }).toBe(rateLimits.react.max + 3);
    expect(viewer.of('chat')).toHaveLength(rateLimits.chat.max);
    expect(viewer.of('reaction')).toHaveLength(rateLimits.react.max);
    expect(viewer.of('error').filter((m) => m.code === 'rate_limited' && m.action === 'chat')).toHaveLength(2);
    // Another viewer has a budget of its own.
    const fresh = await join(sessionId);
    fresh.send({ v: 1, action: 'react', emoji: '🎉' });
    await fresh.waitFor('reaction', (m) => m.emoji === '🎉');
  });

  it('lets the host hide chat for everyone', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    await h.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [{ type: 'canvas.set', set: { chatHidden: true } }] }, 'ack');
    expect(await viewer.request({ v: 1, action: 'chat', name: 'A', text: 'hello?' }, 'error')).toMatchObject({ code: 'forbidden' });
  });
});

describe('ending', () => {
  it('ending from the dashboard (the HTTP API) also ends the room', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    const response = await fetch(`${env.stack.httpApiUrl}/sessions/${sessionId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${host.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'ended' }),
    });
    expect(response.status).toBe(200);
    await viewer.waitFor('ended');
    await h.waitFor('ended');
    await expect.poll(() => viewer.closed).toBeDefined();
  });

  it('marks the session ended, tells every viewer and closes their connections', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewers = await Promise.all([join(sessionId), join(sessionId), join(sessionId)]);
    h.send({ v: 1, action: 'end' });
    for (const viewer of viewers) await viewer.waitFor('ended');
    for (const viewer of viewers) await expect.poll(() => viewer.closed, { timeout: 30_000 }).toBeDefined();
    const session = (await (await fetch(`${env.stack.httpApiUrl}/sessions/${sessionId}`)).json()) as { status: string };
    expect(session.status).toBe('ended');
    expect(await h.request({ v: 1, action: 'publishState', clientSeq: 5, patches: [clock('late')] }, 'error')).toMatchObject({ code: 'session_ended' });
  });
});
