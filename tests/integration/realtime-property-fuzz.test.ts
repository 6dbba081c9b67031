import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CANVAS_WIDTH, parseClientMessage, reactionEmojis, type CanvasSnapshot, type ServerMessage } from '../../src/protocol/realtime.js';
import { compileHeadUpdate } from '../../amplify/data/canvas-head-update.js';
import { createSession, startTestStack, type TestStack } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';
import { expectRoomAgrees } from '../support/room-agreement.js';

/**
 * Property: for any message, the real handler on the local stack either commits it wholly
 * (the ack's seq is in the head, the log and every viewer, and a fresh snapshot equals the
 * viewers' canvas) or refuses it with an error naming its action and clientSeq, and never
 * answers `internal`. Messages are generated around the schema's edges: reserved names,
 * numbers DynamoDB cannot hold, deep nesting, wide batches, lone surrogates, empty keys.
 * FUZZ_SEED reproduces a run; FUZZ_RUNS makes it longer.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

let env: TestStack;
let sessionId: string;
let host: RoomClient;
const viewers: Array<{ client: RoomClient; first: CanvasSnapshot }> = [];

beforeAll(async () => {
  env = await startTestStack();
  const user = await env.createUser('property-host@example.com');
  sessionId = await createSession(env.stack, user.accessToken);
  host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
  await host.request({ v: 1, action: 'sync' }, 'snapshot');
  for (let i = 0; i < 2; i++) {
    const client = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
    viewers.push({ client, first: (await client.request({ v: 1, action: 'sync' }, 'snapshot')).snapshot });
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([host?.close(), ...viewers.map((v) => v.client.close())]);
  await env?.stop();
});

// ---------------------------------------------------------------- generators

const reserved = fc.constantFrom('__proto__', 'constructor', 'prototype');
const tileId = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom('a', 'b', 'c', 'd-1', 'e_2', 'Z9') },
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) },
  { weight: 1, arbitrary: reserved },
);
const kind = fc.oneof({ weight: 30, arbitrary: fc.constantFrom('probe', 'clock', 'notes') }, { weight: 1, arbitrary: reserved });
const stateKey = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom('text', 'mode', 'page', 'items', 'k1') },
  { weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,39}$/) },
  { weight: 1, arbitrary: reserved },
);
const anyKey = fc.oneof(
  { weight: 60, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: reserved },
  { weight: 1, arbitrary: fc.constant('') },
);
const edgeNumber = fc.constantFrom(
  0, -0, 1, -1, 0.1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e-130, -1e-130, 1e-131, 5e-324, 9.99e125, 1e126, 1e308, Number.MAX_VALUE,
);
const number = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }) },
  { weight: 10, arbitrary: fc.integer().map((n) => n / 1024) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: edgeNumber },
);
const text = fc.oneof(
  { weight: 30, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('\ud800', 'x\udfffy', '\u0000', '') },
);
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(anyKey, tie('json'), { maxKeys: 4 }),
  ),
}));
/** Nesting right at the limit and beyond it. */
const nested = fc.integer({ min: 14, max: 40 }).map((depth) => JSON.parse('['.repeat(depth) + '1' + ']'.repeat(depth)) as unknown);
const stateValue = fc.oneof({ weight: 40, arbitrary: json }, { weight: 1, arbitrary: nested });
const state = fc.dictionary(stateKey, stateValue, { maxKeys: 6 });
const coordinate = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: -CANVAS_WIDTH, max: 2 * CANVAS_WIDTH }) },
  { weight: 5, arbitrary: fc.integer({ min: -CANVAS_WIDTH * 1000, max: 2 * CANVAS_WIDTH * 1000 }).map((n) => n / 1000) },
  { weight: 1, arbitrary: fc.double({ min: -CANVAS_WIDTH, max: 2 * CANVAS_WIDTH, noNaN: true }) },
  { weight: 1, arbitrary: edgeNumber },
);
const size = fc.oneof(fc.integer({ min: 1, max: 2 * CANVAS_WIDTH }), fc.double({ min: 1, max: 2 * CANVAS_WIDTH, noNaN: true }));
const frame = fc.record({ x: coordinate, y: coordinate, w: size, h: size, z: fc.integer({ min: 0, max: 1_000_000 }) });

const patch = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('tile.add'), tileId, kind, frame, state }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('tile.frame'), tileId, frame: fc.record({ x: coordinate, y: coordinate, w: size, h: size, z: fc.nat(1_000_000) }, { requiredKeys: [] }) }) },
  {
    weight: 5,
    arbitrary: fc.record(
      { type: fc.constant('tile.state'), tileId, set: state, unset: fc.array(stateKey, { maxLength: 4 }) },
      { requiredKeys: ['type', 'tileId'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('tile.remove'), tileId }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('canvas.set'), set: fc.record({ live: fc.boolean(), chatHidden: fc.boolean() }, { requiredKeys: [] }) }) },
);
/** A wide batch: many frame or state changes, over the 4 KB update-expression limit. */
const wideBatch = fc.oneof(
  fc.constant(Array.from({ length: 48 }, (_, i) => ({ type: 'tile.frame', tileId: `w${i}`, frame: { x: i, y: i, w: 10 + i, h: 10 + i } }))),
  fc.integer({ min: 150, max: 250 }).map((keys) => [
    { type: 'tile.state', tileId: 'a', set: Object.fromEntries(Array.from({ length: keys }, (_, k) => [`key${k}`, k])) },
  ]),
  fc.array(patch, { minLength: 30, maxLength: 50 }),
);
const batch = fc.oneof({ weight: 12, arbitrary: fc.array(patch, { minLength: 1, maxLength: 5 }) }, { weight: 1, arbitrary: wideBatch });

let clientSeq = 0;
const message = fc.oneof(
  { weight: 12, arbitrary: batch.map((patches) => ({ v: 1, action: 'publishState', clientSeq: ++clientSeq, patches })) },
  { weight: 1, arbitrary: fc.record({ v: fc.constant(1), action: fc.constant('chat'), name: text, text }) },
  { weight: 1, arbitrary: fc.record({ v: fc.constant(1), action: fc.constant('react'), emoji: fc.constantFrom(...reactionEmojis) }) },
  { weight: 1, arbitrary: fc.record({ v: fc.constant(1), action: fc.constant('signal'), to: fc.string({ minLength: 1, maxLength: 20 }), data: fc.oneof(fc.dictionary(anyKey, stateValue, { maxKeys: 3 }), fc.constant({ media: 'mesh', peer: 'host-peer-1', type: 'bye' })) }) },
);

/** The tiles the wide frame batch edits, added once so it can commit. */
async function addWideTiles() {
  const patches = Array.from({ length: 48 }, (_, i) => ({ type: 'tile.add' as const, tileId: `w${i}`, kind: 'probe', frame: { x: 0, y: 0, w: 1, h: 1, z: 0 }, state: {} }));
  patches.push({ type: 'tile.add', tileId: 'a', kind: 'probe', frame: { x: 0, y: 0, w: 1, h: 1, z: 0 }, state: {} });
  await host.request({ v: 1, action: 'publishState', clientSeq: 0, patches }, 'ack', 15_000);
}

// ---------------------------------------------------------------- the property

/** Waits for this message's own answer: its ack, its broadcast, or an error naming it. */
async function answerTo(sent: Record<string, unknown>, since: number): Promise<ServerMessage> {
  const action = sent.action as string;
  const error = host.waitFor('error', (m) => m.action === action || m.action === undefined, 15_000, since);
  switch (action) {
    case 'publishState':
      return Promise.race([host.waitFor('ack', (m) => m.clientSeq === sent.clientSeq, 15_000, since), error]);
    case 'chat':
      return Promise.race([host.waitFor('chat', (m) => m.message.text === String(sent.text).trim(), 15_000, since), error]);
    case 'react':
      return Promise.race([host.waitFor('reaction', () => true, 15_000, since), error]);
    default:
      // A host's signal reaches no viewer of this session: not_found.
      return error;
  }
}

const outcomes = { committed: 0, refusedBySchema: 0, refusedByServer: 0, wideCommitted: 0 };

it(`commits wholly or refuses with action and clientSeq, never internal (${RUNS} generated messages)`, { timeout: 600_000 }, async () => {
  await addWideTiles();
  await fc.assert(
    fc.asyncProperty(message, async (sent) => {
      const raw = JSON.stringify(sent);
      const expected = parseClientMessage(raw);
      const since = host.received.length;
      host.sendRaw(raw);
      const reply = await answerTo(sent, since);
      const context = `${reply.type === 'error' ? reply.message : reply.type} for ${raw.slice(0, 300)}`;
      if (reply.type === 'error') {
        expect(reply.code, context).not.toBe('internal');
        expect(reply.action, context).toBe(sent.action);
        if ('clientSeq' in sent) expect(reply.clientSeq, context).toBe(sent.clientSeq);
        if (!expected.ok) {
          expect(reply.code, context).toBe(expected.code);
          outcomes.refusedBySchema++;
        } else outcomes.refusedByServer++;
      } else {
        expect(expected.ok, `the schema refuses what the server took: ${context}`).toBe(true);
        if (reply.type === 'ack') {
          outcomes.committed++;
          // Committed although too wide for one field-by-field expression.
          if (expected.ok && expected.message.action === 'publishState' && !compileHeadUpdate(expected.message.patches, 0).ok) outcomes.wideCommitted++;
          for (const viewer of viewers) {
            const patch = await viewer.client.waitFor('patch', (m) => m.seq === reply.seq, 15_000);
            expect(patch.patches, context).toEqual((JSON.parse(JSON.stringify(expected.ok ? expected.message : {})) as { patches: unknown }).patches);
          }
        }
      }
      await expectRoomAgrees(sessionId, env.stack.webSocketUrl, viewers);
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  // The generators must reach every outcome, or the property says little.
  expect(outcomes.committed).toBeGreaterThan(RUNS / 6);
  expect(outcomes.refusedBySchema).toBeGreaterThan(RUNS / 10);
  expect(outcomes.refusedByServer).toBeGreaterThan(5);
  expect(outcomes.wideCommitted).toBeGreaterThan(2);
});
