import { z } from 'zod';

/**
 * Slide decks: the HTTP API's deck routes, shared by the browser and the session function.
 * A deck is an uploaded PDF or presentation, stored as one PDF that every viewer renders.
 */

export const MiB = 1024 * 1024;

export const deckLimits = {
  /** Largest upload, in bytes. */
  maxBytes: 50 * MiB,
  maxPages: 300,
  /** Decks one host keeps ("My decks"); deleting one makes room. */
  maxDecksPerHost: 50,
} as const;

/** The one sentence every size or page refusal carries, so the host learns both limits at once. */
export const DECK_LIMITS_TEXT = 'Files up to 50 MB and 300 pages';

/** What can be uploaded, by file extension. Only PDFs skip the converter. */
export const deckFormats = {
  pdf: { label: 'PDF', contentType: 'application/pdf', converted: false },
  pptx: { label: 'PowerPoint', contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', converted: true },
  ppt: { label: 'PowerPoint 97–2003', contentType: 'application/vnd.ms-powerpoint', converted: true },
  odp: { label: 'OpenDocument presentation', contentType: 'application/vnd.oasis.opendocument.presentation', converted: true },
} as const;
export type DeckFormat = keyof typeof deckFormats;
export const deckFormatSchema = z.enum(Object.keys(deckFormats) as [DeckFormat, ...DeckFormat[]]);

/** For file pickers: `.pdf,.pptx,.ppt,.odp`. */
export const DECK_FILE_ACCEPT = Object.keys(deckFormats).map((extension) => `.${extension}`).join(',');

/** The format a file name claims, from its extension; undefined when it is not one we take. */
export function deckFormatOfFileName(fileName: string): DeckFormat | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  return extension && extension in deckFormats ? (extension as DeckFormat) : undefined;
}

export const deckIdSchema = z.uuid({ message: 'must be a deck id (a UUID)' });

/**
 * uploading → queued → converting → ready, or failed at any step. A deck whose upload or
 * conversion stalled past its time counts as failed (`effectiveDeckStatus`).
 */
export const deckStatusSchema = z.enum(['uploading', 'queued', 'converting', 'ready', 'failed']);
export type DeckStatus = z.infer<typeof deckStatusSchema>;

export const DECK_NAME_MAX_LENGTH = 200;

export const createDeckBodySchema = z.strictObject({
  fileName: z
    .string({ message: 'must be a string' })
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(DECK_NAME_MAX_LENGTH, { message: `must be at most ${DECK_NAME_MAX_LENGTH} characters` })
    .refine((name) => deckFormatOfFileName(name) !== undefined, {
      message: `must end in ${Object.keys(deckFormats).map((e) => `.${e}`).join(', ')}`,
    }),
  /** The file's size in bytes; the upload URL is signed for exactly this size, and the server checks it again. */
  size: z
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number of bytes' })
    .min(1, { message: 'must not be 0: the file is empty' })
    .max(deckLimits.maxBytes, { message: `${DECK_LIMITS_TEXT}` }),
});
export type CreateDeckBody = z.infer<typeof createDeckBodySchema>;

/** A deck as its host sees it. */
export const deckSchema = z.object({
  deckId: deckIdSchema,
  /** The uploaded file's name. */
  name: z.string(),
  format: deckFormatSchema,
  sizeBytes: z.number(),
  status: deckStatusSchema,
  /** Once ready. */
  pageCount: z.number().int().optional(),
  /** Once failed: what went wrong, in words for the host. */
  error: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Deck = z.infer<typeof deckSchema>;

/** `POST /decks`: the new deck and where to PUT the file. */
export const deckUploadSchema = z.object({
  deck: deckSchema,
  upload: z.object({
    url: z.string(),
    /** Send exactly these headers with the PUT (the URL is signed for them). */
    headers: z.record(z.string(), z.string()),
    expiresAt: z.string(),
  }),
});
export type DeckUpload = z.infer<typeof deckUploadSchema>;

export const deckListSchema = z.object({ decks: z.array(deckSchema) });
export type DeckList = z.infer<typeof deckListSchema>;

/** A ready deck's PDF: a short-lived URL anyone holding it may GET. */
export const deckDocumentSchema = z.object({
  deckId: deckIdSchema,
  pageCount: z.number().int(),
  url: z.string(),
  expiresAt: z.string(),
});
export type DeckDocument = z.infer<typeof deckDocumentSchema>;

/** Route keys, as API Gateway HTTP API names them (merged into `httpRoutes`). */
export const deckHttpRoutes = {
  createDeck: 'POST /decks',
  listDecks: 'GET /decks',
  getDeck: 'GET /decks/{deckId}',
  convertDeck: 'POST /decks/{deckId}/convert',
  deleteDeck: 'DELETE /decks/{deckId}',
  /** Public: a viewer's way to a session's slides, only for decks attached to that session. */
  getSessionDeck: 'GET /sessions/{sessionId}/decks/{deckId}',
} as const;

/**
 * How long a deck may stay uploading (the upload URL's life plus a margin) or queued and
 * converting (the processor's own limit plus a margin) before it counts as failed.
 */
export const deckStallMs = { uploading: 20 * 60_000, processing: 5 * 60_000 } as const;

/** The status to show: an upload or conversion that stalled has failed, whatever is stored. */
export function effectiveDeckStatus(deck: { status: DeckStatus; updatedAt: string; error?: string }, now: number): { status: DeckStatus; error?: string } {
  const age = now - Date.parse(deck.updatedAt);
  if (deck.status === 'uploading' && age > deckStallMs.uploading) {
    return { status: 'failed', error: 'The upload did not finish. Upload the file again.' };
  }
  if ((deck.status === 'queued' || deck.status === 'converting') && age > deckStallMs.processing) {
    return { status: 'failed', error: 'The conversion did not finish in time. Upload the file again, or export it as a PDF and upload that.' };
  }
  return { status: deck.status, ...(deck.error ? { error: deck.error } : {}) };
}

/** The state key through which a tile refers to a deck; the server checks that the deck is the host's. */
export const DECK_REFERENCE_KEY = 'deckId';
