import type { DeckFormat } from '../../src/protocol/decks.js';

/**
 * Where a deck's files live in the files bucket. Keys are built here from ids the handlers
 * checked, never from client input as it is. Each host writes only under its own prefixes:
 *
 *   uploads/<hostId>/<deckId>/source.<ext>   what the browser PUT; deleted once processed (a bucket
 *                                            lifecycle rule removes abandoned ones after a day)
 *   decks/<hostId>/<deckId>/deck.pdf         the PDF every viewer renders
 */
export const deckObjectKeys = {
  upload: (hostId: string, deckId: string, format: DeckFormat) => `uploads/${hostId}/${deckId}/source.${format}`,
  document: (hostId: string, deckId: string) => `decks/${hostId}/${deckId}/deck.pdf`,
} as const;

/** The prefix the bucket's lifecycle rule expires. */
export const UPLOADS_PREFIX = 'uploads/';
