import { z } from 'zod';
import { languageSchema } from './code';
import {
  CHAT_MAX_LENGTH,
  CHAT_NAME_MAX_LENGTH,
  RECENT_CHAT_KEPT,
  canvasFlagsSchema,
  frameSchema,
  patchSchema,
  reactionEmojis,
  tileKindSchema,
  type CanvasSnapshot,
  type ChatMessage,
  type Json,
  type Patch,
  type Tile,
} from './realtime';
import { sessionIdSchema, sessionStatusSchema } from './session';

/**
 * Replays and insights on the wire: the HTTP API's replay routes (a public, paginated read of
 * checkpoints and the log), the host's insights, and the checkpoint policy. The pure fold that
 * turns log entries into a canvas lives in replay-fold.ts. docs/protocol.md (Replay) explains both.
 */

/**
 * A checkpoint (the whole canvas and recent chat) is stored after at most this many sequenced
 * messages, bytes of them, or milliseconds since the previous one, whichever comes first.
 * - 100 messages: a seek reads one checkpoint and at most ~100 log entries in one range Query,
 *   whatever the session's length; each checkpoint costs about one head-sized write per 100
 *   messages (about 1 % on top of the head updates they replace).
 * - 128 KiB: entries can be up to 32 KB each (a pasted program); the range stays in one
 *   DynamoDB Query page (1 MB) however large they are.
 * - 60 s: in a slow session the unsummarised tail (what a replay's timeline and the host's
 *   insights fold on every read) stays about a minute long, for a checkpoint a minute at most.
 */
export const CHECKPOINT_POLICY = { everyMessages: 100, everyBytes: 128 * 1024, everyMs: 60_000 } as const;
export type CheckpointPolicy = { everyMessages: number; everyBytes: number; everyMs: number };

/** Replays are kept this long after a session starts (the log's TTL); then the API answers "expired". */
export const REPLAY_RETENTION_DAYS = 90;
export const REPLAY_RETENTION_MS = REPLAY_RETENTION_DAYS * 24 * 60 * 60 * 1000;

/** Log entries per page of the replay API. */
export const REPLAY_PAGE_DEFAULT = 200;
export const REPLAY_PAGE_MAX = 500;
/** Longest window of reactions one request reads (at most 60 per 10 s from viewers, plus the host's). */
export const REACTION_WINDOW_MAX_MS = 5 * 60_000;
/** Chat a replay shows after a seek: as many as a live viewer gets on joining. */
export const REPLAY_CHAT_KEPT = RECENT_CHAT_KEPT;
/** Chat messages this close together share one marker on the timeline. */
export const CHAT_MARKER_MERGE_MS = 30_000;
/** A timeline has at most this many markers; later ones are counted, not kept. */
export const MAX_MARKERS = 3000;

// ---------------------------------------------------------------- log entries and states

export const chatMessageSchema = z.object({
  id: z.string().max(64),
  name: z.string().max(CHAT_NAME_MAX_LENGTH),
  text: z.string().max(CHAT_MAX_LENGTH),
  role: z.enum(['host', 'viewer']),
  at: z.number(),
});

const seqSchema = z.number().int().nonnegative();
/** One sequenced message as the log keeps it (SessionStates, sort key = seq). */
export const replayEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('patch'), seq: seqSchema, at: z.number(), patches: z.array(patchSchema) }),
  z.object({ kind: z.literal('chat'), seq: seqSchema, at: z.number(), message: chatMessageSchema }),
  z.object({ kind: z.literal('ended'), seq: seqSchema, at: z.number() }),
]);
export type ReplayEntry =
  | { kind: 'patch'; seq: number; at: number; patches: Patch[] }
  | { kind: 'chat'; seq: number; at: number; message: ChatMessage }
  | { kind: 'ended'; seq: number; at: number };

/**
 * What the replay shows at one point of the log: the canvas and recent chat after `seq`, whose
 * time is `at` (the largest `at` so far, so time never runs backwards). A checkpoint stores one.
 */
export interface ReplayState {
  seq: number;
  at: number;
  canvas: CanvasSnapshot;
  chat: ChatMessage[];
  /** When the log reached its `ended` entry. */
  endedAt?: number;
  /**
   * What tile kinds keep outside the canvas (e.g. a whiteboard's elements), as of `seq`, by
   * tile id; captured by the kind's server-side hook when the checkpoint is written.
   */
  attachments?: Record<string, Json>;
}

const tileSchema = z.object({
  kind: tileKindSchema,
  frame: frameSchema,
  state: z.record(z.string(), z.custom<Json>((value) => value !== undefined)),
}) as unknown as z.ZodType<Tile>;

export const replayStateSchema = z.object({
  seq: seqSchema,
  at: z.number(),
  canvas: z.object({ seq: seqSchema, tiles: z.record(z.string(), tileSchema), canvas: canvasFlagsSchema }),
  chat: z.array(chatMessageSchema),
  endedAt: z.number().optional(),
  attachments: z.record(z.string(), z.custom<Json>((value) => value !== undefined)).optional(),
}) as unknown as z.ZodType<ReplayState>;

// ---------------------------------------------------------------- timeline markers

export const markerKinds = ['tile', 'code', 'slide', 'chat', 'live', 'paused', 'end'] as const;
export type MarkerKind = (typeof markerKinds)[number];

/** A moment worth jumping to. `detail` is the tile kind (tile), the language (code) or the page (slide). */
export const replayMarkerSchema = z.object({
  at: z.number(),
  seq: seqSchema,
  kind: z.enum(markerKinds),
  detail: z.string().max(80).optional(),
  /** Code runs: how the run ended (a RunStatus). */
  status: z.string().max(40).optional(),
  /** Chat: messages this marker stands for. */
  count: z.number().int().positive().optional(),
});
export type ReplayMarker = z.infer<typeof replayMarkerSchema>;

// ---------------------------------------------------------------- HTTP API: requests

/** Whoever watches a live session's replay proves it with their open connection to that session. */
const connectionIdParam = z.string().min(1).max(128).optional();
const epochMsParam = z.coerce.number({ message: 'must be a time in epoch milliseconds' }).int().min(0).max(9_999_999_999_999);
const pageLimit = z.coerce.number().int().min(1).max(REPLAY_PAGE_MAX).default(REPLAY_PAGE_DEFAULT);

export const replayManifestQuerySchema = z.strictObject({ connectionId: connectionIdParam });
export const replaySeekQuerySchema = z.strictObject({ at: epochMsParam, limit: pageLimit, connectionId: connectionIdParam });
export const replayLogQuerySchema = z.strictObject({
  after: z.coerce.number({ message: 'must be a seq' }).int().min(0).max(Number.MAX_SAFE_INTEGER),
  limit: pageLimit,
  connectionId: connectionIdParam,
});
export const replayReactionsQuerySchema = z
  .strictObject({ from: epochMsParam, to: epochMsParam, connectionId: connectionIdParam })
  .refine((query) => query.to >= query.from, { message: 'to must not be before from', path: ['to'] })
  .refine((query) => query.to - query.from <= REACTION_WINDOW_MAX_MS, {
    message: `the window must be at most ${REACTION_WINDOW_MAX_MS / 60_000} minutes`,
    path: ['to'],
  });

// ---------------------------------------------------------------- HTTP API: responses

/** `GET /sessions/{id}/replay`: what the player needs before the first seek. */
export const replayManifestSchema = z.object({
  sessionId: sessionIdSchema,
  title: z.string(),
  status: sessionStatusSchema,
  /** The timeline's start: the first logged message (the session's creation when nothing was logged). */
  startAt: z.number(),
  /** When it ended; for a live session, the server's time now (the live edge). */
  endAt: z.number(),
  /** When the host first went live, if ever: where the player starts. */
  firstLiveAt: z.number().optional(),
  serverTime: z.number(),
  /** The last seq logged so far. */
  lastSeq: seqSchema,
  markers: z.array(replayMarkerSchema),
  /** False when the log was too long to read whole for this answer (markers are then the summarised part). */
  markersComplete: z.boolean(),
  /** After this, the replay is deleted (REPLAY_RETENTION_DAYS after the session started). */
  availableUntil: z.number(),
});
export type ReplayManifest = z.infer<typeof replayManifestSchema>;

/** `GET …/replay/seek?at=`: the nearest checkpoint at or before `at` (none: start from the empty canvas) and the log after it. */
export const replaySeekSchema = z.object({
  at: z.number(),
  checkpoint: replayStateSchema.nullable(),
  entries: z.array(replayEntrySchema),
  /** Read on with `…/replay/log?after=<next>`; null once the log has nothing more (yet). */
  next: seqSchema.nullable(),
});
export type ReplaySeek = z.infer<typeof replaySeekSchema>;

/** `GET …/replay/log?after=`: the log's next page. */
export const replayLogPageSchema = z.object({ entries: z.array(replayEntrySchema), next: seqSchema.nullable() });
export type ReplayLogPage = z.infer<typeof replayLogPageSchema>;

export const replayReactionSchema = z.object({ at: z.number(), emoji: z.enum(reactionEmojis) });
export type ReplayReaction = z.infer<typeof replayReactionSchema>;
/** `GET …/replay/reactions?from=&to=`: the reactions sent in that window, oldest first. */
export const replayReactionsSchema = z.object({ reactions: z.array(replayReactionSchema) });

/** `DELETE /sessions/{id}/replay` (the host): `deleting` means call again to continue. */
export const replayDeletionSchema = z.object({ status: z.enum(['deleted', 'deleting']) });
export type ReplayDeletion = z.infer<typeof replayDeletionSchema>;

/** A point of a chart: [epoch ms, value]. */
const pointSchema = z.tuple([z.number(), z.number()]);

/** `GET /sessions/{id}/insights` (the host only). Series are [bucket start, value], every `bucketMs`. */
export const sessionInsightsSchema = z.object({
  sessionId: sessionIdSchema,
  title: z.string(),
  status: sessionStatusSchema,
  startAt: z.number(),
  endAt: z.number(),
  durationMs: z.number(),
  /** Time the canvas was live (viewers saw it rather than the waiting screen). */
  liveMs: z.number(),
  /** The width of one bucket of the series below: a minute, or more for long sessions. */
  bucketMs: z.number(),
  viewers: z.object({
    peak: z.number(),
    /** Time-weighted over the session's duration. */
    average: z.number(),
    viewerMinutes: z.number(),
    joins: z.number(),
    /** Concurrent viewers after each change (at most a few hundred points: the peak of each stretch). */
    concurrent: z.array(pointSchema),
    joinsOverTime: z.array(pointSchema),
  }),
  chat: z.object({ total: z.number(), overTime: z.array(pointSchema) }),
  reactions: z.object({ total: z.number(), overTime: z.array(pointSchema), byEmoji: z.record(z.string(), z.number()) }),
  codeRuns: z.object({ total: z.number(), byLanguage: z.partialRecord(languageSchema, z.number()) }),
  tilesAdded: z.number(),
  /** Parts that are not whole for this session (too long to read in one answer). */
  incomplete: z.array(z.enum(['presence', 'reactions', 'log'])),
});
export type SessionInsights = z.infer<typeof sessionInsightsSchema>;
