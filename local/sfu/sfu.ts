import { MediaStreamTrack, RTCPeerConnection, RtpPacket, useOPUS, useVP8, type RTCRtpTransceiver } from 'werift';
import {
  MAX_CANDIDATES_PER_CONNECTION,
  sdpMediaSections,
  type MediaSignal,
  type MediaSignalBody,
  type MediaSource,
} from '../../src/protocol/media.js';
import type { SfuEnvelope } from '../../amplify/functions/realtime/sfu-relay.js';

/**
 * The local SFU: a host publishes each track once, on one peer connection per publication,
 * and the SFU forwards its RTP to every subscriber, one peer connection per subscription (the
 * shape an IVS stage has too: a participant per publication). Pure TypeScript (werift), so
 * `npm ci` installs it offline.
 *
 * Who may do what comes from the envelope the realtime function relays: the role the
 * authorizer gave the connection. Only a `host` of the session may publish; anyone of the
 * session may subscribe. A peer connection that is not answered or not connected in time is
 * closed, so a viewer that never answers costs nothing after that and wedges nobody else.
 */
export interface SfuLimits {
  /** Publications per session (an IVS stage has 12 publishers). */
  publicationsPerSession: number;
  /** Subscriptions per session, all viewers together. */
  subscriptionsPerSession: number;
  /** How long an offer waits for its answer. */
  answerTimeoutMs: number;
  /** How long a peer connection may take to connect (or to come back after a drop). */
  connectTimeoutMs: number;
}

export const defaultSfuLimits: SfuLimits = {
  publicationsPerSession: 12,
  subscriptionsPerSession: 2000,
  answerTimeoutMs: 15_000,
  connectTimeoutMs: 30_000,
};

export interface SfuDeps {
  /** Sends a signal to one WebSocket connection (through @connections); 'gone' when it no longer exists. */
  send(replyTo: string, connectionId: string, data: MediaSignal): Promise<'sent' | 'gone'>;
  /** Host addresses werift gathers candidates on besides its interfaces (loopback, for same-machine browsers). */
  extraHostAddresses?: string[];
  limits?: Partial<SfuLimits>;
  log?: (line: string) => void;
}

/** A peer connection of the SFU: one publisher's track coming in, or one subscriber's going out. */
interface Link {
  kind: 'publish' | 'subscribe';
  key: string;
  sessionId: string;
  peer: string;
  publicationId: string;
  /** Where answers go: updated by every message from the peer (a reconnect changes the connection id). */
  connectionId: string;
  replyTo: string;
  pc: RTCPeerConnection;
  candidates: number;
  timer?: NodeJS.Timeout;
  closed: boolean;
  /** Subscribe links: the local track the forwarded RTP is written to. */
  outgoing?: MediaStreamTrack;
  transceiver?: RTCRtpTransceiver;
  cleanups: Array<() => void>;
}

interface Publication {
  id: string;
  sessionId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  link: Link;
  /** The incoming track, once the publisher's media arrives. */
  track?: MediaStreamTrack;
  ssrc?: number;
  lastKeyframeRequest: number;
  /** Asks the publisher for a keyframe (PLI), once its media has arrived. */
  requestKeyframe?: () => void;
  keyframeTimer?: NodeJS.Timeout;
  subscribers: Set<Link>;
}

interface Room {
  publications: Map<string, Publication>;
  links: Map<string, Link>;
  subscriptions: number;
}

type Reply = (data: MediaSignalBody) => Promise<void>;

/** The SFU's own peer id in signals it sends. */
export const SFU_PEER_ID = 'streamcanvas-sfu';
/**
 * Keyframe requests to a publisher, at most one per this interval (late joiners share one).
 * Chrome's encoder ignores requests within 300 ms of the last one it honoured (libwebrtc's
 * kMinKeyframeSendIntervalMs); this stays just above that. 500 ms made viewers joining in a
 * burst wait longer for their first frame.
 */
const KEYFRAME_INTERVAL_MS = 350;

export class Sfu {
  private readonly rooms = new Map<string, Room>();
  private readonly limits: SfuLimits;
  private readonly log: (line: string) => void;
  private closed = false;

  constructor(private readonly deps: SfuDeps) {
    this.limits = { ...defaultSfuLimits, ...deps.limits };
    this.log = deps.log ?? (() => undefined);
  }

  /** One relayed signal. Never throws: problems are answered to the sender as an `error` signal. */
  async handle(envelope: SfuEnvelope): Promise<void> {
    const { data } = envelope;
    const reply: Reply = async (message) => {
      const out = { media: 'sfu', peer: SFU_PEER_ID, ...(data.publicationId ? { publicationId: data.publicationId } : {}), ...message } as MediaSignal;
      const result = await this.deps.send(envelope.replyTo, envelope.connectionId, out).catch((error: unknown) => {
        this.log(`sfu: reply to ${envelope.connectionId} failed: ${String(error)}`);
        return 'sent' as const;
      });
      if (result === 'gone') this.forgetConnection(envelope.sessionId, envelope.connectionId);
    };
    try {
      if (this.closed) return await reply({ type: 'error', code: 'unavailable', message: 'The media server is shutting down.' });
      await this.route(envelope, reply);
    } catch (error) {
      this.log(`sfu: ${data.type} from ${envelope.connectionId} failed: ${String(error)}`);
      await reply({ type: 'error', code: 'internal', message: 'The media server could not handle this message.' });
    }
  }

  private async route(envelope: SfuEnvelope, reply: Reply) {
    const { data, role, sessionId } = envelope;
    const publicationId = data.publicationId;
    if (data.type === 'hello') {
      // The peer reconnected (a new connection id): its links answer there from now on.
      for (const link of this.rooms.get(sessionId)?.links.values() ?? []) {
        if (link.peer === data.peer && link.key.startsWith(`${link.kind}:${role}:`)) this.address(link, envelope);
      }
      return;
    }
    if (!publicationId && data.type !== 'bye') {
      return reply({ type: 'error', code: 'bad_message', message: 'SFU signals name the publication ("publicationId").' });
    }
    const room = this.room(sessionId);
    switch (data.type) {
      case 'description': {
        if (data.description.type === 'offer') {
          // Publishing is a host's offer. The authorizer's role decides, never the message.
          if (role !== 'host') return reply({ type: 'error', code: 'forbidden', message: 'Only the host may publish media.' });
          return this.publish(room, envelope, publicationId!, data, reply);
        }
        const link = room.links.get(linkKey('subscribe', role, data.peer, publicationId!));
        if (!link) return reply({ type: 'error', code: 'bad_message', message: 'There is no offer waiting for this answer.' });
        this.address(link, envelope);
        if (sdpMediaSections(data.description.sdp).some((s) => s.kind !== 'application' && s.port !== 0 && s.direction !== 'recvonly' && s.direction !== 'inactive')) {
          this.closeLink(room, link);
          return reply({ type: 'error', code: 'forbidden', message: 'A subscription may only receive.' });
        }
        await link.pc.setRemoteDescription(data.description);
        clearTimeout(link.timer);
        link.timer = setTimeout(() => this.timeOut(room, link, 'did not connect'), this.limits.connectTimeoutMs);
        return;
      }
      case 'subscribe':
        return this.subscribe(room, envelope, publicationId!, reply);
      case 'candidate': {
        const link =
          room.links.get(linkKey('subscribe', role, data.peer, publicationId!)) ??
          (role === 'host' ? room.links.get(linkKey('publish', role, data.peer, publicationId!)) : undefined);
        if (!link || !data.candidate || data.candidate.candidate === '') return;
        this.address(link, envelope);
        // A flood of candidates is ignored past a bound; the connection itself is unaffected.
        if (++link.candidates > MAX_CANDIDATES_PER_CONNECTION) return;
        await link.pc.addIceCandidate({ ...data.candidate, sdpMid: data.candidate.sdpMid ?? undefined, sdpMLineIndex: data.candidate.sdpMLineIndex ?? undefined }).catch(() => undefined);
        return;
      }
      case 'bye': {
        for (const link of [...room.links.values()]) {
          if (link.peer !== data.peer || (publicationId && link.publicationId !== publicationId)) continue;
          // A viewer's bye can only end its own subscriptions.
          if (link.kind === 'publish' && role !== 'host') continue;
          if (link.key.startsWith(`${link.kind}:${role}:`)) this.closeLink(room, link);
        }
        this.dropRoomIfEmpty(sessionId);
        return;
      }
      default:
        return reply({ type: 'error', code: 'bad_message', message: `The media server does not take "${data.type}" messages.` });
    }
  }

  private async publish(
    room: Room,
    envelope: SfuEnvelope,
    publicationId: string,
    data: Extract<MediaSignal, { type: 'description' }>,
    reply: Reply,
  ) {
    const sections = sdpMediaSections(data.description.sdp).filter((s) => s.kind === 'audio' || s.kind === 'video');
    const mapping = data.tracks?.find((t) => t.publicationId === publicationId);
    const section = sections.find((s) => s.mid === mapping?.mid);
    if (sections.length !== 1 || !mapping || !section || section.port === 0) {
      return reply({ type: 'error', code: 'bad_message', message: 'A publication is one audio or video track, named in "tracks".' });
    }
    const existing = room.publications.get(publicationId);
    if (!existing && room.publications.size >= this.limits.publicationsPerSession) {
      return reply({ type: 'error', code: 'unavailable', message: `A session can publish at most ${this.limits.publicationsPerSession} tracks at once.` });
    }
    const key = linkKey('publish', 'host', data.peer, publicationId);
    // A repeated offer (a restart after the connection failed) replaces the old connection;
    // subscribers stay and get the new track's RTP.
    const previous = room.links.get(key);
    if (previous) this.closeLink(room, previous, { keepPublication: true });
    if (existing && existing.link !== previous) this.closeLink(room, existing.link, { keepPublication: true });

    const link = this.newLink('publish', key, envelope, publicationId);
    room.links.set(key, link);
    const publication: Publication = existing ?? {
      id: publicationId,
      sessionId: envelope.sessionId,
      source: mapping.source,
      kind: section.kind as 'audio' | 'video',
      link,
      lastKeyframeRequest: 0,
      subscribers: new Set(),
    };
    publication.link = link;
    publication.track = undefined;
    room.publications.set(publicationId, publication);

    const onTrack = link.pc.onTrack.subscribe((track) => {
      const transceiver = link.pc.getTransceivers().find((t) => t.receiver.tracks.includes(track)) ?? link.pc.getTransceivers()[0];
      publication.track = track;
      const forward = track.onReceiveRtp.subscribe((rtp) => this.forward(publication, rtp));
      link.cleanups.push(forward.unSubscribe);
      const first = track.onReceiveRtp.subscribe((rtp) => {
        first.unSubscribe();
        publication.ssrc = rtp.header.ssrc;
        if (transceiver) publication.requestKeyframe = () => void transceiver.receiver.sendRtcpPLI(rtp.header.ssrc).catch(() => undefined);
        this.requestKeyframe(publication);
      });
      link.cleanups.push(first.unSubscribe);
    });
    link.cleanups.push(onTrack.unSubscribe);
    this.watch(room, link);

    await link.pc.setRemoteDescription(data.description);
    withoutPublicStun(link.pc);
    await link.pc.setLocalDescription(await link.pc.createAnswer());
    await gathered(link.pc);
    if (link.closed) return;
    await reply({ type: 'description', description: { type: 'answer', sdp: link.pc.localDescription!.sdp } });
    link.timer = setTimeout(() => this.timeOut(room, link, 'did not connect'), this.limits.connectTimeoutMs);
  }

  private async subscribe(room: Room, envelope: SfuEnvelope, publicationId: string, reply: Reply) {
    const publication = room.publications.get(publicationId);
    if (!publication) return reply({ type: 'unavailable' });
    const key = linkKey('subscribe', envelope.role, envelope.data.peer, publicationId);
    const previous = room.links.get(key);
    if (previous) this.closeLink(room, previous);
    if (room.subscriptions >= this.limits.subscriptionsPerSession) {
      return reply({ type: 'error', code: 'unavailable', message: 'This session has as many media subscriptions as the media server takes.' });
    }
    const link = this.newLink('subscribe', key, envelope, publicationId);
    room.links.set(key, link);
    room.subscriptions++;
    link.outgoing = new MediaStreamTrack({ kind: publication.kind });
    link.transceiver = link.pc.addTransceiver(link.outgoing, { direction: 'sendonly' });
    const keyframes = link.transceiver.sender.onPictureLossIndication.subscribe(() => this.requestKeyframe(publication));
    link.cleanups.push(keyframes.unSubscribe);
    publication.subscribers.add(link);
    this.watch(room, link);

    withoutPublicStun(link.pc);
    await link.pc.setLocalDescription(await link.pc.createOffer());
    await gathered(link.pc);
    if (link.closed) return;
    const mid = link.transceiver.mid ?? '0';
    await reply({
      type: 'description',
      description: { type: 'offer', sdp: link.pc.localDescription!.sdp },
      tracks: [{ mid, publicationId, source: publication.source }],
    });
    link.timer = setTimeout(() => this.timeOut(room, link, 'did not answer'), this.limits.answerTimeoutMs);
  }

  private forward(publication: Publication, rtp: RtpPacket) {
    if (publication.subscribers.size === 0) return;
    // Each sender rewrites the header it is given, so each gets its own copy; the publisher's
    // header extensions mean nothing on the subscribers' connections.
    rtp.header.extensions = [];
    const bytes = rtp.serialize();
    for (const link of publication.subscribers) {
      if (link.pc.connectionState === 'connected') link.outgoing?.writeRtp(bytes);
    }
  }

  /** Asks the publisher for a keyframe now, or at the end of the interval if one was just asked (never dropped). */
  private requestKeyframe(publication: Publication) {
    if (publication.kind !== 'video' || !publication.requestKeyframe || publication.keyframeTimer) return;
    const wait = publication.lastKeyframeRequest + KEYFRAME_INTERVAL_MS - Date.now();
    const send = () => {
      publication.keyframeTimer = undefined;
      publication.lastKeyframeRequest = Date.now();
      publication.requestKeyframe?.();
    };
    if (wait <= 0) send();
    else publication.keyframeTimer = setTimeout(send, wait);
  }

  private newLink(kind: Link['kind'], key: string, envelope: SfuEnvelope, publicationId: string): Link {
    const pc = new RTCPeerConnection({
      // Never a public STUN server: the browsers reach the SFU's host candidates directly.
      iceServers: [],
      iceUseIpv6: false,
      iceAdditionalHostAddresses: this.deps.extraHostAddresses,
      codecs: { audio: [useOPUS()], video: [useVP8()] },
      bundlePolicy: 'max-bundle',
    });
    return {
      kind,
      key,
      sessionId: envelope.sessionId,
      peer: envelope.data.peer,
      publicationId,
      connectionId: envelope.connectionId,
      replyTo: envelope.replyTo,
      pc,
      candidates: 0,
      closed: false,
      cleanups: [],
    };
  }

  private watch(room: Room, link: Link) {
    const state = link.pc.connectionStateChange.subscribe((value) => {
      if (value === 'connected') {
        clearTimeout(link.timer);
        link.timer = undefined;
        if (link.kind === 'subscribe') {
          const publication = room.publications.get(link.publicationId);
          if (publication) {
            this.requestKeyframe(publication);
            // Once more shortly after: the first keyframe can race the subscriber's SRTP setup.
            const again = setTimeout(() => !link.closed && this.requestKeyframe(publication), 1000);
            link.cleanups.push(() => clearTimeout(again));
          }
        }
      } else if (value === 'disconnected') {
        clearTimeout(link.timer);
        link.timer = setTimeout(() => this.timeOut(room, link, 'lost its connection'), this.limits.connectTimeoutMs);
      } else if (value === 'failed' || value === 'closed') {
        this.closeLink(room, link);
        this.dropRoomIfEmpty(link.sessionId);
      }
    });
    link.cleanups.push(state.unSubscribe);
  }

  private timeOut(room: Room, link: Link, what: string) {
    if (link.closed) return;
    this.log(`sfu: ${link.kind} ${link.publicationId} of ${link.connectionId} ${what}; closed`);
    this.closeLink(room, link);
    this.dropRoomIfEmpty(link.sessionId);
    void this.deps
      .send(link.replyTo, link.connectionId, {
        media: 'sfu',
        peer: SFU_PEER_ID,
        publicationId: link.publicationId,
        type: 'error',
        code: 'timeout',
        message: `The media connection ${what} in time.`,
      })
      .catch(() => undefined);
  }

  private closeLink(room: Room, link: Link, options: { keepPublication?: boolean } = {}) {
    if (link.closed) return;
    link.closed = true;
    clearTimeout(link.timer);
    for (const cleanup of link.cleanups.splice(0)) cleanup();
    if (room.links.get(link.key) === link) room.links.delete(link.key);
    if (link.kind === 'subscribe') {
      room.subscriptions--;
      room.publications.get(link.publicationId)?.subscribers.delete(link);
      link.outgoing?.stop();
    } else {
      const publication = room.publications.get(link.publicationId);
      if (publication?.link === link && !options.keepPublication) {
        clearTimeout(publication.keyframeTimer);
        room.publications.delete(link.publicationId);
        // Its subscribers have nothing left to receive: tell them, and free their connections.
        for (const subscriber of [...publication.subscribers]) {
          this.closeLink(room, subscriber);
          void this.deps
            .send(subscriber.replyTo, subscriber.connectionId, { media: 'sfu', peer: SFU_PEER_ID, publicationId: link.publicationId, type: 'unavailable' })
            .catch(() => undefined);
        }
      }
    }
    void link.pc.close().catch(() => undefined);
  }

  /** The connection is gone (its WebSocket closed): its media peers go too, unless they reconnect. */
  private forgetConnection(sessionId: string, connectionId: string) {
    const room = this.rooms.get(sessionId);
    if (!room) return;
    for (const link of [...room.links.values()]) {
      // A peer that reconnected answers from its new connection: only links still addressed here go.
      if (link.connectionId === connectionId && link.pc.connectionState !== 'connected') this.closeLink(room, link);
    }
    this.dropRoomIfEmpty(sessionId);
  }

  private address(link: Link, envelope: SfuEnvelope) {
    link.connectionId = envelope.connectionId;
    link.replyTo = envelope.replyTo;
  }

  private room(sessionId: string): Room {
    let room = this.rooms.get(sessionId);
    if (!room) this.rooms.set(sessionId, (room = { publications: new Map(), links: new Map(), subscriptions: 0 }));
    return room;
  }

  private dropRoomIfEmpty(sessionId: string) {
    const room = this.rooms.get(sessionId);
    if (room && room.links.size === 0 && room.publications.size === 0) this.rooms.delete(sessionId);
  }

  /** Counts for tests, the benchmark and the load test. */
  stats() {
    let publications = 0;
    let links = 0;
    let connected = 0;
    for (const room of this.rooms.values()) {
      publications += room.publications.size;
      links += room.links.size;
      for (const link of room.links.values()) if (link.pc.connectionState === 'connected') connected++;
    }
    return { sessions: this.rooms.size, publications, peerConnections: links, connected };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const room of this.rooms.values()) for (const link of [...room.links.values()]) this.closeLink(room, link, { keepPublication: true });
    this.rooms.clear();
  }
}

function linkKey(kind: Link['kind'], role: string, peer: string, publicationId: string) {
  return `${kind}:${role}:${peer}:${publicationId}`;
}

/**
 * werift 0.23 asks a public STUN server for a reflexive candidate whenever it is given none
 * (a built-in default), and its setLocalDescription waits up to 5 s for the answer: offline,
 * every offer and answer of the SFU took 5 s, and each sent packets off the machine. The SFU
 * needs its host candidates only. Call once the peer connection has its transports (after
 * addTransceiver or setRemoteDescription), before setLocalDescription gathers.
 */
export function withoutPublicStun(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports) transport.connection.stunServer = undefined;
}

/** Waits for ICE gathering, so the description carries every candidate (the SFU does not trickle). */
async function gathered(pc: RTCPeerConnection, timeoutMs = 3000): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && done());
    function done() {
      clearTimeout(timer);
      unSubscribe();
      resolve();
    }
  });
}
