import { z } from 'zod';
import { isReservedKey, jsonProblem, numberProblem } from './storable-json';

/**
 * The whiteboard's wire and storage format: Excalidraw elements, validated the same way by the
 * host's browser (before sending) and the realtime handler (before storing). Elements are
 * Excalidraw's own JSON; only what rendering and storage depend on is checked field by field,
 * and the whole element must be storable JSON (storable-json.ts) of bounded size.
 */

/** A board's id: chosen by the host's browser when it adds the tile, stored in the tile's state. */
export const boardIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, { message: 'must be 8–64 letters, digits, - or _' });

/** Excalidraw's element ids are 21-character nanoids; anything of that alphabet up to 64 is accepted. */
export const elementIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1–64 letters, digits, - or _' })
  .refine((id) => !isReservedKey(id), { message: 'is a reserved name' });

/** The element types viewers can render offline. Embeds (`embeddable`, `iframe`) would load other sites: never synced. */
export const boardElementTypes = ['rectangle', 'diamond', 'ellipse', 'arrow', 'line', 'freedraw', 'text', 'image', 'frame', 'magicframe'] as const;
export type BoardElementType = (typeof boardElementTypes)[number];

/**
 * One element, as JSON, must fit one client frame with its message around it: API Gateway's
 * 32 KB frame limit, less room for the envelope. Larger elements are refused with this size in
 * the message (see docs/protocol.md, Whiteboard).
 */
export const MAX_ELEMENT_BYTES = 30 * 1024;
/** Elements per `boardUpdate` message; the frame limit usually binds first. */
export const MAX_ELEMENTS_PER_UPDATE = 500;
/**
 * The stored board (every element's JSON, tombstones included): 8 MB keeps a joiner's load to a
 * few 1 MB Query pages and a few seconds on a slow link. The host is told when a batch would pass it.
 */
export const MAX_BOARD_BYTES = 8 * 1024 * 1024;
export const MAX_TEXT_LENGTH = 20_000;
export const MAX_LINK_LENGTH = 2048;
/** Coordinates and sizes: far beyond any drawing, far inside what DynamoDB and doubles hold exactly enough. */
export const MAX_COORDINATE = 1e9;

const storableNumber = z.number().superRefine((value, ctx) => {
  const problem = numberProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const coordinate = storableNumber.pipe(z.number().min(-MAX_COORDINATE).max(MAX_COORDINATE));

/** Links open when a viewer clicks them: only web and mail addresses, never `javascript:`, `data:` or the like. */
export function isSafeLink(link: string): boolean {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'mailto:';
}

const fileIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, { message: 'must be 1–100 letters, digits, - or _' });

/** The fields Excalidraw and the store rely on; other fields pass through (Excalidraw adds some between versions). */
const elementFieldsSchema = z.looseObject({
  id: elementIdSchema,
  type: z.enum(boardElementTypes, { message: `must be one of ${boardElementTypes.join(', ')}` }),
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  versionNonce: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  isDeleted: z.boolean(),
  /** Excalidraw's fractional index (z-order), base 62; null until Excalidraw assigns one. */
  index: z
    .string()
    .regex(/^[0-9A-Za-z]{1,64}$/, { message: 'must be a fractional index (1–64 base-62 digits)' })
    .refine(isOrderKey, { message: 'must be a fractional index key (a letter giving the integer part’s length, then digits not ending in 0)' })
    .nullable(),
  x: coordinate,
  y: coordinate,
  width: coordinate,
  height: coordinate,
  angle: coordinate,
  updated: storableNumber.optional(),
  link: z
    .string()
    .max(MAX_LINK_LENGTH, { message: `must be at most ${MAX_LINK_LENGTH} characters` })
    .refine(isSafeLink, { message: 'must be an http, https or mailto link' })
    .nullable()
    .optional(),
  points: z.array(z.tuple([coordinate, coordinate])).optional(),
  pressures: z.array(storableNumber).optional(),
  text: z.string().max(MAX_TEXT_LENGTH, { message: `must be at most ${MAX_TEXT_LENGTH} characters` }).optional(),
  originalText: z.string().max(MAX_TEXT_LENGTH, { message: `must be at most ${MAX_TEXT_LENGTH} characters` }).optional(),
  fileId: fileIdSchema.nullable().optional(),
});

/** An Excalidraw element as it travels and is stored: plain JSON with the checked fields typed. */
export type BoardElement = z.infer<typeof elementFieldsSchema> & Record<string, unknown>;

/** Nesting of an element (element → points → point is 3; customData may add a little). */
export const MAX_ELEMENT_DEPTH = 8;

export const elementBytes = (element: unknown): number => new TextEncoder().encode(JSON.stringify(element)).length;

/** One element: storable JSON, the checked fields, and at most MAX_ELEMENT_BYTES. */
export const boardElementSchema = z
  .custom<unknown>(() => true)
  .superRefine((value, ctx) => {
    const problem = jsonProblem(value, { maxDepth: MAX_ELEMENT_DEPTH, numbers: true });
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
      return;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && elementBytes(value) > MAX_ELEMENT_BYTES) {
      ctx.addIssue({ code: 'custom', message: `is larger than ${MAX_ELEMENT_BYTES / 1024} KB as JSON` });
    }
  })
  .pipe(elementFieldsSchema) as unknown as z.ZodType<BoardElement>;

/** The host's view of the board, for followers: the scene rectangle it shows, in scene units. */
export const boardViewportSchema = z.strictObject({
  scrollX: coordinate,
  scrollY: coordinate,
  zoom: z.number().min(0.01).max(100),
  width: z.number().min(1).max(100_000),
  height: z.number().min(1).max(100_000),
});
export type BoardViewport = z.infer<typeof boardViewportSchema>;

/** The host's pointer on the board: its laser pointer trail is drawn for everyone while `button` is down. */
export const boardPointerSchema = z.strictObject({
  x: coordinate,
  y: coordinate,
  tool: z.enum(['pointer', 'laser']),
  button: z.enum(['up', 'down']),
});
export type BoardPointer = z.infer<typeof boardPointerSchema>;

/** Images on a board are stored in the files bucket; these types render as <img> everywhere. */
export const boardFileTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml'] as const;
/** Excalidraw refuses larger images itself. */
export const MAX_BOARD_FILE_BYTES = 4 * 1024 * 1024;

export const boardFileSchema = z.strictObject({
  fileId: fileIdSchema,
  mimeType: z.enum(boardFileTypes, { message: `must be one of ${boardFileTypes.join(', ')}` }),
  size: z
    .number()
    .int()
    .min(1)
    .max(MAX_BOARD_FILE_BYTES, { message: `must be at most ${MAX_BOARD_FILE_BYTES / 1024 / 1024} MB` }),
});
export type BoardFileUpload = z.infer<typeof boardFileSchema>;

// ---------------------------------------------------------------- reconciliation

/** The fields reconciliation compares. */
export type Versioned = Pick<BoardElement, 'id' | 'version' | 'versionNonce'>;

/**
 * Whether `incoming` replaces `current`: a higher version wins; on equal versions the lower
 * versionNonce wins (Excalidraw's own rule in reconcileElements), so every replica that has
 * seen the same elements keeps the same one, whatever order they arrived in.
 */
export function supersedes(incoming: Versioned, current: Versioned | undefined): boolean {
  if (!current) return true;
  if (incoming.version !== current.version) return incoming.version > current.version;
  return incoming.versionNonce < current.versionNonce;
}

/** Merges elements into a map by id, keeping the winning version of each. Pure; idempotent; order-free. */
export function mergeElements<E extends Versioned>(into: ReadonlyMap<string, E>, incoming: Iterable<E>): Map<string, E> {
  const next = new Map(into);
  for (const element of incoming) if (supersedes(element, next.get(element.id))) next.set(element.id, element);
  return next;
}

/**
 * A key as Excalidraw's fractional indexing makes them: the head letter gives the integer
 * part's length (a–z: 2–27, Z–A: 2–27) and the fraction never ends in 0. Excalidraw throws
 * while ordering a scene that holds any other key, and a viewer's board would never load.
 */
export function isOrderKey(key: string): boolean {
  const head = key.charCodeAt(0);
  const integerLength = head >= 97 && head <= 122 ? head - 97 + 2 : head >= 65 && head <= 90 ? 90 - head + 2 : 0;
  if (integerLength === 0 || key.length < integerLength || key === `A${'0'.repeat(26)}`) return false;
  return !key.slice(integerLength).endsWith('0');
}

/** Elements ordered by fractional index (z-order), ties by id, as Excalidraw orders them. */
export function orderByIndex<E extends { id: string; index?: string | null }>(elements: Iterable<E>): E[] {
  return [...elements].sort((a, b) => {
    const ai = a.index ?? '';
    const bi = b.index ?? '';
    if (ai !== bi) return ai < bi ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
