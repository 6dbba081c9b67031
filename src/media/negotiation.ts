import { MAX_CANDIDATES_PER_CONNECTION, type IceCandidate, type MediaSignalBody, type MediaSource, type TrackMapping } from '../protocol/media';

/** How long an offer waits for its answer before the connection is given up (and cleaned up). */
export const ANSWER_TIMEOUT_MS = 15_000;
/** How long a connection may stay "disconnected" before an ICE restart. */
export const DISCONNECTED_RESTART_MS = 4_000;
/** ICE restarts before a connection is closed for good (the other side may start afresh). */
export const MAX_ICE_RESTARTS = 3;

export type DescriptionSignal = Extract<MediaSignalBody, { type: 'description' }>;
export type CandidateSignal = Extract<MediaSignalBody, { type: 'candidate' }>;

/**
 * The "perfect negotiation" pattern (WebRTC 1.0, §10.7) for one peer connection: either side
 * may renegotiate at any time; on a collision the polite side rolls back and the impolite side
 * ignores the other's offer. Also: trickled candidates (bounded), an answer timeout and ICE
 * restarts when the network changes. Used by mesh on both sides, and by the SFU client.
 */
export class PerfectNegotiation {
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private candidates = 0;
  private answerTimer: ReturnType<typeof setTimeout> | undefined;
  private disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  private restarts = 0;
  private closed = false;

  constructor(
    readonly pc: RTCPeerConnection,
    private readonly options: {
      polite: boolean;
      send: (body: DescriptionSignal | CandidateSignal) => void;
      /** Which publication each mid carries, sent with this side's descriptions. */
      tracks?: () => TrackMapping;
      /** The connection cannot go on (no answer, malformed description, ICE failed for good). */
      onFailure: (reason: string) => void;
      /** Only the impolite side restarts ICE, so both sides never restart at once. */
      restartsIce?: boolean;
      answerTimeoutMs?: number;
    },
  ) {
    pc.onnegotiationneeded = () => void this.offer();
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.options.send({ type: 'candidate', candidate: toCandidate(candidate) });
    };
    pc.oniceconnectionstatechange = () => this.onIceState();
  }

  /** Starts an offer now (what `negotiationneeded` does), e.g. for an ICE restart. */
  async offer(options: { iceRestart?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      if (options.iceRestart) this.pc.restartIce();
      await this.pc.setLocalDescription();
      this.sendDescription();
      this.startAnswerTimer();
    } catch (error) {
      this.fail(`Could not make an offer: ${describe(error)}`);
    } finally {
      this.makingOffer = false;
    }
  }

  async receive(signal: DescriptionSignal | CandidateSignal): Promise<void> {
    if (this.closed) return;
    if (signal.type === 'description') {
      const { description } = signal;
      const readyForOffer = !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.options.polite && collision;
      if (this.ignoreOffer) return;
      try {
        this.settingRemoteAnswer = description.type === 'answer';
        // A polite side with an offer of its own rolls it back implicitly here.
        await this.pc.setRemoteDescription(description);
        this.settingRemoteAnswer = false;
        if (description.type === 'answer') this.clearAnswerTimer();
        if (description.type === 'offer') {
          await this.pc.setLocalDescription();
          this.sendDescription();
        }
      } catch (error) {
        this.settingRemoteAnswer = false;
        // A malformed or unacceptable description ends this connection only.
        this.fail(`The other side's session description was refused: ${describe(error)}`);
      }
      return;
    }
    if (!signal.candidate || signal.candidate.candidate === '') return;
    // A flood of candidates is ignored past a bound; the connection keeps what it has.
    if (++this.candidates > MAX_CANDIDATES_PER_CONNECTION) return;
    try {
      await this.pc.addIceCandidate(fromCandidate(signal.candidate));
    } catch {
      // Candidates for an ignored offer, or for a section that is gone, are expected to fail.
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearAnswerTimer();
    clearTimeout(this.disconnectedTimer);
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.oniceconnectionstatechange = null;
    this.pc.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private sendDescription() {
    const local = this.pc.localDescription;
    if (!local || (local.type !== 'offer' && local.type !== 'answer')) return;
    this.options.send({
      type: 'description',
      description: { type: local.type, sdp: local.sdp },
      ...(this.options.tracks ? { tracks: this.options.tracks() } : {}),
    });
  }

  private startAnswerTimer() {
    this.clearAnswerTimer();
    this.answerTimer = setTimeout(() => {
      if (this.pc.signalingState === 'have-local-offer') this.fail('The other side did not answer in time.');
    }, this.options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS);
  }

  private clearAnswerTimer() {
    clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
  }

  private onIceState() {
    const state = this.pc.iceConnectionState;
    if (state === 'connected' || state === 'completed') {
      clearTimeout(this.disconnectedTimer);
      this.disconnectedTimer = undefined;
      this.restarts = 0;
      return;
    }
    if (!this.options.restartsIce) return;
    if (state === 'failed') this.restartIce();
    else if (state === 'disconnected' && !this.disconnectedTimer) {
      this.disconnectedTimer = setTimeout(() => {
        this.disconnectedTimer = undefined;
        if (this.pc.iceConnectionState === 'disconnected') this.restartIce();
      }, DISCONNECTED_RESTART_MS);
    }
  }

  private restartIce() {
    if (++this.restarts > MAX_ICE_RESTARTS) return this.fail('The connection failed and did not come back after ICE restarts.');
    void this.offer({ iceRestart: true });
  }

  private fail(reason: string) {
    if (this.closed) return;
    this.close();
    this.options.onFailure(reason);
  }
}

export function toCandidate(candidate: RTCIceCandidate | RTCIceCandidateInit): IceCandidate {
  return {
    candidate: candidate.candidate ?? '',
    sdpMid: candidate.sdpMid ?? null,
    sdpMLineIndex: candidate.sdpMLineIndex ?? null,
    ...(candidate.usernameFragment ? { usernameFragment: candidate.usernameFragment } : {}),
  };
}

function fromCandidate(candidate: IceCandidate): RTCIceCandidateInit {
  return {
    candidate: candidate.candidate,
    sdpMid: candidate.sdpMid ?? null,
    sdpMLineIndex: candidate.sdpMLineIndex ?? null,
    ...(candidate.usernameFragment ? { usernameFragment: candidate.usernameFragment } : {}),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Default caps: a camera and a screen each, per receiver (mesh) or per publication (SFU). */
export const DEFAULT_MAX_BITRATE_KBPS: Record<MediaSource, number> = { camera: 800, screen: 1500, mic: 64, 'screen-audio': 96 };

/**
 * Adds a send-only transceiver for a publication: VP8 and Opus first (every browser decodes
 * them, the local SFU forwards them, and a short codec list keeps descriptions small),
 * the bitrate cap, and `contentHint = 'detail'` for screens (sharp text over smooth motion).
 */
export function addPublishingTransceiver(pc: RTCPeerConnection, track: MediaStreamTrack, source: MediaSource, maxBitrateKbps?: number): RTCRtpTransceiver {
  if (source === 'screen' && 'contentHint' in track) track.contentHint = 'detail';
  const maxBitrate = (maxBitrateKbps ?? DEFAULT_MAX_BITRATE_KBPS[source]) * 1000;
  const transceiver = pc.addTransceiver(track, { direction: 'sendonly', sendEncodings: [{ maxBitrate }] });
  preferCodecs(transceiver, track.kind === 'video' ? 'video/VP8' : 'audio/opus');
  return transceiver;
}

/** Applies the bitrate cap again (some browsers drop `sendEncodings` on renegotiation). */
export async function capBitrate(sender: RTCRtpSender, maxBitrateKbps: number): Promise<void> {
  const parameters = sender.getParameters();
  if (!parameters.encodings?.length) return;
  const maxBitrate = maxBitrateKbps * 1000;
  if (parameters.encodings.every((encoding) => encoding.maxBitrate === maxBitrate)) return;
  for (const encoding of parameters.encodings) encoding.maxBitrate = maxBitrate;
  await sender.setParameters(parameters).catch(() => undefined);
}

function preferCodecs(transceiver: RTCRtpTransceiver, mimeType: string) {
  const capabilities = typeof RTCRtpSender !== 'undefined' ? RTCRtpSender.getCapabilities?.(mimeType.split('/')[0]!) : null;
  if (!capabilities || !transceiver.setCodecPreferences) return;
  const wanted = capabilities.codecs.filter((codec) => codec.mimeType.toLowerCase() === mimeType.toLowerCase());
  if (wanted.length === 0) return;
  try {
    transceiver.setCodecPreferences(wanted);
  } catch {
    // A browser that refuses the preference negotiates its default list instead.
  }
}
