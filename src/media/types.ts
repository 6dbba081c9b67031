import type { MediaProviderKind, MediaRef, MediaSignal, MediaSource } from '../protocol/media';
import type { IvsTokenSource } from './ivs/token-source';

/**
 * The one interface every media provider implements: mesh (browser to browser over the
 * `signal` action), the local SFU, and later an Amazon IVS stage. Callers only ever hold
 * references (`MediaRef`) in tile state; tracks stay inside the page.
 *
 * Shaped so each provider fits without changes: a publication is one track (an IVS
 * participant publishes one audio and one video stream, so a camera and a screen are two
 * participants there), and a subscription names one publication.
 */
export interface MediaProvider {
  readonly kind: MediaProviderKind;
  /**
   * Host only: sends this track to every subscriber. The provider chooses the publication id.
   * A viewer's provider refuses with a `MediaError` of code `forbidden` (and the server refuses too).
   */
  publish(track: MediaStreamTrack, options: PublishOptions): Promise<LocalPublication>;
  /** Receives one publication; the subscription reconnects by itself until closed. */
  subscribe(publicationId: string): Subscription;
  /** What this page currently sends, all publications together (the host's upload). */
  uploadStats(): Promise<UploadStats>;
  /** Stops every publication and subscription and releases the provider. */
  close(): void;
}

export interface PublishOptions {
  source: MediaSource;
  /** Per receiver for mesh, per publication otherwise. */
  maxBitrateKbps?: number;
}

export interface LocalPublication {
  readonly ref: MediaRef;
  readonly track: MediaStreamTrack;
  /** Another device, same publication: subscribers keep their connection. */
  replaceTrack(track: MediaStreamTrack): Promise<void>;
  stop(): void;
}

export type SubscriptionState =
  /** Negotiating, or waiting for the first media. */
  | 'connecting'
  /** Media is arriving. */
  | 'live'
  /** The publication is not (or no longer) offered: camera off, share stopped, host gone. */
  | 'unavailable'
  /** Gave up for now; `error` says why. It keeps retrying in the background. */
  | 'failed'
  | 'closed';

export interface Subscription {
  readonly publicationId: string;
  readonly state: SubscriptionState;
  readonly track: MediaStreamTrack | undefined;
  readonly error: string | undefined;
  /** When subscribe() was called (performance.now() time). */
  readonly startedAt: number;
  /** Called after every change of state or track. */
  onChange(listener: () => void): () => void;
  /** The view showed the first frame (its time, performance.now()): join-to-first-frame in stats. */
  noteFirstFrame(at: number): void;
  stats(): Promise<SubscriptionStats | undefined>;
  close(): void;
}

export interface SubscriptionStats {
  kind: 'audio' | 'video';
  width?: number;
  height?: number;
  framesPerSecond?: number;
  framesDecoded?: number;
  kbps: number;
  /** From subscribe() to the first decoded frame (video) or packet (audio). */
  joinToFirstFrameMs?: number;
}

export interface UploadStats {
  kbps: number;
  /** Peer connections sending: one per viewer for mesh, one per publication for the SFU. */
  connections: number;
}

export type MediaErrorCode = 'forbidden' | 'unavailable' | 'not-supported' | 'timeout';

/** A media failure with what to do about it. */
export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly resolution?: string,
  ) {
    super(message);
  }
}

/**
 * The room as the providers see it: send a signal, hear signals and the room's changes.
 * `peerId` is this page's stable id: it survives reconnects, which change the connection id.
 */
export interface SignalChannel {
  readonly peerId: string;
  readonly role: 'host' | 'viewer';
  /** False when the room is not connected (the provider retries on `onReconnect`). */
  send(to: string, data: MediaSignal): boolean;
  onSignal(listener: (signal: IncomingSignal) => void): () => void;
  /** The room's socket is open again (with a new connection id). */
  onReconnect(listener: () => void): () => void;
  /** A connection of the session left (hosts hear viewers leave). */
  onLeave(listener: (connectionId: string) => void): () => void;
  /** The server refused a signal (e.g. `not_found`: the host is not connected). */
  onRefused(listener: (code: string, message: string) => void): () => void;
}

export interface IncomingSignal {
  from: string;
  fromRole: 'host' | 'viewer' | 'sfu';
  data: MediaSignal;
}

/** What every provider is built from; a provider takes what it needs. */
export interface MediaProviderDeps {
  signals: SignalChannel;
  iceServers: RTCIceServer[];
  /** IVS: participant tokens from the HTTP API (absent where the page has no API, e.g. tests). */
  ivsTokens?: IvsTokenSource;
  /** Injected by tests; the browser's by default. */
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  now?: () => number;
  random?: () => number;
  log?: (message: string, detail?: unknown) => void;
}
