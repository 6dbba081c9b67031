import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardsTableAccess } from '../../amplify/data/boards-table.js';
import { documentClient } from '../../amplify/data/document-client.js';
import { boardsTable } from '../../amplify/data/table-definitions.js';
import { elementBytes, type BoardElement } from '../../src/protocol/board.js';
import type { ServerMessage } from '../../src/protocol/realtime.js';
import { packBatches } from '../../src/tiles/whiteboard/board-sync.js';
import { board, freedraw, rectangle } from '../support/board-elements.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/** The whiteboard against the local stack: real gateway, handler, dynalite and s3rver. */
let env: TestStack;
let host: TestUser;
const open: RoomClient[] = [];
const BOARD = 'integration-board-1';

beforeAll(async () => {
  env = await startTestStack();
  host = await env.createUser('board-host@example.com');
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

let clientSeq = 0;
/** Sends elements as the host's client does: packed under the frame limit, each batch acknowledged. */
async function draw(client: RoomClient, elements: BoardElement[], boardId = BOARD) {
  const { batches, oversized } = packBatches(elements);
  expect(oversized).toEqual([]);
  const acks = batches.map((batch) => {
    const seq = ++clientSeq;
    client.send({ v: 1, action: 'boardUpdate', boardId, clientSeq: seq, elements: batch });
    return client.waitFor('boardAck', (m) => m.clientSeq === seq, 30_000);
  });
  return Promise.all(acks);
}

/** Loads the whole board as a joining client does, part by part. */
async function load(client: RoomClient, boardId = BOARD) {
  const since = client.received.length;
  client.send({ v: 1, action: 'boardLoad', boardId });
  const first = await client.waitFor('boardSnapshot', () => true, 30_000, since);
  const parts: Array<Extract<ServerMessage, { type: 'boardSnapshot' }>> = [first];
  while (parts.length < first.parts) parts.push(await client.waitFor('boardSnapshot', (m) => m.part === parts.length + 1, 30_000, since));
  return { rev: first.rev, parts: parts.length, elements: parts.flatMap((p) => p.elements) };
}

const byId = (elements: BoardElement[]) => [...elements].sort((a, b) => a.id.localeCompare(b.id));

describe('whiteboard on the local stack', () => {
  it('a 2,000-element board larger than 400 KB is stored outside the head, and a late joiner gets all of it in a few messages and reads', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const live = await join(sessionId);
    const elements = board(2000);
    const stored = elements.reduce((total, e) => total + elementBytes(e), 0);
    expect(stored).toBeGreaterThan(400 * 1024);

    const acks = await draw(h, elements);
    expect(Math.max(...acks.map((a) => a.rev))).toBe(acks.length);
    // A viewer that was there saw every batch.
    await expect.poll(() => live.of('board').flatMap((m) => m.elements).length, { timeout: 30_000 }).toBe(2000);

    const before = env.stack.dynamoRequestCounts();
    const late = await join(sessionId);
    const loaded = await load(late);
    const after = env.stack.dynamoRequestCounts();
    expect(byId(loaded.elements)).toEqual(byId(elements));
    expect(loaded.rev).toBe(acks.length);
    expect(loaded.parts).toBeLessThanOrEqual(Math.ceil(stored / (90 * 1024)) + 1);
    // One meta read and one Query per 1 MB page: not one read per element.
    expect((after.Query ?? 0) - (before.Query ?? 0)).toBeLessThanOrEqual(3);
    // The session head holds none of it.
    const snapshot = (await h.request({ v: 1, action: 'sync' }, 'snapshot')).snapshot;
    expect(JSON.stringify(snapshot).length).toBeLessThan(2000);
  });

  it('refuses a stroke batch from a viewer and leaves the board as it was', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    await draw(h, [rectangle('kept')]);
    const refused = await viewer.request({ v: 1, action: 'boardUpdate', boardId: BOARD, clientSeq: 1, elements: [freedraw('vandal', 50)] }, 'error');
    expect(refused).toMatchObject({ code: 'forbidden', action: 'boardUpdate', clientSeq: 1 });
    const viewRefused = await viewer.request({ v: 1, action: 'boardView', boardId: BOARD, pointer: { x: 0, y: 0, tool: 'laser', button: 'down' } }, 'error');
    expect(viewRefused).toMatchObject({ code: 'forbidden', action: 'boardView' });
    expect((await load(viewer)).elements).toEqual([rectangle('kept')]);
    expect(h.of('board')).toEqual([]);
  });

  it('refuses a malformed batch from the host with the reason, keeping the stored board intact', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    await draw(h, [rectangle('a'), rectangle('b')]);
    const bad = await h.request(
      { v: 1, action: 'boardUpdate', boardId: BOARD, clientSeq: 99, elements: [rectangle('a', { version: 2, x: 50 }), rectangle('c', { link: 'javascript:alert(1)' })] },
      'error',
    );
    expect(bad).toMatchObject({ code: 'bad_message', action: 'boardUpdate', clientSeq: 99 });
    expect(bad.message).toContain('elements.1.link');
    expect(byId((await load(h)).elements)).toEqual([rectangle('a'), rectangle('b')]);
  });

  it('keeps the newest version whatever order batches arrive in, and tombstones deletions', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    await draw(h, [rectangle('r', { version: 5, x: 500 })]);
    await draw(h, [rectangle('r', { version: 3, x: 300 })]);
    await draw(h, [rectangle('r', { version: 5, versionNonce: 99, x: 999 })]);
    await draw(h, [rectangle('gone', { version: 2, isDeleted: true })]);
    const { elements } = await load(viewer);
    expect(byId(elements)).toEqual([rectangle('gone', { version: 2, isDeleted: true }), rectangle('r', { version: 5, x: 500 })]);
    // Stale batches were not passed on.
    expect(viewer.of('board').flatMap((m) => m.elements.map((e) => e.x))).not.toContain(300);
  });

  it('the host view goes to viewers and is never stored', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    const viewport = { scrollX: -100, scrollY: 50, zoom: 2, width: 1280, height: 720 };
    const before = env.stack.dynamoRequestCounts();
    h.send({ v: 1, action: 'boardView', boardId: BOARD, viewport, pointer: { x: 10, y: 20, tool: 'laser', button: 'down' }, rev: 0 });
    const view = await viewer.waitFor('boardView', () => true, 10_000);
    expect(view).toMatchObject({ viewport, pointer: { x: 10, y: 20, tool: 'laser', button: 'down' } });
    const after = env.stack.dynamoRequestCounts();
    expect((after.PutItem ?? 0) - (before.PutItem ?? 0)).toBe(0);
    expect((await load(viewer)).elements).toEqual([]);
  });

  it('uploads an image through a presigned URL of exactly its size, and viewers get a URL to load it', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const h = await join(sessionId, host.accessToken);
    const viewer = await join(sessionId);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const { uploadUrl } = await h.request({ v: 1, action: 'boardFile', boardId: BOARD, file: { fileId: 'file1', mimeType: 'image/png', size: png.length } }, 'boardFileUrl');
    expect((await fetch(uploadUrl, { method: 'PUT', body: png, headers: { 'content-type': 'image/png' } })).status).toBe(200);
    await draw(h, [rectangle('img', { type: 'image', fileId: 'file1', status: 'saved', scale: [1, 1], crop: null })]);
    const message = await viewer.waitFor('board', (m) => m.elements.some((e) => e.id === 'img'), 10_000);
    const download = await fetch(message.files!.file1!);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(png);
    const loaded = await load(viewer);
    expect(Object.keys(loaded.elements.find((e) => e.id === 'img') ?? {})).toContain('fileId');
  });
});

describe('the Boards table on dynalite', () => {
  it('refuses a batch that would pass the board limit, with nothing stored, and still accepts deletions', async () => {
    const table = boardsTableAccess(documentClient(), process.env[boardsTable.envVar]!, { maxBoardBytes: 20_000 });
    const sessionId = crypto.randomUUID();
    const first = await table.store(sessionId, 'small', board(30), Date.now());
    expect(first.ok).toBe(true);
    const full = await table.store(sessionId, 'small', board(30, 'more'), Date.now());
    expect(full).toMatchObject({ ok: false, reason: 'board_too_large' });
    expect(full.ok || full.message).toMatch(/The board is full/);
    expect((await table.load(sessionId, 'small')).elements).toHaveLength(30);
    const deleted = await table.store(sessionId, 'small', board(30).map((e) => ({ ...e, version: 2, isDeleted: true })), Date.now());
    expect(deleted).toMatchObject({ ok: true, rev: 2 });
    for (const outcome of [first, deleted]) if (outcome.ok) await table.appendLog(sessionId, 'small', { rev: outcome.rev, at: 1, elements: outcome.stored });
    expect((await table.readLog(sessionId, 'small', 0, 10)).map((entry) => [entry.rev, entry.elements.length])).toEqual([[1, 30], [2, 30]]);
    expect((await table.readLog(sessionId, 'small', 1, 10)).map((entry) => entry.rev)).toEqual([2]);
  });
});
