import { mediaOutputsSchema, type MediaOutputs } from '../../src/config/schema.js';
import { mediaProviderKinds, type MediaProviderKind } from '../../src/protocol/media.js';

/**
 * What `amplify_outputs.json` → `custom.media` says on AWS: which provider carries camera,
 * screen and microphone, and the ICE servers browsers use to find each other (mesh and SFU).
 *
 * `STREAMCANVAS_MEDIA_PROVIDER`: `ivs` (Amazon IVS real-time stages; the default for branch
 * deployments), `mesh` (browser to browser; the default for sandboxes: no IVS cost while
 * developing) or `sfu` (a self-hosted SFU: `STREAMCANVAS_SFU_SIGNAL_URL` and
 * `STREAMCANVAS_SFU_SIGNAL_SECRET`). Mesh stays offered beside ivs and sfu, so tiles published
 * before a switch still play.
 *
 * `STREAMCANVAS_ICE_SERVERS`: comma-separated `stun:`/`turn:` URLs without credentials (they
 * ship to every viewer), or `none`. Default: one public STUN server, so browsers behind the
 * usual home routers find a path; TURN with credentials needs a host-only route (not built).
 */
export const DEFAULT_ICE_SERVERS = ['stun:stun.l.google.com:19302'];

export function mediaProviderFromEnv(env: Record<string, string | undefined>, deployment: { sandbox: boolean }): MediaProviderKind {
  const raw = env.STREAMCANVAS_MEDIA_PROVIDER?.trim();
  if (!raw) return deployment.sandbox ? 'mesh' : 'ivs';
  if (!(mediaProviderKinds as readonly string[]).includes(raw)) {
    throw new Error(
      `STREAMCANVAS_MEDIA_PROVIDER=${raw} is not a media provider. Resolution: set it to ${mediaProviderKinds.join(', ')} or leave it unset (ivs on branches, mesh on sandboxes).`,
    );
  }
  return raw as MediaProviderKind;
}

/** The self-hosted SFU the realtime function relays to, when the provider is `sfu`. */
export function sfuFromEnv(env: Record<string, string | undefined>): { url: string; secret: string } {
  const url = env.STREAMCANVAS_SFU_SIGNAL_URL?.trim();
  const secret = env.STREAMCANVAS_SFU_SIGNAL_SECRET?.trim();
  if (!url || !/^https:\/\//.test(url) || !secret || secret.length < 24) {
    throw new Error(
      'STREAMCANVAS_MEDIA_PROVIDER=sfu needs the SFU: STREAMCANVAS_SFU_SIGNAL_URL (an https:// URL) and STREAMCANVAS_SFU_SIGNAL_SECRET (at least 24 characters). ' +
        'Resolution: set both, or choose ivs or mesh.',
    );
  }
  return { url, secret };
}

export function mediaOutputsFromEnv(env: Record<string, string | undefined>, provider: MediaProviderKind = 'mesh'): MediaOutputs {
  const raw = env.STREAMCANVAS_ICE_SERVERS?.trim();
  const urls = raw === undefined || raw === '' ? DEFAULT_ICE_SERVERS : raw === 'none' ? [] : raw.split(',').map((url) => url.trim());
  const providers: MediaProviderKind[] = provider === 'mesh' ? ['mesh'] : [provider, 'mesh'];
  const parsed = mediaOutputsSchema.safeParse({ providers, defaultProvider: provider, iceServers: urls.map((url) => ({ urls: url })) });
  if (!parsed.success) {
    throw new Error(
      `STREAMCANVAS_ICE_SERVERS=${raw} is not a list of stun:/turn: URLs (${parsed.error.issues[0]?.message}). ` +
        'Resolution: set it to comma-separated URLs such as stun:stun.example.com:3478, or to none.',
    );
  }
  return parsed.data;
}

/** `STREAMCANVAS_IVS_RECORDING=true` records every host track to the files bucket (off by default). */
export function ivsRecordingFromEnv(env: Record<string, string | undefined>): boolean {
  const raw = env.STREAMCANVAS_IVS_RECORDING?.trim();
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error(`STREAMCANVAS_IVS_RECORDING=${raw} is not true or false. Resolution: set it to true to record the host's tracks, or leave it unset.`);
}
