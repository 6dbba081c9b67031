import { deckSchema, deckUploadSchema, type Deck } from '../../src/protocol/decks.js';
import type { LocalStack } from '../../local/stack.js';

/** The deck routes as a browser uses them, for integration tests and benchmarks. */
export async function callApi(stack: LocalStack, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${stack.httpApiUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** POST /decks, then the PUT to the presigned URL (with `putBytes` instead of the file, to misbehave). */
export async function startUpload(stack: LocalStack, token: string, fileName: string, bytes: Uint8Array, options: { putBytes?: Uint8Array } = {}) {
  const created = await callApi(stack, 'POST', '/decks', { token, body: { fileName, size: bytes.length } });
  if (created.status !== 201) throw new Error(`POST /decks answered ${created.status}: ${JSON.stringify(created.body)}`);
  const { deck, upload } = deckUploadSchema.parse(created.body);
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: new Blob([(options.putBytes ?? bytes) as Uint8Array<ArrayBuffer>]) });
  if (!put.ok) throw new Error(`PUT answered ${put.status}: ${await put.text()}`);
  return deck;
}

/** Polls GET /decks/{id} until it is ready or failed, as the studio does. */
export async function waitForDeck(stack: LocalStack, token: string, deckId: string, timeoutMs = 240_000): Promise<Deck> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await callApi(stack, 'GET', `/decks/${deckId}`, { token });
    if (status !== 200) throw new Error(`GET /decks/${deckId} answered ${status}: ${JSON.stringify(body)}`);
    const deck = deckSchema.parse(body);
    if (deck.status === 'ready' || deck.status === 'failed') return deck;
    if (Date.now() > deadline) throw new Error(`deck ${deckId} still ${deck.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Upload, start processing, wait for the outcome. */
export async function uploadDeck(stack: LocalStack, token: string, fileName: string, bytes: Uint8Array, options: { putBytes?: Uint8Array } = {}) {
  const deck = await startUpload(stack, token, fileName, bytes, options);
  const converting = await callApi(stack, 'POST', `/decks/${deck.deckId}/convert`, { token });
  if (converting.status !== 202) return { deck, convert: converting };
  return { deck: await waitForDeck(stack, token, deck.deckId), convert: converting };
}
