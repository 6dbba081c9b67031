import { z } from 'zod';

/**
 * Media on the wire: what a tile (or the canvas, for the host's microphone) stores about a
 * publication, and the WebRTC signalling messages that travel inside the `signal` action's
 * `data`. Media itself never rides the tile patches: state holds a reference, and the
 * browser's MediaProvider (src/media/) does the rest. docs/protocol.md explains both.
 */

/** Where media goes through: browser to browser, the local SFU, or an Amazon IVS stage. */
export const mediaProviderKinds = ['mesh', 'sfu', 'ivs'] as const;
export type MediaProviderKind = (typeof mediaProviderKinds)[number];
/** The providers that negotiate over the `signal` action (IVS has its own signalling). */
export const signalledProviderKinds = ['mesh', 'sfu'] as const;

export const mediaSources = ['camera', 'screen', 'mic', 'screen-audio'] as const;
export type MediaSource = (typeof mediaSources)[number];

const idPattern = /^[A-Za-z0-9_-]{8,64}$/;
export const publicationIdSchema = z.string().regex(idPattern, { message: 'must be 8–64 letters, digits, - or _' });
/** A browser's stable id for one page's media (it survives reconnects, which change the connection id). */
export const peerIdSchema = z.string().regex(idPattern, { message: 'must be 8–64 letters, digits, - or _' });

/** What tile state (and the canvas, for the microphone) stores about a publication. */
export const mediaRefSchema = z.strictObject({
  publicationId: publicationIdSchema,
  source: z.enum(mediaSources),
  provider: z.enum(mediaProviderKinds),
});
export type MediaRef = z.infer<typeof mediaRefSchema>;

/** The target of a `signal` that the server relays to the SFU (when this deployment has one). */
export const SFU_SIGNAL_TARGET = 'sfu';

// ---------------------------------------------------------------- SDP and candidates

/**
 * A session description must fit, escaped as JSON, into one 32 KB frame. Browsers' offers
 * with a few audio and video sections and every codec stay far below this; the providers also
 * trim codecs, so a real offer is 3–8 KB.
 */
export const MAX_SDP_BYTES = 24 * 1024;
export const MAX_SDP_LINE_LENGTH = 1024;
export const MAX_MEDIA_SECTIONS = 16;
export const MAX_CANDIDATE_LENGTH = 512;
/** Candidates one peer connection accepts from the other side; more is a flood and is ignored. */
export const MAX_CANDIDATES_PER_CONNECTION = 64;

const printable = /^[\x20-\x7e]*$/;

/** Why this text is not a plausible session description, or undefined. Cheap: one pass over lines. */
export function sdpProblem(sdp: string): string | undefined {
  if (new TextEncoder().encode(sdp).length > MAX_SDP_BYTES) return `must be at most ${MAX_SDP_BYTES / 1024} KB`;
  if (!sdp.startsWith('v=0\r\n')) return 'must be a session description (starting with v=0 and CRLF line ends)';
  const lines = sdp.split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  let sections = 0;
  for (const line of lines) {
    if (line.length > MAX_SDP_LINE_LENGTH) return `has a line longer than ${MAX_SDP_LINE_LENGTH} characters`;
    if (!/^[a-z]=/.test(line) || !printable.test(line)) return 'has a line that is not "x=value" in printable ASCII';
    if (line.startsWith('m=') && ++sections > MAX_MEDIA_SECTIONS) return `has more than ${MAX_MEDIA_SECTIONS} media sections`;
  }
  return undefined;
}

export interface SdpMediaSection {
  kind: string;
  /** Port 0 is a rejected or stopped section: nothing flows. */
  port: number;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  mid?: string;
}

/** The audio, video and application sections of a description, with their direction. */
export function sdpMediaSections(sdp: string): SdpMediaSection[] {
  const sections: SdpMediaSection[] = [];
  for (const line of sdp.split('\r\n')) {
    if (line.startsWith('m=')) {
      const [kind = '', port = '0'] = line.slice(2).split(' ');
      // RFC 4566: without a direction attribute a section is sendrecv.
      sections.push({ kind, port: Number(port), direction: 'sendrecv' });
      continue;
    }
    const current = sections.at(-1);
    if (!current) continue;
    if (line === 'a=sendrecv' || line === 'a=sendonly' || line === 'a=recvonly' || line === 'a=inactive') {
      current.direction = line.slice(2) as SdpMediaSection['direction'];
    } else if (line.startsWith('a=mid:')) {
      current.mid = line.slice(6);
    }
  }
  return sections;
}

/** Whether this description offers or accepts sending audio or video: what a viewer may never do. */
export function sdpSendsMedia(sdp: string): boolean {
  return sdpMediaSections(sdp).some(
    (section) => (section.kind === 'audio' || section.kind === 'video') && section.port !== 0 && (section.direction === 'sendrecv' || section.direction === 'sendonly'),
  );
}

const sdpSchema = z.string().superRefine((sdp, ctx) => {
  const problem = sdpProblem(sdp);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const iceCandidateSchema = z.strictObject({
  candidate: z
    .string()
    .max(MAX_CANDIDATE_LENGTH)
    .regex(/^(candidate:[\x20-\x7e]+)?$/, { message: 'must be empty or an "candidate:…" line' }),
  sdpMid: z.string().max(32).regex(printable).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(MAX_MEDIA_SECTIONS - 1).nullable().optional(),
  usernameFragment: z.string().max(256).regex(printable).nullable().optional(),
});
export type IceCandidate = z.infer<typeof iceCandidateSchema>;

/** Which publication each media section (by mid) carries, sent with every description. */
export const trackMappingSchema = z
  .array(z.strictObject({ mid: z.string().min(1).max(32).regex(printable), publicationId: publicationIdSchema, source: z.enum(mediaSources) }))
  .max(MAX_MEDIA_SECTIONS);
export type TrackMapping = z.infer<typeof trackMappingSchema>;

// ---------------------------------------------------------------- signalling messages

const base = {
  media: z.enum(signalledProviderKinds),
  /** The sender's peer id. */
  peer: peerIdSchema,
  /** Mesh: the peer id this message is for (signals to "host" reach every tab of the host). */
  target: peerIdSchema.optional(),
  /** SFU: the publication whose peer connection this message is about (one connection per publication). */
  publicationId: publicationIdSchema.optional(),
};

/**
 * The `data` of every `signal`. Mesh: a viewer says `hello`, the host offers one peer
 * connection with every publication, perfect negotiation follows. SFU: the host offers one
 * connection per publication it publishes; a viewer `subscribe`s to a publication and the SFU
 * offers a connection carrying it. `error` and `unavailable` come from the SFU or the host.
 */
export const mediaSignalSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('hello'), restart: z.boolean().optional() }),
  z.strictObject({ ...base, type: z.literal('subscribe') }),
  z.strictObject({
    ...base,
    type: z.literal('description'),
    description: z.strictObject({ type: z.enum(['offer', 'answer']), sdp: sdpSchema }),
    tracks: trackMappingSchema.optional(),
  }),
  z.strictObject({ ...base, type: z.literal('candidate'), candidate: iceCandidateSchema.nullable() }),
  z.strictObject({ ...base, type: z.literal('bye') }),
  z.strictObject({ ...base, type: z.literal('unavailable') }),
  z.strictObject({
    ...base,
    type: z.literal('error'),
    code: z.enum(['forbidden', 'bad_message', 'unavailable', 'timeout', 'internal']),
    message: z.string().max(500),
  }),
]);
export type MediaSignal = z.infer<typeof mediaSignalSchema>;

export function parseMediaSignal(data: unknown): MediaSignal | undefined {
  const parsed = mediaSignalSchema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A signal without the fields every sender fills in the same way. */
export type MediaSignalBody = DistributiveOmit<MediaSignal, 'media' | 'peer'>;
