import { DECK_LIMITS_TEXT, deckFormats, deckLimits, deckStallMs } from '../../src/protocol/decks.js';
import type { DecksTable, StoredDeck } from '../data/decks-table.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ConversionRequest, ConversionResponse } from '../converter/conversion-request.js';
import { checkUpload } from './file-checks.js';
import { deckObjectKeys } from './object-keys.js';
import { checkPdf } from './pdf-check.js';

/**
 * Turns an uploaded file into a ready deck: checks the bytes, converts presentations to PDF,
 * opens the PDF with pdf.js, stores it, and records the outcome. Whatever fails, the deck ends
 * `failed` with a message for the host, its files are deleted, and the host's processing lock
 * is freed: nothing stays half-stored.
 */
export interface ProcessDeckDeps {
  decks: DecksTable;
  objects: ObjectStore;
  /** Undefined when this deployment has no converter (PDFs still work). */
  convert?: (request: ConversionRequest) => Promise<ConversionResponse>;
  now: () => number;
  log: (entry: Record<string, unknown>) => void;
}

export const CONVERTER_NOT_SET_UP =
  'PowerPoint conversion is not set up on this deployment. Upload a PDF instead (in PowerPoint: File › Export › PDF), ' +
  'or ask the operator to deploy the deck converter (docs/DEPLOYMENT.md).';

export async function processDeck(deps: ProcessDeckDeps, hostId: string, deckId: string): Promise<StoredDeck | undefined> {
  const started = deps.now();
  const deck = await deps.decks.transition(hostId, deckId, ['queued'], { status: 'converting' }, started);
  // Not queued: deleted, or another invocation has it (Lambda retries async invokes).
  if (!deck) return undefined;
  await deps.decks.holdLock(hostId, deckId, started + deckStallMs.processing);
  const uploadKey = deckObjectKeys.upload(hostId, deckId, deck.format);
  const documentKey = deckObjectKeys.document(hostId, deckId);

  let outcome: { ok: true; pageCount: number } | { ok: false; message: string };
  try {
    outcome = await prepare(deps, deck, uploadKey, documentKey);
  } catch (error) {
    deps.log({ level: 'error', message: 'deck processing failed', deckId, error: String(error) });
    outcome = { ok: false, message: 'Something went wrong on our side while preparing this file. Upload it again.' };
  }

  if (!outcome.ok) await deps.objects.delete(documentKey).catch(() => undefined);
  await deps.objects.delete(uploadKey).catch(() => undefined);
  const change = outcome.ok ? ({ status: 'ready', pageCount: outcome.pageCount } as const) : ({ status: 'failed', error: outcome.message } as const);
  const finished = await deps.decks.transition(hostId, deckId, ['converting'], change, deps.now());
  // Deleted meanwhile: its PDF must not outlive it.
  if (!finished && outcome.ok) await deps.objects.delete(documentKey).catch(() => undefined);
  await deps.decks.releaseLock(hostId, deckId);
  deps.log({ message: 'deck processed', deckId, format: deck.format, status: change.status, durationMs: deps.now() - started });
  return finished;
}

async function prepare(deps: ProcessDeckDeps, deck: StoredDeck, uploadKey: string, documentKey: string): Promise<{ ok: true; pageCount: number } | { ok: false; message: string }> {
  // s3rver checks no signatures, so the signed length proves nothing locally: check the stored size here, in both.
  const head = await deps.objects.head(uploadKey);
  if (!head) return { ok: false, message: 'The upload did not arrive. Upload the file again.' };
  if (head.size > deckLimits.maxBytes) return { ok: false, message: `This file is ${(head.size / 1024 / 1024).toFixed(1)} MB. ${DECK_LIMITS_TEXT}.` };
  if (head.size !== deck.sizeBytes) return { ok: false, message: 'The upload was cut short or changed on the way. Upload the file again.' };
  const bytes = await deps.objects.get(uploadKey);
  if (!bytes) return { ok: false, message: 'The upload did not arrive. Upload the file again.' };

  const check = checkUpload(deck.format, bytes);
  if (!check.ok) return check;

  let pdf = bytes;
  if (deckFormats[deck.format].converted) {
    if (!deps.convert) return { ok: false, message: CONVERTER_NOT_SET_UP };
    const converted = await deps.convert({
      format: deck.format,
      sourceUrl: await deps.objects.presignDownload(uploadKey, { expiresInSeconds: 600 }),
      resultUrl: await deps.objects.presignUpload(documentKey, { contentType: 'application/pdf', expiresInSeconds: 600 }),
    });
    if (converted.status !== 'ok') return { ok: false, message: converted.message };
    const stored = await deps.objects.get(documentKey);
    if (!stored) return { ok: false, message: 'The converted PDF did not arrive. Upload the file again.' };
    pdf = stored;
  }

  const opened = await checkPdf(pdf);
  if (!opened.ok) return opened;
  if (!deckFormats[deck.format].converted) await deps.objects.put(documentKey, pdf, 'application/pdf');
  return opened;
}
