import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_CLIENT_MESSAGE_BYTES, webSocketActions } from '../../src/protocol/realtime.js';
import { createSession, startTestStack, type TestStack } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';
import { MAX_FRAME_BYTES } from '../../local/websocket-gateway.js';

/**
 * At least 1,000 generated malformed, oversized, wrong-typed and unknown-action frames:
 * each gets an error reply naming its reason, nothing crashes, and stored state is unchanged.
 */
let env: TestStack;
let sessionId: string;
let host: RoomClient;
let viewer: RoomClient;

beforeAll(async () => {
  env = await startTestStack();
  const user = await env.createUser('fuzz-host@example.com');
  sessionId = await createSession(env.stack, user.accessToken);
  host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
  viewer = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  await host.request(
    { v: 1, action: 'publishState', clientSeq: 1, patches: [{ type: 'tile.add', tileId: 'keep', kind: 'clock', frame: { x: 1, y: 2, w: 300, h: 200, z: 1 }, state: { mode: 'clock' } }] },
    'ack',
  );
});
afterAll(async () => {
  await Promise.all([host?.close(), viewer?.close()]);
  await env?.stop();
});

/** A small deterministic generator, so a failure can be reproduced from its seed. */
function generator(seed: number) {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

/** Values no field of any action accepts. */
const wrongValues: unknown[] = [null, true, [], [[[]]], -1.5, ''];

function malformedFrames(count: number, seed = 42): string[] {
  const { next, pick } = generator(seed);
  const valid: Record<string, Record<string, unknown>> = {
    publishState: { v: 1, action: 'publishState', clientSeq: 2, patches: [{ type: 'tile.state', tileId: 'keep', set: { mode: 'stopwatch' } }] },
    sync: { v: 1, action: 'sync' },
    ping: { v: 1, action: 'ping', clientTime: 1 },
    signal: { v: 1, action: 'signal', to: 'host', data: { media: 'mesh', peer: 'viewer-peer-1', type: 'hello' } },
    chat: { v: 1, action: 'chat', name: 'A', text: 'hi' },
    react: { v: 1, action: 'react', emoji: '👏' },
    end: { v: 1, action: 'end' },
    runCode: { v: 1, action: 'runCode', tileId: 'keep' },
    boardUpdate: { v: 1, action: 'boardUpdate', boardId: 'fuzz-board-1', clientSeq: 3, elements: [] },
    boardLoad: { v: 1, action: 'boardLoad', boardId: 'fuzz-board-1' },
    boardView: { v: 1, action: 'boardView', boardId: 'fuzz-board-1', pointer: { x: 0, y: 0, tool: 'laser', button: 'down' } },
    boardFile: { v: 1, action: 'boardFile', boardId: 'fuzz-board-1', file: { fileId: 'file1', mimeType: 'image/png', size: 10 } },
  };
  const strategies: Array<() => string> = [
    // Not JSON at all.
    () => pick(['', ' ', '{', '}', 'null', '[]', '"str"', '42', 'undefined', '{action:sync}', '\u0000\u0001', '{"action":']),
    // Truncated valid messages.
    () => {
      const text = JSON.stringify(valid[pick(webSocketActions)]);
      return text.slice(0, Math.max(1, Math.floor(next() * (text.length - 1))));
    },
    // Unknown or missing actions.
    () => JSON.stringify({ v: 1, action: pick(['', 'Publish', 'delete', '$connect', '$default', 'toString', '__proto__', 'constructor', 42, null]) }),
    () => JSON.stringify({ v: 1, data: 'no action' }),
    // Wrong protocol version.
    () => JSON.stringify({ ...valid[pick(webSocketActions)], v: pick([0, 2, '1', null, 1.5]) }),
    // One field replaced by a weird value.
    () => {
      const base = { ...valid[pick(webSocketActions)]! };
      const fields = Object.keys(base).filter((k) => k !== 'action' && k !== 'v');
      if (fields.length === 0) return JSON.stringify({ ...base, extra: pick(wrongValues) });
      base[pick(fields)] = pick(wrongValues);
      return JSON.stringify(base);
    },
    // Unknown extra fields are refused (strict objects).
    () => JSON.stringify({ ...valid[pick(webSocketActions)], isHost: true }),
    // Bad patches.
    () =>
      JSON.stringify({
        v: 1,
        action: 'publishState',
        clientSeq: 3,
        patches: [
          pick<unknown>([
            { type: 'tile.add', tileId: '../etc', kind: 'clock', frame: { x: 0, y: 0, w: 1, h: 1, z: 0 }, state: {} },
            { type: 'tile.add', tileId: 'n', kind: 'Clock!', frame: { x: 0, y: 0, w: 1, h: 1, z: 0 }, state: {} },
            { type: 'tile.frame', tileId: 'keep', frame: { x: 'left' } },
            { type: 'tile.frame', tileId: 'keep', frame: { w: -5 } },
            { type: 'tile.frame', tileId: 'keep', frame: { x: 1e9 } },
            { type: 'tile.state', tileId: 'keep', set: { 'bad key': 1 } },
            { type: 'tile.state', tileId: 'keep', set: JSON.parse('{"__proto__": {"polluted": true}, "ok": 2}') },
            { type: 'tile.explode', tileId: 'keep' },
            { type: 'canvas.set', set: { live: 'yes' } },
            { type: 'canvas.set', set: { admin: true } },
            null,
            'patch',
          ]),
        ],
      }),
    () => JSON.stringify({ v: 1, action: 'publishState', clientSeq: 4, patches: Array.from({ length: 51 }, () => ({ type: 'tile.remove', tileId: 'keep' })) }),
    () => JSON.stringify({ v: 1, action: 'publishState', clientSeq: 5, patches: [] }),
    // Chat and reactions outside the rules.
    () => JSON.stringify({ v: 1, action: 'chat', name: 'A', text: 'x'.repeat(501 + Math.floor(next() * 1000)) }),
    () => JSON.stringify({ v: 1, action: 'chat', name: '   ', text: 'hi' }),
    () => JSON.stringify({ v: 1, action: 'react', emoji: pick(['💩', 'like', '', '👏👏']) }),
    // Oversized, but under API Gateway's 128 KB message limit.
    () => JSON.stringify({ v: 1, action: 'chat', name: 'A', text: 'y'.repeat(MAX_CLIENT_MESSAGE_BYTES + Math.floor(next() * 60_000)) }),
    // Deep nesting.
    () => '['.repeat(500 + Math.floor(next() * 500)) + ']'.repeat(500),
  ];
  return Array.from({ length: count }, () => pick(strategies)());
}

it('answers 1,000+ malformed frames with precise errors and changes nothing', { timeout: 120_000 }, async () => {
  await viewer.waitFor('patch', (m) => m.seq === 1);
  const before = await host.request({ v: 1, action: 'sync' }, 'snapshot');
  const startedAt = { host: host.received.length, viewer: viewer.received.length };
  const frames = malformedFrames(1100);
  let sent = 0;
  for (const [index, frame] of frames.entries()) {
    const client = index % 2 === 0 ? viewer : host;
    const since = client.received.length;
    // API Gateway closes a socket on a frame over 32 KB; a longer message must come fragmented.
    if (Buffer.byteLength(frame) > MAX_FRAME_BYTES) client.sendFragmented(frame, MAX_FRAME_BYTES);
    else client.sendRaw(frame);
    const reply = await client.waitFor('error', () => true, 5000, since).catch((error: Error) => {
      throw new Error(`frame ${index} got no error reply (${error.message}): ${frame.slice(0, 200)}`);
    });
    expect(reply.message.length, `frame ${index}: ${frame.slice(0, 80)}`).toBeGreaterThan(10);
    expect(reply.code, `frame ${index}: ${frame.slice(0, 80)}`).not.toBe('internal');
    sent++;
  }
  expect(sent).toBeGreaterThanOrEqual(1000);
  // API Gateway's own "Internal server error" reply would mean a handler threw.
  for (const [client, from] of [[host, startedAt.host], [viewer, startedAt.viewer]] as const) {
    const during = client.received.slice(from);
    expect(during.filter((m) => (m as { message?: string }).message === 'Internal server error')).toEqual([]);
    expect(during.filter((m) => m.type === 'patch' || m.type === 'chat' || m.type === 'ack')).toEqual([]);
  }
  const after = await host.request({ v: 1, action: 'sync' }, 'snapshot');
  expect(after.snapshot).toEqual(before.snapshot);
  expect(after.chat).toEqual(before.chat);
  expect(after.ended).toBe(false);
  const session = (await (await fetch(`${env.stack.httpApiUrl}/sessions/${sessionId}`)).json()) as { status: string };
  expect(session.status).toBe('active');
});

it('closes the socket with 1009 when a message exceeds 128 KB, even in 32 KB frames, and keeps the session intact', async () => {
  const victim = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  const closed = new Promise<number>((resolve) => victim.socket.once('close', (code) => resolve(code)));
  victim.sendFragmented(JSON.stringify({ v: 1, action: 'chat', name: 'A', text: 'z'.repeat(130 * 1024) }), MAX_FRAME_BYTES);
  expect(await closed).toBe(1009);
  const snapshot = await host.request({ v: 1, action: 'sync' }, 'snapshot');
  expect(Object.keys(snapshot.snapshot.tiles)).toEqual(['keep']);
});

it('closes the socket with 1009 on a single frame over 32 KB, as API Gateway does, and handles nothing of it', async () => {
  const victim = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  await victim.request({ v: 1, action: 'sync' }, 'snapshot');
  const closed = new Promise<number>((resolve) => victim.socket.once('close', (code) => resolve(code)));
  const since = victim.received.length;
  // A valid chat line padded with spaces to 33 KB: only the frame size is wrong with it.
  const frame = JSON.stringify({ v: 1, action: 'chat', name: 'A', text: 'hello' }).replace('{', '{' + ' '.repeat(33 * 1024));
  victim.sendRaw(frame);
  expect(await closed).toBe(1009);
  expect(victim.received.slice(since)).toEqual([]);
  // A 32 KB frame is still delivered (and refused by the handler's own 32 KB message check only above that).
  const fine = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  const reply = await fine.request({ v: 1, action: 'chat', name: 'A', text: 'x'.repeat(MAX_FRAME_BYTES - 100) }, 'error');
  expect(reply.code).toBe('bad_message');
  await fine.close();
});

it('treats binary frames as malformed', async () => {
  const since = viewer.received.length;
  viewer.sendRaw(Buffer.from([0, 1, 2, 3, 255]));
  expect(await viewer.waitFor('error', () => true, 5000, since)).toMatchObject({ code: 'bad_message' });
});
