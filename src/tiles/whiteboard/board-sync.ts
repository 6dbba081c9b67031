import { MAX_CLIENT_MESSAGE_BYTES } from '../../protocol/realtime';
import { MAX_ELEMENTS_PER_UPDATE, boardElementSchema, boardElementTypes, elementBytes, type BoardElement } from '../../protocol/board';

/**
 * The whiteboard's sync rules, pure: which elements to send, how to pack them under the
 * frame limit, and how a replica notices it missed a batch. board-session.ts runs them.
 */

/** How often the host sends element changes while drawing (a freehand stroke grows at this pace). */
export const ELEMENT_SYNC_MS = 66;
/** How often the host sends its viewport and pointer while they move. */
export const VIEW_SYNC_MS = 50;
/** The host repeats its view this often while quiet: a viewer that missed it (or just joined) catches up. */
export const VIEW_REPEAT_MS = 5000;
/** A replica that saw a later revision than it has for this long reloads the board. */
export const REVISION_GAP_MS = 1500;

/** What the delta needs of an element: Excalidraw's elements and the wire's both fit. */
export interface SyncableElement {
  id: string;
  type: string;
  version: number;
  versionNonce: number;
}

const syncableTypes = new Set<string>(boardElementTypes);
/** Embeds would make viewers load other sites; they stay on the host's screen. */
export const isSyncable = (element: SyncableElement): boolean => syncableTypes.has(element.type);

/**
 * Elements the server does not have yet: syncable, and at a version other than the one last
 * sent or received for that id (`known`). Unchanged elements cost nothing however large the board.
 */
export function changedElements<E extends SyncableElement>(elements: readonly E[], known: ReadonlyMap<string, number>): E[] {
  return elements.filter((element) => isSyncable(element) && known.get(element.id) !== element.version);
}

/** Room for the message around the elements: `{"v":1,"action":"boardUpdate","boardId":"…","clientSeq":…,"elements":[…]}`. */
export const UPDATE_ENVELOPE_BYTES = 256;

export interface Packed<E> {
  batches: E[][];
  /** Elements that do not fit one message on their own. */
  oversized: E[];
}

/**
 * Packs elements into batches whose whole message stays under the client frame limit (32 KB)
 * and MAX_ELEMENTS_PER_UPDATE. Each element is self-contained and reconciliation ignores
 * order, so the batches may arrive in any order.
 */
export function packBatches<E>(elements: readonly E[], maxMessageBytes = MAX_CLIENT_MESSAGE_BYTES): Packed<E> {
  const budget = maxMessageBytes - UPDATE_ENVELOPE_BYTES;
  const batches: E[][] = [];
  const oversized: E[] = [];
  let current: E[] = [];
  let size = 0;
  for (const element of elements) {
    const bytes = elementBytes(element) + 1; // the comma
    if (bytes > budget) {
      oversized.push(element);
      continue;
    }
    if (current.length > 0 && (size + bytes > budget || current.length >= MAX_ELEMENTS_PER_UPDATE)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(element);
    size += bytes;
  }
  if (current.length) batches.push(current);
  return { batches, oversized };
}

/** Why the server would refuse an element, checked before sending (the same schema as the handler's). */
export function elementProblem(element: unknown): string | undefined {
  const result = boardElementSchema.safeParse(element);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  return `${issue.path.join('.') || 'element'}: ${issue.message}`;
}

/** Plain JSON of an element (Excalidraw's objects are frozen class-free objects already; this drops undefined). */
export function toWire(element: object): BoardElement {
  return JSON.parse(JSON.stringify(element)) as BoardElement;
}

/**
 * Which board revisions a replica has. Revisions count stored batches; each is posted to
 * every connection, so a replica that knows revision 7 and sees 9 missed 8 (a lost post), unless
 * 8 is still on its way: `behindSince` says since when a gap has been open.
 */
export class RevisionTracker {
  /** Every revision up to here is applied. */
  contiguous = 0;
  private ahead = new Set<number>();
  private highest = 0;
  private gapSince: number | undefined;

  /** A whole board at `rev` was loaded: everything up to it is applied. */
  loaded(rev: number, now: number): void {
    this.contiguous = Math.max(this.contiguous, rev);
    this.advance(now);
  }

  /** One batch, or a note (the host's `rev` in its view messages) that the board reached `rev`. */
  seen(rev: number, now: number, { applied }: { applied: boolean }): void {
    this.highest = Math.max(this.highest, rev);
    if (applied && rev > this.contiguous) this.ahead.add(rev);
    this.advance(now);
  }

  /** Since when a revision has been missing, or undefined. */
  get behindSince(): number | undefined {
    return this.gapSince;
  }

  private advance(now: number) {
    while (this.ahead.has(this.contiguous + 1)) this.ahead.delete(++this.contiguous);
    for (const rev of this.ahead) if (rev <= this.contiguous) this.ahead.delete(rev);
    if (this.highest > this.contiguous) this.gapSince ??= now;
    else this.gapSince = undefined;
  }
}
