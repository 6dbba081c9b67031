import { mediaOutputsSchema, type MediaOutputs } from '../../src/config/schema.js';

/**
 * What `amplify_outputs.json` → `custom.media` says on AWS: mesh (peer-to-peer) until the IVS
 * provider lands (issue 17), and the ICE servers browsers use to find each other.
 *
 * `STREAMCANVAS_ICE_SERVERS`: comma-separated `stun:`/`turn:` URLs without credentials (they
 * ship to every viewer), or `none`. Default: one public STUN server, so browsers behind the
 * usual home routers find a path; TURN with credentials needs a host-only route (not built).
 */
export const DEFAULT_ICE_SERVERS = ['stun:stun.l.google.com:19302'];

export function mediaOutputsFromEnv(env: Record<string, string | undefined>): MediaOutputs {
  const raw = env.STREAMCANVAS_ICE_SERVERS?.trim();
  const urls = raw === undefined || raw === '' ? DEFAULT_ICE_SERVERS : raw === 'none' ? [] : raw.split(',').map((url) => url.trim());
  const parsed = mediaOutputsSchema.safeParse({ providers: ['mesh'], defaultProvider: 'mesh', iceServers: urls.map((url) => ({ urls: url })) });
  if (!parsed.success) {
    throw new Error(
      `STREAMCANVAS_ICE_SERVERS=${raw} is not a list of stun:/turn: URLs (${parsed.error.issues[0]?.message}). ` +
        'Resolution: set it to comma-separated URLs such as stun:stun.example.com:3478, or to none.',
    );
  }
  return parsed.data;
}
