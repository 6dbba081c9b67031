import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPdf } from '../../amplify/decks/pdf-check.js';
import { apiErrorSchema } from '../../src/protocol/errors.js';
import { deckDocumentSchema, deckListSchema, deckSchema } from '../../src/protocol/decks.js';
import { callApi, startUpload, uploadDeck, waitForDeck } from '../support/deck-client.js';
import { makeEncryptedPptx, makePdf, makePptx, makeZip, makeZipBombPptx } from '../support/deck-files.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/**
 * Decks end to end on the local stack: the real session function, deck processor and converter
 * (LibreOffice in bubblewrap), s3rver and dynalite. Every bad input ends in a clear error and
 * leaves no file behind.
 */
let env: TestStack;
let alice: TestUser;
let bob: TestUser;
let s3: S3Client;

beforeAll(async () => {
  env = await startTestStack();
  alice = await env.createUser('deck-alice@example.com');
  bob = await env.createUser('deck-bob@example.com');
  s3 = new S3Client({ endpoint: env.stack.s3Endpoint, forcePathStyle: true, region: 'local', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});
afterAll(async () => env?.stop());

const api = (method: string, path: string, options: { token?: string; body?: unknown } = {}) => callApi(env.stack, method, path, options);

function expectError(result: { status: number; body: unknown }, status: number, code: string, messagePart?: string) {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  const { error } = apiErrorSchema.parse(result.body);
  expect(error.code).toBe(code);
  if (messagePart) expect(error.message).toContain(messagePart);
}

/** Every object the bucket holds for a deck, under uploads/ and decks/. */
async function objectsOf(hostId: string, deckId: string): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of [`uploads/${hostId}/${deckId}/`, `decks/${hostId}/${deckId}/`]) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'streamcanvas-files', Prefix: prefix }));
    keys.push(...(listed.Contents ?? []).map((object) => object.Key!));
  }
  return keys;
}

async function hostRoom(user: TestUser) {
  const sessionId = await createSession(env.stack, user.accessToken);
  const host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
  await host.request({ v: 1, action: 'sync' }, 'snapshot');
  return { sessionId, host };
}

let clientSeq = 0;
function showDeck(tileId: string, state: Record<string, unknown>) {
  return {
    v: 1,
    action: 'publishState',
    clientSeq: ++clientSeq,
    patches: [{ type: 'tile.add', tileId, kind: 'slides', frame: { x: 0, y: 0, w: 960, h: 540, z: 1 }, state }],
  };
}

describe('decks', () => {
  it('converts a PowerPoint deck, holds one upload at a time, and serves the PDF only to sessions that show it', async () => {
    const pptx = await makePptx(3);
    const started = await startUpload(env.stack, alice.accessToken, 'Quarterly review.pptx', pptx);
    expect(started).toMatchObject({ status: 'uploading', format: 'pptx', name: 'Quarterly review.pptx', sizeBytes: pptx.length });
    const converting = await api('POST', `/decks/${started.deckId}/convert`, { token: alice.accessToken });
    expect(converting.status).toBe(202);
    expect(deckSchema.parse(converting.body).status).toBe('queued');

    // One upload or conversion at a time per host.
    const second = await api('POST', '/decks', { token: alice.accessToken, body: { fileName: 'other.pdf', size: 1000 } });
    expectError(second, 409, 'Conflict', 'Quarterly review.pptx');
    // Asking twice does not convert twice.
    expectError(await api('POST', `/decks/${started.deckId}/convert`, { token: alice.accessToken }), 409, 'Conflict');

    const deck = await waitForDeck(env.stack, alice.accessToken, started.deckId);
    expect(deck, deck.error).toMatchObject({ status: 'ready', pageCount: 3 });
    expect(await objectsOf(alice.userId, deck.deckId)).toEqual([`decks/${alice.userId}/${deck.deckId}/deck.pdf`]);

    // Not attached to any session yet: nobody may read it through a session.
    const { sessionId, host } = await hostRoom(alice);
    expectError(await api('GET', `/sessions/${sessionId}/decks/${deck.deckId}`), 404, 'NotFound', 'not part of this session');

    await host.request(showDeck('slides-1', { deckId: deck.deckId, pageCount: 3, page: 1, status: 'ready' }), 'ack');
    const shown = await api('GET', `/sessions/${sessionId}/decks/${deck.deckId}`);
    expect(shown.status).toBe(200);
    const document = deckDocumentSchema.parse(shown.body);
    expect(document.pageCount).toBe(3);
    const pdf = new Uint8Array(await (await fetch(document.url)).arrayBuffer());
    expect(await checkPdf(pdf)).toEqual({ ok: true, pageCount: 3 });

    // Another session (Bob's) cannot read it, and Bob cannot attach it.
    const bobs = await hostRoom(bob);
    expectError(await api('GET', `/sessions/${bobs.sessionId}/decks/${deck.deckId}`), 404, 'NotFound');
    const refused = await bobs.host.request(showDeck('stolen', { deckId: deck.deckId, pageCount: 3, page: 1, status: 'ready' }), 'error');
    expect(refused).toMatchObject({ code: 'forbidden', action: 'publishState' });
    expect(refused.message).toContain('not one of your decks');
    const bobSnapshot = await bobs.host.request({ v: 1, action: 'sync' }, 'snapshot');
    expect(bobSnapshot.snapshot.tiles).toEqual({});
    expectError(await api('GET', `/sessions/${bobs.sessionId}/decks/${deck.deckId}`), 404, 'NotFound');

    // Bob cannot see, convert or delete Alice's deck either.
    expectError(await api('GET', `/decks/${deck.deckId}`, { token: bob.accessToken }), 404, 'NotFound');
    expectError(await api('DELETE', `/decks/${deck.deckId}`, { token: bob.accessToken }), 404, 'NotFound');
    expect((await api('GET', `/decks/${deck.deckId}`, { token: alice.accessToken })).status).toBe(200);

    // My decks lists it; deleting it removes its files, and the session then says so.
    const list = deckListSchema.parse((await api('GET', '/decks', { token: alice.accessToken })).body);
    expect(list.decks.map((d) => d.deckId)).toContain(deck.deckId);
    expect((await api('DELETE', `/decks/${deck.deckId}`, { token: alice.accessToken })).status).toBe(200);
    expect(await objectsOf(alice.userId, deck.deckId)).toEqual([]);
    expectError(await api('GET', `/sessions/${sessionId}/decks/${deck.deckId}`), 404, 'NotFound', 'deleted');
    await host.close();
    await bobs.host.close();
  });

  it('takes a PDF without conversion, and a later session can reuse it', async () => {
    const { deck } = await uploadDeck(env.stack, alice.accessToken, 'handout.pdf', makePdf(4));
    expect(deck).toMatchObject({ status: 'ready', pageCount: 4, format: 'pdf' });
    expect(await objectsOf(alice.userId, deck.deckId)).toEqual([`decks/${alice.userId}/${deck.deckId}/deck.pdf`]);
    for (const _ of [1, 2]) {
      const { sessionId, host } = await hostRoom(alice);
      await host.request(showDeck('slides', { deckId: deck.deckId, pageCount: 4, page: 2, status: 'ready' }), 'ack');
      expect(deckDocumentSchema.parse((await api('GET', `/sessions/${sessionId}/decks/${deck.deckId}`)).body).pageCount).toBe(4);
      await host.close();
    }
  });

  it('refuses bad files with a clear message and keeps none of their bytes', async () => {
    const cases: Array<{ name: string; bytes: Uint8Array; message: string }> = [
      { name: 'not-a-pdf.pdf', bytes: await makePptx(1), message: 'not a PDF file, although its name ends in .pdf' },
      { name: 'not-a-deck.pptx', bytes: makePdf(1), message: 'not a PowerPoint file' },
      { name: 'letter.pptx', bytes: makeZip([{ name: '[Content_Types].xml', data: '<Types/>' }, { name: 'word/document.xml', data: '<w/>' }]), message: 'not a PowerPoint file' },
      { name: 'corrupt.pdf', bytes: new TextEncoder().encode('%PDF-1.7\nthis is not a PDF body at all'), message: 'This PDF is damaged' },
      { name: 'secret.pdf', bytes: makePdf(2, { encrypt: true }), message: 'This file is password-protected' },
      { name: 'secret.pptx', bytes: makeEncryptedPptx(), message: 'This file is password-protected' },
      { name: 'bomb.pptx', bytes: makeZipBombPptx(), message: 'This PowerPoint file could not be converted: it unpacks to more than 1 GB' },
      { name: 'long.pdf', bytes: makePdf(301), message: 'This deck has 301 pages. Files up to 50 MB and 300 pages' },
      { name: 'truncated.pptx', bytes: (await makePptx(2)).subarray(0, 4000), message: 'damaged' },
    ];
    for (const { name, bytes, message } of cases) {
      const { deck } = await uploadDeck(env.stack, alice.accessToken, name, bytes);
      expect(deck.status, name).toBe('failed');
      expect(deck.error, name).toContain(message);
      expect(await objectsOf(alice.userId, deck.deckId), name).toEqual([]);
    }
    // Failed decks are not in My decks.
    const names = deckListSchema.parse((await api('GET', '/decks', { token: alice.accessToken })).body).decks.map((d) => d.name);
    expect(names.filter((name) => cases.some((c) => c.name === name))).toEqual([]);
  });

  it('has LibreOffice refuse a presentation it cannot read, with a message', async () => {
    const garbage = makeZip([
      { name: '[Content_Types].xml', data: 'not xml at all' },
      { name: 'ppt/presentation.xml', data: new Uint8Array(2000).fill(7) },
    ]);
    const { deck } = await uploadDeck(env.stack, alice.accessToken, 'garbage.pptx', garbage);
    expect(deck.status).toBe('failed');
    expect(deck.error).toContain('This PowerPoint could not be converted');
    expect(await objectsOf(alice.userId, deck.deckId)).toEqual([]);
  });

  it('checks sizes on the server, where s3rver (unlike S3) does not enforce the signed length', async () => {
    expectError(await api('POST', '/decks', { token: alice.accessToken, body: { fileName: 'big.pdf', size: 50 * 1024 * 1024 + 1 } }), 400, 'BadRequest', 'Files up to 50 MB and 300 pages');
    expectError(await api('POST', '/decks', { token: alice.accessToken, body: { fileName: 'empty.pdf', size: 0 } }), 400, 'BadRequest', 'the file is empty');
    expectError(await api('POST', '/decks', { token: alice.accessToken, body: { fileName: 'notes.docx', size: 10 } }), 400, 'BadRequest', 'must end in .pdf');

    // Announce a small file, PUT a larger one.
    const oversized = new Uint8Array(50 * 1024 * 1024 + 10);
    oversized.set(new TextEncoder().encode('%PDF-1.4\n'));
    const tooBig = await uploadDeck(env.stack, alice.accessToken, 'sneaky.pdf', makePdf(1), { putBytes: oversized });
    expectError(tooBig.convert, 413, 'PayloadTooLarge', 'Files up to 50 MB and 300 pages');
    expect((await waitForDeck(env.stack, alice.accessToken, tooBig.deck.deckId)).status).toBe('failed');
    expect(await objectsOf(alice.userId, tooBig.deck.deckId)).toEqual([]);

    const other = await uploadDeck(env.stack, alice.accessToken, 'other.pdf', makePdf(1), { putBytes: makePdf(2) });
    expectError(other.convert, 400, 'BadRequest', 'not the');
    expect(await objectsOf(alice.userId, other.deck.deckId)).toEqual([]);
  });

  it('answers viewers, strangers and malformed ids precisely', async () => {
    expectError(await api('POST', '/decks', { body: { fileName: 'a.pdf', size: 10 } }), 401, 'Unauthorized');
    expectError(await api('GET', '/decks'), 401, 'Unauthorized');
    expectError(await api('GET', '/decks/not-a-uuid', { token: alice.accessToken }), 400, 'BadRequest', 'deck id');
    expectError(await api('GET', `/sessions/not-a-uuid/decks/${crypto.randomUUID()}`), 400, 'BadRequest', 'session id');
    expectError(await api('POST', `/decks/${crypto.randomUUID()}/convert`, { token: alice.accessToken }), 404, 'NotFound');

    // A convert before the PUT changes nothing: the upload can still arrive.
    const created = await api('POST', '/decks', { token: bob.accessToken, body: { fileName: 'later.pdf', size: 10 } });
    const { deckId } = deckSchema.parse((created.body as { deck: unknown }).deck);
    expectError(await api('POST', `/decks/${deckId}/convert`, { token: bob.accessToken }), 400, 'BadRequest', 'not arrived');
    expect(deckSchema.parse((await api('GET', `/decks/${deckId}`, { token: bob.accessToken })).body).status).toBe('uploading');
    expect((await api('DELETE', `/decks/${deckId}`, { token: bob.accessToken })).status).toBe(200);

    // In a room: a deckId that is no deck id, and one that does not exist.
    const { host } = await hostRoom(bob);
    expect(await host.request(showDeck('x', { deckId: 'nope', page: 1 }), 'error')).toMatchObject({ code: 'bad_message' });
    expect(await host.request(showDeck('y', { deckId: crypto.randomUUID(), page: 1 }), 'error')).toMatchObject({ code: 'forbidden' });
    // An empty slides tile is fine.
    await host.request(showDeck('z', { deckId: '', pageCount: 0, page: 1, status: 'empty' }), 'ack');
    await host.close();
  });
});
