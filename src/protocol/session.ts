import { z } from 'zod';
import { deckHttpRoutes } from './decks';

/** The HTTP API's request and response shapes, shared by the browser and the session function. */

export const MAX_HTTP_BODY_BYTES = 16 * 1024;
export const TITLE_MAX_LENGTH = 120;

export const sessionIdSchema = z.uuid({ message: 'must be a session id (a UUID)' });

export const sessionStatusSchema = z.enum(['active', 'ended']);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

const titleSchema = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(TITLE_MAX_LENGTH, { message: `must be at most ${TITLE_MAX_LENGTH} characters` });

export const createSessionBodySchema = z.strictObject({ title: titleSchema });
export type CreateSessionBody = z.infer<typeof createSessionBodySchema>;

/** Only the host may update; status moves from active to ended, never back. */
export const updateSessionBodySchema = z
  .strictObject({
    title: titleSchema.optional(),
    status: z.literal('ended', { message: "can only be set to 'ended'" }).optional(),
  })
  .refine((body) => body.title !== undefined || body.status !== undefined, {
    message: 'give a title or a status to change',
  });
export type UpdateSessionBody = z.infer<typeof updateSessionBodySchema>;

export const listSessionsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().max(2048).optional(),
});

/** A session as its host sees it. */
export const sessionSchema = z.object({
  sessionId: sessionIdSchema,
  hostId: z.string(),
  title: z.string(),
  status: sessionStatusSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().optional(),
  /** When the host deleted the session's replay (its log, checkpoints and insights). */
  replayDeletedAt: z.string().optional(),
  /** The session's Amazon IVS stage (the `ivs` media provider), created on the host's first publication. */
  mediaStageArn: z.string().optional(),
  /** Where IVS records the host's tracks in the files bucket (`<prefix>/<participantId>/…`), when recording is on. */
  recordingPrefix: z.string().optional(),
});
export type Session = z.infer<typeof sessionSchema>;

/** What anyone holding the id may read: no host identity. */
export const publicSessionSchema = sessionSchema.omit({ hostId: true, mediaStageArn: true });
export type PublicSession = z.infer<typeof publicSessionSchema>;

export const sessionListSchema = z.object({
  sessions: z.array(sessionSchema),
  nextToken: z.string().optional(),
});
export type SessionList = z.infer<typeof sessionListSchema>;

/** Route keys, exactly as API Gateway HTTP API names them. */
export const httpRoutes = {
  createSession: 'POST /sessions',
  listSessions: 'GET /sessions',
  getSession: 'GET /sessions/{sessionId}',
  updateSession: 'PATCH /sessions/{sessionId}',
  ...deckHttpRoutes,
  // Replays and insights (src/protocol/replay.ts).
  getReplay: 'GET /sessions/{sessionId}/replay',
  seekReplay: 'GET /sessions/{sessionId}/replay/seek',
  readReplayLog: 'GET /sessions/{sessionId}/replay/log',
  readReplayReactions: 'GET /sessions/{sessionId}/replay/reactions',
  deleteReplay: 'DELETE /sessions/{sessionId}/replay',
  getInsights: 'GET /sessions/{sessionId}/insights',
  /** Host only (Cognito authorizer + host check): an IVS token that may publish. */
  publishMediaToken: 'POST /sessions/{sessionId}/media/publish-token',
  /** Anyone with the link: an IVS token that may only subscribe. */
  subscribeMediaToken: 'POST /sessions/{sessionId}/media/subscribe-token',
} as const;
export type HttpRouteKey = (typeof httpRoutes)[keyof typeof httpRoutes];
/**
 * Routes anyone may call; every other route needs a Cognito access token. A live session's
 * replay routes still check that the caller holds one of its connections.
 */
export const publicHttpRoutes: readonly HttpRouteKey[] = [
  httpRoutes.getSession,
  httpRoutes.getSessionDeck,
  httpRoutes.getReplay,
  httpRoutes.seekReplay,
  httpRoutes.readReplayLog,
  httpRoutes.readReplayReactions,
  httpRoutes.subscribeMediaToken,
];
