import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  DECK_LIMITS_TEXT,
  createDeckBodySchema,
  deckFormatOfFileName,
  deckFormats,
  deckIdSchema,
  deckLimits,
  deckStallMs,
  effectiveDeckStatus,
  type Deck,
  type DeckDocument,
  type DeckUpload,
} from '../../../src/protocol/decks.js';
import { MAX_HTTP_BODY_BYTES, httpRoutes, sessionIdSchema } from '../../../src/protocol/session.js';
import type { DecksTable, StoredDeck } from '../../data/decks-table.js';
import type { ProcessDeckEvent } from '../../decks/deck-functions.js';
import { deckObjectKeys } from '../../decks/object-keys.js';
import { DEFAULT_URL_SECONDS, type ObjectStore } from '../../storage/object-store.js';
import { HttpError, callerId, json, parseBody, parseWith } from '../shared/http.js';

/**
 * The deck routes of the HTTP API: a host uploads (presigned PUT), starts processing, lists,
 * polls and deletes their decks; anyone with a session's link reads the decks attached to it
 * through a short-lived presigned GET.
 */
export interface DeckRouteDeps {
  decks: DecksTable;
  objects: ObjectStore;
  /** Starts the deck processor without waiting for it. */
  startProcessing: (event: ProcessDeckEvent) => Promise<void>;
  now: () => Date;
  newId: () => string;
  log: (entry: Record<string, unknown>) => void;
}

/** Answers a deck route, or undefined for any other route. */
export async function routeDecks(event: APIGatewayProxyEventV2, deps: DeckRouteDeps): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  switch (event.routeKey) {
    case httpRoutes.createDeck:
      return createDeck(callerId(event), parseBody(event, createDeckBodySchema, MAX_HTTP_BODY_BYTES), deps);
    case httpRoutes.listDecks: {
      const decks = await deps.decks.list(callerId(event));
      const now = deps.now().getTime();
      return json(200, { decks: decks.map((deck) => toPublicDeck(deck, now)).filter((deck) => deck.status !== 'failed') });
    }
    case httpRoutes.getDeck: {
      const deck = await ownDeck(event, deps);
      return json(200, toPublicDeck(deck, deps.now().getTime()));
    }
    case httpRoutes.convertDeck:
      return convertDeck(await ownDeck(event, deps), deps);
    case httpRoutes.deleteDeck:
      return deleteDeck(await ownDeck(event, deps), deps);
    case httpRoutes.getSessionDeck:
      return sessionDeck(event, deps);
    default:
      return undefined;
  }
}

async function createDeck(hostId: string, body: { fileName: string; size: number }, deps: DeckRouteDeps) {
  const format = deckFormatOfFileName(body.fileName)!;
  const now = deps.now();
  const deck: StoredDeck = {
    deckId: deps.newId(),
    hostId,
    name: body.fileName,
    format,
    sizeBytes: body.size,
    status: 'uploading',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const created = await deps.decks.create(deck, now.getTime());
  if (!created.ok && created.reason === 'Full') {
    throw new HttpError(
      'Conflict',
      `You have ${deckLimits.maxDecksPerHost} decks, the most one host may keep.`,
      'Delete a deck you no longer need in My decks, then upload again.',
    );
  }
  if (!created.ok) {
    const busy = created.busyDeckId ? await deps.decks.get(hostId, created.busyDeckId) : undefined;
    throw new HttpError(
      'Conflict',
      `${busy ? `"${busy.name}"` : 'Another file'} is still being uploaded or converted; one file at a time.`,
      'Wait until it is ready (or has failed), then upload this one.',
    );
  }
  if (created.replaced) await abandon(hostId, created.replaced, deps);

  const contentType = deckFormats[format].contentType;
  const url = await deps.objects.presignUpload(deckObjectKeys.upload(hostId, deck.deckId, format), {
    contentType,
    contentLength: body.size,
    expiresInSeconds: DEFAULT_URL_SECONDS,
  });
  const upload: DeckUpload = {
    deck: toPublicDeck(deck, now.getTime()),
    upload: { url, headers: { 'content-type': contentType }, expiresAt: new Date(now.getTime() + DEFAULT_URL_SECONDS * 1000).toISOString() },
  };
  return json(201, upload);
}

/** A deck whose upload or conversion stalled lost its lock to a new upload: it has failed, and its upload goes. */
async function abandon(hostId: string, deckId: string, deps: DeckRouteDeps) {
  const deck = await deps.decks.get(hostId, deckId);
  if (!deck) return;
  const now = deps.now().getTime();
  const { error = 'A newer upload replaced this one.' } = effectiveDeckStatus(deck, now);
  await deps.decks.transition(hostId, deckId, ['uploading', 'queued', 'converting'], { status: 'failed', error }, now);
  await deps.objects.delete(deckObjectKeys.upload(hostId, deckId, deck.format));
}

async function convertDeck(deck: StoredDeck, deps: DeckRouteDeps) {
  const now = deps.now().getTime();
  const { status } = effectiveDeckStatus(deck, now);
  if (status !== 'uploading') {
    throw new HttpError('Conflict', `This deck is ${status === 'failed' ? 'failed' : `already ${status}`}; it can be converted only once, right after its upload.`, 'Upload the file again to start over.');
  }
  const uploadKey = deckObjectKeys.upload(deck.hostId, deck.deckId, deck.format);
  const head = await deps.objects.head(uploadKey);
  if (!head) {
    throw new HttpError('BadRequest', 'The file has not arrived yet.', 'PUT the file to the upload URL first, then ask again.');
  }
  // S3 refuses a PUT of another length than the signed one; s3rver does not. Check here so both behave alike.
  const refuse = async (code: 'PayloadTooLarge' | 'BadRequest', message: string, resolution: string) => {
    await deps.decks.transition(deck.hostId, deck.deckId, ['uploading'], { status: 'failed', error: message }, now);
    await deps.decks.releaseLock(deck.hostId, deck.deckId);
    await deps.objects.delete(uploadKey);
    throw new HttpError(code, message, resolution);
  };
  if (head.size > deckLimits.maxBytes) {
    await refuse('PayloadTooLarge', `This file is ${(head.size / 1024 / 1024).toFixed(1)} MB. ${DECK_LIMITS_TEXT}.`, 'Make the file smaller (compress its pictures), or split the deck.');
  }
  if (head.size !== deck.sizeBytes) {
    await refuse('BadRequest', `The upload has ${head.size} bytes, not the ${deck.sizeBytes} announced.`, 'Upload the file again.');
  }
  const queued = await deps.decks.transition(deck.hostId, deck.deckId, ['uploading'], { status: 'queued' }, now);
  if (!queued) throw new HttpError('Conflict', 'This deck changed meanwhile.', 'Reload My decks.');
  await deps.decks.holdLock(deck.hostId, deck.deckId, now + deckStallMs.processing);
  try {
    await deps.startProcessing({ hostId: deck.hostId, deckId: deck.deckId });
  } catch (error) {
    deps.log({ level: 'error', message: 'could not start the deck processor', deckId: deck.deckId, error: String(error) });
    await deps.decks.transition(deck.hostId, deck.deckId, ['queued'], { status: 'failed', error: 'The converter could not be started.' }, now);
    await deps.decks.releaseLock(deck.hostId, deck.deckId);
    await deps.objects.delete(uploadKey);
    throw new HttpError('Unavailable', 'The converter could not be started.', 'Upload the file again in a moment.');
  }
  return json(202, toPublicDeck(queued, now));
}

async function deleteDeck(deck: StoredDeck, deps: DeckRouteDeps) {
  const { status } = effectiveDeckStatus(deck, deps.now().getTime());
  if (status === 'queued' || status === 'converting') {
    throw new HttpError('Conflict', `"${deck.name}" is being converted right now.`, 'Wait until it is ready (or has failed), then delete it.');
  }
  // Files first: a deck item without files is harmless, files without an item would be lost money.
  await deps.objects.delete(deckObjectKeys.document(deck.hostId, deck.deckId));
  await deps.objects.delete(deckObjectKeys.upload(deck.hostId, deck.deckId, deck.format));
  await deps.decks.delete(deck.hostId, deck.deckId);
  return json(200, { deckId: deck.deckId });
}

async function sessionDeck(event: APIGatewayProxyEventV2, deps: DeckRouteDeps) {
  const sessionId = parseWith(sessionIdSchema, event.pathParameters?.sessionId, 'session id');
  const deckId = parseWith(deckIdSchema, event.pathParameters?.deckId, 'deck id');
  const hostId = await deps.decks.attachedHost(sessionId, deckId);
  if (!hostId) throw new HttpError('NotFound', 'This deck is not part of this session.', 'Check the link; the host may have replaced the slides.');
  const deck = await deps.decks.get(hostId, deckId);
  if (!deck) throw new HttpError('NotFound', 'The host deleted this deck.', 'Ask the host to upload it again.');
  const now = deps.now().getTime();
  const { status } = effectiveDeckStatus(deck, now);
  if (status !== 'ready' || deck.pageCount === undefined) {
    throw new HttpError('Conflict', status === 'failed' ? 'These slides could not be prepared.' : 'These slides are still being prepared.', 'They appear as soon as they are ready.');
  }
  const url = await deps.objects.presignDownload(deckObjectKeys.document(hostId, deckId), { expiresInSeconds: DEFAULT_URL_SECONDS });
  const document: DeckDocument = { deckId, pageCount: deck.pageCount, url, expiresAt: new Date(now + DEFAULT_URL_SECONDS * 1000).toISOString() };
  return json(200, document);
}

async function ownDeck(event: APIGatewayProxyEventV2, deps: DeckRouteDeps): Promise<StoredDeck> {
  const hostId = callerId(event);
  const deckId = parseWith(deckIdSchema, event.pathParameters?.deckId, 'deck id');
  // The key includes the host: another host's deck id finds nothing, exactly like a made-up one.
  const deck = await deps.decks.get(hostId, deckId);
  if (!deck) throw new HttpError('NotFound', `You have no deck ${deckId}.`, 'Pick a deck from My decks, or upload the file again.');
  return deck;
}

function toPublicDeck(deck: StoredDeck, now: number): Deck {
  const { hostId: _hostId, ...rest } = deck;
  const { status, error } = effectiveDeckStatus(deck, now);
  const { error: _stored, ...withoutError } = rest;
  return { ...withoutError, status, ...(error ? { error } : {}) };
}
