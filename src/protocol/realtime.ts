import { z } from 'zod';
import { mediaRefSchema, mediaSignalSchema, type MediaSignal } from './media';
import { MAX_JSON_DEPTH, emptyMap, isReservedKey, isWellFormed, jsonProblem, numberProblem } from './storable-json';
import {
  MAX_ELEMENTS_PER_UPDATE,
  boardElementSchema,
  boardFileSchema,
  boardIdSchema,
  boardPointerSchema,
  boardViewportSchema,
  type BoardElement,
  type BoardPointer,
  type BoardViewport,
} from './board';
export { MAX_JSON_DEPTH, RESERVED_KEYS } from './storable-json';

/**
 * The WebSocket wire protocol, version 1, shared by the browser client and the realtime
 * handler. docs/protocol.md explains it; this module is its single source of truth.
 */
export const PROTOCOL_VERSION = 1;
export const WEBSOCKET_STAGE = 'prod';

/** API Gateway's frame limit: a browser sends each message as one frame, so this bounds every client message. */
export const MAX_CLIENT_MESSAGE_BYTES = 32 * 1024;
/** Headroom under DynamoDB's 400 KB item limit for the stored canvas. */
export const MAX_SNAPSHOT_BYTES = 350 * 1024;
export const MAX_PATCHES_PER_MESSAGE = 50;
/** Nesting of a whole client message: a state value's MAX_JSON_DEPTH plus the levels around it (message, patches, patch, state). */
export const MAX_MESSAGE_DEPTH = MAX_JSON_DEPTH + 4;
export const CHAT_MAX_LENGTH = 500;
export const CHAT_NAME_MAX_LENGTH = 40;
export const RECENT_CHAT_KEPT = 50;

/** Logical canvas: every client scales this to its window. */
export const CANVAS_WIDTH = 1920;
export const CANVAS_HEIGHT = 1080;

export const reactionEmojis = ['👏', '❤️', '😂', '🎉', '🤯', '👍', '🔥', '🙌'] as const;

/**
 * Per-connection limits, as token buckets: `max` in a burst, refilling at `max` per window
 * (so a burst straddling any boundary cannot double them).
 */
export const rateLimits = {
  chat: { max: 5, windowSeconds: 10 },
  react: { max: 10, windowSeconds: 10 },
  signal: { max: 200, windowSeconds: 10 },
  runCode: { max: 10, windowSeconds: 60 },
  // A sync reads the whole stored canvas (up to 400 KB): a client needs one per join or gap.
  sync: { max: 5, windowSeconds: 10 },
  // A board load reads the whole stored board (up to MAX_BOARD_BYTES): once per join, reconnect or gap.
  boardLoad: { max: 5, windowSeconds: 10 },
  // The host's viewport and laser pointer: 20 a second sustained (the client sends at most that), bursts of 40.
  boardView: { max: 40, windowSeconds: 2 },
  // Each image added to a board is one upload URL.
  boardFile: { max: 30, windowSeconds: 60 },
} as const;
export type RateLimitedAction = keyof typeof rateLimits;

/** Caps on all viewers of one session together, on top of the per-connection limits: more sockets buy no more. */
export const sessionRateLimits = {
  chat: { max: 30, windowSeconds: 10 },
  react: { max: 60, windowSeconds: 10 },
} as const;
export type SessionRateLimitedAction = keyof typeof sessionRateLimits;

// ---------------------------------------------------------------- canvas state

/** Ids and keys become object keys in the browser and handler: `__proto__`, `constructor` and `prototype` never are. */
const notReserved = (key: string) => !isReservedKey(key);
const reservedMessage = { message: 'is a reserved name' };
export const tileIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, { message: 'must be 1–40 letters, digits, - or _' })
  .refine(notReserved, reservedMessage);
export const tileKindSchema = z.string().regex(/^[a-z][a-z0-9-]{0,23}$/, { message: 'must be a tile kind id' }).refine(notReserved, reservedMessage);

/** Frame numbers are stored too: only what DynamoDB holds exactly (see storable-json.ts). */
const storable = (value: number, ctx: z.RefinementCtx) => {
  const problem = numberProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};
const coordinate = z.number().min(-CANVAS_WIDTH).max(2 * CANVAS_WIDTH).superRefine(storable);
const size = z.number().min(1).max(2 * CANVAS_WIDTH).superRefine(storable);
export const frameSchema = z.strictObject({
  x: coordinate,
  y: coordinate,
  w: size,
  h: size,
  z: z.number().int().min(0).max(1_000_000),
});
export type Frame = z.infer<typeof frameSchema>;

/** JSON values a tile's state may hold. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/**
 * Storable JSON: numbers DynamoDB holds exactly, no reserved or empty keys, at most
 * MAX_JSON_DEPTH levels. Checked by one non-recursive walk, so deep input cannot overflow.
 */
export const jsonSchema = z.custom<Json>(() => true).superRefine((value, ctx) => {
  const problem = jsonProblem(value, { maxDepth: MAX_JSON_DEPTH, numbers: true });
  if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
}) as unknown as z.ZodType<Json>;
const stateKeySchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, { message: 'must be a state key' })
  .refine(notReserved, reservedMessage);
const tileStateSchema = z.record(stateKeySchema, jsonSchema);
export type TileState = Record<string, Json>;

export interface Tile {
  kind: string;
  frame: Frame;
  state: TileState;
}

export const canvasFlagsSchema = z.strictObject({
  live: z.boolean().optional(),
  chatHidden: z.boolean().optional(),
  /** The tile every viewer sees full-stage, or null for the whole canvas. */
  spotlight: tileIdSchema.nullable().optional(),
  /** The host's microphone: one audio publication per session (null: no microphone). */
  mic: mediaRefSchema.nullable().optional(),
  micMuted: z.boolean().optional(),
});
export type CanvasFlags = z.infer<typeof canvasFlagsSchema>;

export const patchSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('tile.add'), tileId: tileIdSchema, kind: tileKindSchema, frame: frameSchema, state: tileStateSchema }),
  z.strictObject({ type: z.literal('tile.frame'), tileId: tileIdSchema, frame: frameSchema.partial() }),
  z.strictObject({
    type: z.literal('tile.state'),
    tileId: tileIdSchema,
    /** Shallow merge: each key replaces that key of the tile's state. */
    set: tileStateSchema.optional(),
    unset: z.array(stateKeySchema).max(40).optional(),
  }),
  z.strictObject({ type: z.literal('tile.remove'), tileId: tileIdSchema }),
  z.strictObject({ type: z.literal('canvas.set'), set: canvasFlagsSchema }),
]);
export type Patch = z.infer<typeof patchSchema>;

export interface CanvasSnapshot {
  seq: number;
  tiles: Record<string, Tile>;
  canvas: CanvasFlags;
}

// ---------------------------------------------------------------- client -> server

/** Chat is stored too, as UTF-8. */
const unicodeMessage = { message: 'must be valid Unicode (no lone surrogates)' };
const epochMs = z.number().nonnegative().max(8.64e15);
const base = { v: z.literal(PROTOCOL_VERSION, { message: `must be ${PROTOCOL_VERSION}, the protocol version` }) };

export const clientMessageSchema = z.discriminatedUnion('action', [
  z.strictObject({
    ...base,
    action: z.literal('publishState'),
    /** The host's own counter, echoed in the ack so it can match replies to batches. */
    clientSeq: z.number().int().nonnegative(),
    patches: z.array(patchSchema).min(1).max(MAX_PATCHES_PER_MESSAGE),
  }),
  z.strictObject({ ...base, action: z.literal('sync'), clientTime: epochMs.optional() }),
  z.strictObject({ ...base, action: z.literal('ping'), clientTime: epochMs }),
  z.strictObject({
    ...base,
    action: z.literal('signal'),
    /** A viewer signals 'host'; the host names a viewer's connection id; either may signal 'sfu'. */
    to: z.string().min(1).max(128),
    /** WebRTC signalling, checked shape by shape (SDP and candidate sizes) before it is relayed. */
    data: mediaSignalSchema,
  }),
  z.strictObject({
    ...base,
    action: z.literal('chat'),
    name: z.string().trim().min(1).max(CHAT_NAME_MAX_LENGTH).refine(isWellFormed, unicodeMessage),
    text: z
      .string()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(CHAT_MAX_LENGTH, { message: `must be at most ${CHAT_MAX_LENGTH} characters` })
      .refine(isWellFormed, unicodeMessage),
  }),
  z.strictObject({ ...base, action: z.literal('react'), emoji: z.enum(reactionEmojis, { message: 'is not an allowed reaction' }) }),
  z.strictObject({ ...base, action: z.literal('end') }),
  z.strictObject({
    ...base,
    action: z.literal('runCode'),
    tileId: tileIdSchema,
    stdin: z.string().max(16 * 1024).default(''),
  }),
  z.strictObject({
    ...base,
    action: z.literal('boardUpdate'),
    boardId: boardIdSchema,
    /** The host's own counter, echoed in `boardAck`. */
    clientSeq: z.number().int().nonnegative(),
    elements: z.array(boardElementSchema).min(1).max(MAX_ELEMENTS_PER_UPDATE),
  }),
  z.strictObject({ ...base, action: z.literal('boardLoad'), boardId: boardIdSchema }),
  z.strictObject({
    ...base,
    action: z.literal('boardView'),
    boardId: boardIdSchema,
    viewport: boardViewportSchema.optional(),
    pointer: boardPointerSchema.nullable().optional(),
    /** The board revision the host has had acknowledged: a viewer behind it reloads. */
    rev: z.number().int().nonnegative().optional(),
  }),
  z.strictObject({ ...base, action: z.literal('boardFile'), boardId: boardIdSchema, file: boardFileSchema }),
]);
export type ClientMessage = z.input<typeof clientMessageSchema>;
export type ParsedClientMessage = z.output<typeof clientMessageSchema>;

/** Route keys: API Gateway selects them by the `action` field; anything else goes to $default. */
export const webSocketActions = [
  'publishState',
  'sync',
  'ping',
  'signal',
  'chat',
  'react',
  'end',
  'runCode',
  'boardUpdate',
  'boardLoad',
  'boardView',
  'boardFile',
] as const;
export type WebSocketAction = (typeof webSocketActions)[number];

// ---------------------------------------------------------------- server -> client

export interface ChatMessage {
  id: string;
  name: string;
  text: string;
  role: 'host' | 'viewer';
  at: number;
}

export type RejectionCode =
  | 'bad_message'
  | 'too_large'
  | 'unknown_action'
  | 'forbidden'
  | 'rate_limited'
  | 'session_ended'
  | 'unknown_tile'
  | 'snapshot_too_large'
  | 'not_found'
  | 'unavailable'
  | 'busy'
  | 'board_too_large'
  | 'internal';

export type ServerMessage =
  | {
      type: 'snapshot';
      v: 1;
      sessionId: string;
      connectionId: string;
      role: 'host' | 'viewer';
      snapshot: CanvasSnapshot;
      chat: ChatMessage[];
      viewerCount: number;
      serverTime: number;
      clientTime?: number;
      ended: boolean;
      /** Present when a large snapshot travels in several messages (see snapshot-parts.ts). */
      part?: number;
      parts?: number;
    }
  | { type: 'patch'; v: 1; seq: number; patches: Patch[]; at: number }
  | { type: 'ack'; v: 1; clientSeq: number; seq: number }
  | { type: 'pong'; v: 1; clientTime: number; serverTime: number }
  /** The head's seq, sent to the session when a host pings: a client behind it has missed something and resyncs. */
  | { type: 'beacon'; v: 1; seq: number }
  | { type: 'chat'; v: 1; seq: number; message: ChatMessage }
  | { type: 'reaction'; v: 1; emoji: string; at: number }
  | { type: 'presence'; v: 1; viewerCount: number; event?: 'join' | 'leave'; connectionId?: string }
  /** From a connection of the session, or from the SFU (`from: 'sfu'`, `fromRole: 'sfu'`). */
  | { type: 'signal'; v: 1; from: string; fromRole: 'host' | 'viewer' | 'sfu'; data: MediaSignal }
  | { type: 'ended'; v: 1; at: number }
  /** A host's stored element batch, to every other connection: reconcile by version, in any order. */
  | { type: 'board'; v: 1; boardId: string; rev: number; elements: BoardElement[]; files?: Record<string, string>; at: number }
  | { type: 'boardAck'; v: 1; boardId: string; clientSeq: number; rev: number }
  /** The whole stored board, in parts under 128 KB, to the caller of `boardLoad`. */
  | { type: 'boardSnapshot'; v: 1; boardId: string; rev: number; elements: BoardElement[]; files?: Record<string, string>; part: number; parts: number }
  /** The host's viewport and pointer: lossy, unsequenced, never stored. */
  | { type: 'boardView'; v: 1; boardId: string; viewport?: BoardViewport; pointer?: BoardPointer | null; rev?: number; at: number }
  /** Where the host uploads an image of the board (a presigned PUT, minutes long). */
  | { type: 'boardFileUrl'; v: 1; boardId: string; fileId: string; uploadUrl: string }
  | { type: 'error'; v: 1; code: RejectionCode; message: string; action?: string; clientSeq?: number };

/** Applies one patch to a snapshot, exactly as the server stores it. Pure: returns a new snapshot. */
export function applyPatch(snapshot: CanvasSnapshot, patch: Patch): CanvasSnapshot {
  // Maps without a prototype: a key is only ever a key, whatever a peer sent.
  const tiles = Object.assign(emptyMap<Tile>(), snapshot.tiles);
  switch (patch.type) {
    case 'tile.add':
      tiles[patch.tileId] = { kind: patch.kind, frame: patch.frame, state: patch.state };
      break;
    case 'tile.frame': {
      const tile = tiles[patch.tileId];
      if (tile) tiles[patch.tileId] = { ...tile, frame: { ...tile.frame, ...definedOnly(patch.frame) } };
      break;
    }
    case 'tile.state': {
      const tile = tiles[patch.tileId];
      if (!tile) break;
      const state = Object.assign(emptyMap<Json>(), tile.state, patch.set);
      for (const key of patch.unset ?? []) delete state[key];
      tiles[patch.tileId] = { ...tile, state };
      break;
    }
    case 'tile.remove':
      delete tiles[patch.tileId];
      break;
    case 'canvas.set':
      return { ...snapshot, canvas: { ...snapshot.canvas, ...definedOnly(patch.set) } };
  }
  return { ...snapshot, tiles };
}

export function applyPatches(snapshot: CanvasSnapshot, patches: readonly Patch[], seq: number): CanvasSnapshot {
  return { ...patches.reduce(applyPatch, snapshot), seq };
}

export const emptySnapshot: CanvasSnapshot = { seq: 0, tiles: {}, canvas: {} };

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type ParseResult =
  | { ok: true; message: ParsedClientMessage }
  | { ok: false; code: RejectionCode; message: string; action?: string; clientSeq?: number };

/** Validates one raw client frame; every failure names its reason. */
export function parseClientMessage(raw: string | undefined): ParseResult {
  if (raw === undefined || raw === '') return { ok: false, code: 'bad_message', message: 'The message is empty.' };
  if (byteLength(raw) > MAX_CLIENT_MESSAGE_BYTES) {
    return {
      ok: false,
      code: 'too_large',
      message: `The message is larger than ${MAX_CLIENT_MESSAGE_BYTES / 1024} KB. Split it into smaller messages.`,
    };
  }
  let value: unknown;
  try {
    // No reviver: V8 parses any nesting without recursion, a reviver would overflow the stack.
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'bad_message', message: 'The message is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'bad_message', message: 'The message must be a JSON object.' };
  }
  const record = value as Record<string, unknown>;
  const action = typeof record.action === 'string' ? record.action.slice(0, 40) : undefined;
  const clientSeq = typeof record.clientSeq === 'number' ? record.clientSeq : undefined;
  if (action === undefined || !(webSocketActions as readonly string[]).includes(action)) {
    return {
      ok: false,
      code: 'unknown_action',
      message: `Unknown action${action ? ` "${action}"` : ''}. Expected one of: ${webSocketActions.join(', ')}.`,
      ...(action ? { action } : {}),
      ...(clientSeq !== undefined ? { clientSeq } : {}),
    };
  }
  const context = { action, ...(clientSeq !== undefined ? { clientSeq } : {}) };
  // Before the schema, which silently skips "__proto__" keys and would recurse into deep nesting.
  const problem = jsonProblem(value, { maxDepth: MAX_MESSAGE_DEPTH, numbers: false });
  if (problem) {
    const where = problem.path.length ? ` at ${problem.path.join('.')}` : '';
    return { ok: false, code: 'bad_message', message: `Invalid ${action} message${where}: ${problem.message}.`, ...context };
  }
  const parsed = clientMessageSchema.safeParse(value);
  if (!parsed.success) {
    const details = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`)
      .join('; ');
    return { ok: false, code: 'bad_message', message: `Invalid ${action} message: ${details}.`, ...context };
  }
  return { ok: true, message: parsed.data };
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
