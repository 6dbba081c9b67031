import { z } from 'zod';
import { mediaSources, publicationIdSchema } from './media';

/**
 * Amazon IVS participant tokens (the `ivs` media provider), from the HTTP API. The host asks
 * for a publish token per publication (an IVS participant carries one camera or one screen);
 * anyone may ask for a subscribe-only token. The server chooses the capabilities from the
 * route and the verified Cognito user, never from the body: a viewer can never publish.
 */

/** Minutes a token may be used to join; the provider asks for a fresh one on every (re)join. */
export const PUBLISH_TOKEN_MINUTES = 15;
export const SUBSCRIBE_TOKEN_MINUTES = 15;

export const publishTokenBodySchema = z.strictObject({
  publicationId: publicationIdSchema,
  source: z.enum(mediaSources),
});
export type PublishTokenBody = z.infer<typeof publishTokenBodySchema>;

/** A viewer's request carries nothing: who it is does not change what it may do. */
export const subscribeTokenBodySchema = z.strictObject({});

export const participantCapabilities = ['PUBLISH', 'SUBSCRIBE'] as const;

export const participantTokenSchema = z.object({
  token: z.string().min(1),
  participantId: z.string(),
  capabilities: z.array(z.enum(participantCapabilities)),
  expiresAt: z.string(),
});
export type ParticipantToken = z.infer<typeof participantTokenSchema>;

/** The participant attributes the server sets in a token (IVS shows them to every participant). */
export interface ParticipantAttributes {
  role: 'host' | 'viewer';
  publicationId?: string;
  source?: string;
}
