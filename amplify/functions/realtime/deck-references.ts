import { DECK_REFERENCE_KEY, deckIdSchema } from '../../../src/protocol/decks.js';
import type { Patch, RejectionCode } from '../../../src/protocol/realtime.js';
import type { DecksTable } from '../../data/decks-table.js';

/**
 * A tile refers to a deck through its `deckId` state key. Before a batch that sets one is
 * stored, the deck must be the publishing host's own; it is then attached to the session, which
 * is what lets the session's viewers (and later its replay) read it. A deck id of another user
 * is refused like one that does not exist: ownership is part of the deck's key.
 */
export function referencedDeckIds(patches: readonly Patch[]): unknown[] {
  const ids: unknown[] = [];
  for (const patch of patches) {
    const state = patch.type === 'tile.add' ? patch.state : patch.type === 'tile.state' ? patch.set : undefined;
    if (state && Object.hasOwn(state, DECK_REFERENCE_KEY)) ids.push(state[DECK_REFERENCE_KEY]);
  }
  return ids;
}

export async function attachReferencedDecks(
  patches: readonly Patch[],
  caller: { sessionId: string; userId: string },
  decks: DecksTable | undefined,
  now: number,
): Promise<{ code: RejectionCode; message: string } | undefined> {
  const ids = [...new Set(referencedDeckIds(patches))];
  if (ids.length === 0) return undefined;
  for (const id of ids) {
    // An empty tile has no deck yet.
    if (id === null || id === '') continue;
    if (!deckIdSchema.safeParse(id).success) return { code: 'bad_message', message: `${DECK_REFERENCE_KEY} must be a deck id (a UUID) or empty.` };
  }
  const deckIds = ids.filter((id): id is string => typeof id === 'string' && id !== '');
  if (deckIds.length === 0) return undefined;
  if (!decks) return { code: 'unavailable', message: 'Slides are not set up on this deployment.' };
  const found = await Promise.all(deckIds.map((deckId) => decks.get(caller.userId, deckId)));
  const missing = deckIds.find((_, index) => !found[index]);
  if (missing) {
    return { code: 'forbidden', message: `Deck ${missing} is not one of your decks. Pick one from My decks, or upload the file again.` };
  }
  await Promise.all(deckIds.map((deckId) => decks.attach(caller.sessionId, deckId, caller.userId, now)));
  return undefined;
}
