import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasSnapshot, ServerMessage } from '../../src/protocol/realtime.js';
import { createSession, startTestStack, type TestStack } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';
import { expectRoomAgrees } from '../support/room-agreement.js';

/**
 * Issue 10's repro frames on the real handler and local stack: values the old schema
 * accepted but DynamoDB or JavaScript could not keep (reserved names, unsafe numbers, deep
 * nesting) are refused before anything is written, every refusal names its action and
 * clientSeq, and batches over the 4 KB expression limit commit whole.
 */
let env: TestStack;
let sessionId: string;
let host: RoomClient;
const viewers: Array<{ client: RoomClient; first: CanvasSnapshot }> = [];
let clientSeq = 10;

const frame = { x: 0, y: 0, w: 1, h: 1, z: 0 };

beforeAll(async () => {
  env = await startTestStack();
  const user = await env.createUser('values-host@example.com');
  sessionId = await createSession(env.stack, user.accessToken);
  host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
  await host.request({ v: 1, action: 'publishState', clientSeq: 1, patches: [{ type: 'tile.add', tileId: 'k', kind: 'probe', frame, state: {} }] }, 'ack');
  for (let i = 0; i < 2; i++) {
    const client = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
    viewers.push({ client, first: (await client.request({ v: 1, action: 'sync' }, 'snapshot')).snapshot });
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([host?.close(), ...viewers.map((v) => v.client.close())]);
  await env?.stop();
});

/** Sends a raw publishState frame with a fresh clientSeq; resolves with the host's ack or error. */
async function publishRaw(patchesJson: string): Promise<{ reply: Extract<ServerMessage, { type: 'ack' | 'error' }>; clientSeq: number }> {
  const seq = ++clientSeq;
  const since = host.received.length;
  host.sendRaw(`{"v":1,"action":"publishState","clientSeq":${seq},"patches":${patchesJson}}`);
  const reply = await Promise.race([
    host.waitFor('ack', (m) => m.clientSeq === seq, 15_000, since),
    host.waitFor('error', () => true, 15_000, since),
  ]);
  return { reply, clientSeq: seq };
}

async function expectRefused(patchesJson: string) {
  const { reply, clientSeq: seq } = await publishRaw(patchesJson);
  expect(reply, patchesJson.slice(0, 120)).toMatchObject({ type: 'error', code: 'bad_message', action: 'publishState', clientSeq: seq });
  return reply as Extract<ServerMessage, { type: 'error' }>;
}

describe('refused before anything is written', () => {
  it('a "__proto__" tile id (was: acknowledged, sent to viewers, missing from every snapshot)', async () => {
    await expectRefused('[{"type":"tile.add","tileId":"__proto__","kind":"probe","frame":{"x":0,"y":0,"w":1,"h":1,"z":0},"state":{"x":1}}]');
  });

  it.each(['constructor', 'prototype'])('the tile id %s, and the kind', async (name) => {
    await expectRefused(`[{"type":"tile.add","tileId":"${name}","kind":"probe","frame":{"x":0,"y":0,"w":1,"h":1,"z":0},"state":{}}]`);
    await expectRefused(`[{"type":"tile.add","tileId":"t","kind":"${name}","frame":{"x":0,"y":0,"w":1,"h":1,"z":0},"state":{}}]`);
  });

  it('the state key "constructor" (was: internal to the host, yet committed and a hole in the log)', async () => {
    await expectRefused('[{"type":"tile.state","tileId":"k","set":{"constructor":1}}]');
    await expectRefused('[{"type":"tile.state","tileId":"k","set":{"a":{"constructor":{"b":1}}}}]');
  });

  it('a "__proto__" key anywhere (was: an error without action or clientSeq)', async () => {
    await expectRefused('[{"type":"tile.state","tileId":"k","set":{"a":[{"__proto__":{"polluted":true}}]}}]');
    await expectRefused('[{"type":"tile.state","tileId":"k","set":{"__proto__":1,"ok":2}}]');
  });

  it.each(['9007199254740992', '9007199254740993', '1234567890123456789012345678901234567890', '9.99e125', '1e126', '1e308', '5e-324', '-9007199254740992'])(
    'the number %s (was: internal)',
    async (number) => {
      const reply = await expectRefused(`[{"type":"tile.state","tileId":"k","set":{"n":${number}}}]`);
      expect(reply.message).toMatch(/set\.n/);
    },
  );

  it.each([2_000, 10_000])('arrays nested %i deep (was: internal, or an error without action or clientSeq)', async (depth) => {
    await expectRefused(`[{"type":"tile.state","tileId":"k","set":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}]`);
  });

  it('nothing of it reached a viewer, the snapshot or the log', async () => {
    for (const viewer of viewers) expect(viewer.client.of('patch')).toEqual([]);
    const fresh = await expectRoomAgrees(sessionId, env.stack.webSocketUrl, viewers);
    expect(Object.keys(fresh.tiles)).toEqual(['k']);
    expect(fresh.tiles.k!.state).toEqual({});
  });
});

describe('storable edge values commit whole', () => {
  it('safe integers, tiny fractions and 16 levels of nesting are stored and read back exactly', async () => {
    const set = { big: 9007199254740991, low: -9007199254740991, tiny: 1e-130, frac: 0.1, deep: JSON.parse('['.repeat(16) + '1' + ']'.repeat(16)) as unknown };
    const { reply } = await publishRaw(JSON.stringify([{ type: 'tile.state', tileId: 'k', set }]));
    expect(reply.type).toBe('ack');
    const fresh = await expectRoomAgrees(sessionId, env.stack.webSocketUrl, viewers);
    expect(fresh.tiles.k!.state).toEqual(set);
  });
});

describe('batches over the 4 KB update-expression limit (was: too_large)', () => {
  it('48 four-field frame patches on 48 tiles', async () => {
    const tiles = Array.from({ length: 48 }, (_, i) => `tile-${i}`);
    const added = await publishRaw(JSON.stringify(tiles.map((tileId) => ({ type: 'tile.add', tileId, kind: 'probe', frame, state: {} }))));
    expect(added.reply.type).toBe('ack');
    const moved = await publishRaw(JSON.stringify(tiles.map((tileId, i) => ({ type: 'tile.frame', tileId, frame: { x: i, y: i + 1, w: 100 + i, h: 50 + i } }))));
    expect(moved.reply).toMatchObject({ type: 'ack', clientSeq: moved.clientSeq });
    const fresh = await expectRoomAgrees(sessionId, env.stack.webSocketUrl, viewers);
    expect(fresh.tiles['tile-47']!.frame).toEqual({ x: 47, y: 48, w: 147, h: 97, z: 0 });
  });

  it('one tile.state with 186 keys', async () => {
    const set = Object.fromEntries(Array.from({ length: 186 }, (_, i) => [`key${i}`, i]));
    const { reply, clientSeq: seq } = await publishRaw(JSON.stringify([{ type: 'tile.state', tileId: 'k', set, unset: ['big'] }]));
    expect(reply).toMatchObject({ type: 'ack', clientSeq: seq });
    const fresh = await expectRoomAgrees(sessionId, env.stack.webSocketUrl, viewers);
    expect(Object.keys(fresh.tiles.k!.state)).toHaveLength(186 + 4);
    expect(fresh.tiles.k!.state.key185).toBe(185);
  });

  it('a wide batch on a missing tile is refused whole, with its clientSeq', async () => {
    const set = Object.fromEntries(Array.from({ length: 186 }, (_, i) => [`key${i}`, i]));
    const { reply, clientSeq: seq } = await publishRaw(JSON.stringify([{ type: 'tile.state', tileId: 'ghost', set }]));
    expect(reply).toMatchObject({ type: 'error', code: 'unknown_tile', action: 'publishState', clientSeq: seq });
    await expectRoomAgrees(sessionId, env.stack.webSocketUrl, viewers);
  });
});
