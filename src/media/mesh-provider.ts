import type { MediaRef, MediaSignal, MediaSignalBody, MediaSource, TrackMapping } from '../protocol/media';
import { PerfectNegotiation, addPublishingTransceiver, capBitrate, DEFAULT_MAX_BITRATE_KBPS, type CandidateSignal, type DescriptionSignal } from './negotiation';
import { ProviderSubscription, uploadKbps } from './subscription';
import { MediaError, type IncomingSignal, type LocalPublication, type MediaProvider, type MediaProviderDeps, type PublishOptions, type UploadStats } from './types';
import { newMediaId } from './ids';

/**
 * Mesh: the host sends every publication to every viewer directly, one peer connection per
 * viewer (per host tab), negotiated over the `signal` action with perfect negotiation. The
 * host is impolite and restarts ICE; viewers are polite. Each viewer costs the host one more
 * upload, so this is for a handful of viewers.
 *
 * A viewer says `hello` (to every host tab) when it first wants media, again after its socket
 * reconnects (its connection id changed) and while a subscription gets no media. A host tab
 * answers with an offer carrying all its publications, or `unavailable` if it has none.
 * Peers are keyed by their stable peer ids, so a reconnect keeps a working connection.
 */

/** A viewer that gets no media this long says hello again (and asks for an ICE restart). */
export const MESH_RETRY_MS = 6_000;
const MAX_RETRY_MS = 15_000;

interface HostPublication {
  ref: MediaRef;
  track: MediaStreamTrack;
  source: MediaSource;
  maxBitrateKbps: number;
}

interface ViewerPeer {
  peerId: string;
  /** The viewer's current connection id: where signals to it go. */
  connectionId: string;
  negotiation: PerfectNegotiation;
  /** Publication id -> the transceiver sending it to this viewer. */
  transceivers: Map<string, { transceiver: RTCRtpTransceiver; source: MediaSource }>;
}

interface HostPeer {
  peerId: string;
  connectionId: string;
  negotiation: PerfectNegotiation;
  /** mid -> publication, from the host's latest description. */
  tracks: TrackMapping;
}

export class MeshProvider implements MediaProvider {
  readonly kind = 'mesh' as const;
  private readonly publications = new Map<string, HostPublication>();
  private readonly viewers = new Map<string, ViewerPeer>();
  private readonly hosts = new Map<string, HostPeer>();
  private readonly subscriptions = new Map<string, Set<ProviderSubscription>>();
  private readonly uploadMemo = new WeakMap<RTCPeerConnection, { bytes: number; at: number }>();
  private readonly unsubscribe: Array<() => void> = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryDelay = MESH_RETRY_MS;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: MediaProviderDeps) {
    this.now = deps.now ?? (() => performance.now());
    const { signals } = deps;
    this.unsubscribe.push(
      signals.onSignal((signal) => this.receive(signal)),
      signals.onReconnect(() => (signals.role === 'host' ? undefined : this.hello(true))),
      signals.onLeave((connectionId) => this.viewerLeft(connectionId)),
      signals.onRefused((code) => {
        // No host connected: subscriptions wait, and the retry says hello again later.
        if (code === 'not_found' && signals.role === 'viewer') this.markUnavailable(new Set(), 'The host is not connected.');
      }),
    );
  }

  // ------------------------------------------------------------------ host side

  async publish(track: MediaStreamTrack, options: PublishOptions): Promise<LocalPublication> {
    if (this.deps.signals.role !== 'host') throw new MediaError('forbidden', 'Only the host can publish media.');
    if (this.closed) throw new MediaError('unavailable', 'The media connection is closed.');
    const ref: MediaRef = { publicationId: newMediaId(this.deps.random), source: options.source, provider: 'mesh' };
    const publication: HostPublication = {
      ref,
      track,
      source: options.source,
      maxBitrateKbps: options.maxBitrateKbps ?? DEFAULT_MAX_BITRATE_KBPS[options.source],
    };
    this.publications.set(ref.publicationId, publication);
    for (const viewer of this.viewers.values()) this.addToViewer(viewer, publication);
    return {
      ref,
      get track() {
        return publication.track;
      },
      replaceTrack: async (next) => {
        publication.track = next;
        await Promise.all(
          [...this.viewers.values()].map((viewer) => viewer.transceivers.get(ref.publicationId)?.transceiver.sender.replaceTrack(next).catch(() => undefined)),
        );
      },
      stop: () => {
        if (!this.publications.delete(ref.publicationId)) return;
        for (const viewer of this.viewers.values()) {
          const transceiver = viewer.transceivers.get(ref.publicationId)?.transceiver;
          viewer.transceivers.delete(ref.publicationId);
          // Stopping the transceiver renegotiates: the viewer sees the section go.
          if (transceiver && viewer.negotiation.pc.signalingState !== 'closed') transceiver.stop();
        }
      },
    };
  }

  private onHello(signal: IncomingSignal & { data: Extract<MediaSignal, { type: 'hello' }> }) {
    const { peer } = signal.data;
    const existing = this.viewers.get(peer);
    if (existing && !existing.negotiation.isClosed) {
      existing.connectionId = signal.from;
      const state = existing.negotiation.pc.connectionState;
      // Still working: a reconnect only changed where signals go. Otherwise restart ICE.
      if (signal.data.restart && state !== 'connected') void existing.negotiation.offer({ iceRestart: true });
      else if (existing.transceivers.size === 0) this.sendTo(existing, { type: 'unavailable' });
      return;
    }
    const pc = this.createPeerConnection();
    const viewer: ViewerPeer = {
      peerId: peer,
      connectionId: signal.from,
      transceivers: new Map(),
      negotiation: undefined as unknown as PerfectNegotiation,
    };
    viewer.negotiation = new PerfectNegotiation(pc, {
      polite: false,
      restartsIce: true,
      send: (body) => this.sendTo(viewer, body),
      tracks: () => mappingOf(viewer),
      onFailure: (reason) => {
        this.deps.log?.(`mesh: viewer ${peer} dropped: ${reason}`);
        if (this.viewers.get(peer) === viewer) this.viewers.delete(peer);
      },
    });
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') for (const [id, { transceiver }] of viewer.transceivers) {
          void capBitrate(transceiver.sender, this.publications.get(id)?.maxBitrateKbps ?? DEFAULT_MAX_BITRATE_KBPS.camera);
        }
    };
    this.viewers.set(peer, viewer);
    for (const publication of this.publications.values()) this.addToViewer(viewer, publication);
    if (viewer.transceivers.size === 0) this.sendTo(viewer, { type: 'unavailable' });
  }

  private addToViewer(viewer: ViewerPeer, publication: HostPublication) {
    const transceiver = addPublishingTransceiver(viewer.negotiation.pc, publication.track, publication.source, publication.maxBitrateKbps);
    viewer.transceivers.set(publication.ref.publicationId, { transceiver, source: publication.source });
  }

  private viewerLeft(connectionId: string) {
    for (const [peerId, viewer] of this.viewers) {
      // A viewer that reconnected already told us its new connection id: keep it.
      if (viewer.connectionId !== connectionId) continue;
      viewer.negotiation.close();
      this.viewers.delete(peerId);
    }
  }

  private sendTo(viewer: ViewerPeer, body: MediaSignalBody) {
    this.deps.signals.send(viewer.connectionId, { media: 'mesh', peer: this.deps.signals.peerId, target: viewer.peerId, ...body } as MediaSignal);
  }

  // ------------------------------------------------------------------ viewer side

  subscribe(publicationId: string): ProviderSubscription {
    const subscription = new ProviderSubscription(
      publicationId,
      {
        onClose: (closed) => {
          const set = this.subscriptions.get(publicationId);
          set?.delete(closed);
          if (set?.size === 0) this.subscriptions.delete(publicationId);
        },
        receiver: () => this.receiverFor(publicationId),
      },
      this.now,
    );
    if (this.closed) {
      subscription.set({ state: 'failed', error: 'The media connection is closed.' });
      return subscription;
    }
    let set = this.subscriptions.get(publicationId);
    if (!set) this.subscriptions.set(publicationId, (set = new Set()));
    set.add(subscription);
    if (this.deps.signals.role === 'host') {
      // A host tab never receives from itself; another tab's publication is not reachable here.
      subscription.set({ state: 'unavailable' });
      return subscription;
    }
    this.refresh();
    if (!this.resolve(subscription) && this.hosts.size === 0) this.hello(false);
    this.scheduleRetry();
    return subscription;
  }

  private hello(restart: boolean) {
    if (this.closed || this.subscriptions.size === 0) return;
    const anyBroken = [...this.hosts.values()].some((host) => host.negotiation.pc.connectionState !== 'connected');
    this.deps.signals.send('host', { media: 'mesh', peer: this.deps.signals.peerId, type: 'hello', ...(restart || anyBroken ? { restart: true } : {}) });
  }

  /** While a subscription gets no media, say hello again, backing off. */
  private scheduleRetry() {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      const waiting = [...this.subscriptions.values()].some((set) => [...set].some((s) => s.state !== 'live'));
      if (!waiting) {
        this.retryDelay = MESH_RETRY_MS;
        return;
      }
      this.hello(true);
      this.retryDelay = Math.min(this.retryDelay * 1.5, MAX_RETRY_MS);
      this.scheduleRetry();
    }, this.retryDelay);
  }

  private onHostSignal(signal: IncomingSignal) {
    const data = signal.data;
    if (data.type === 'unavailable') {
      this.hosts.get(data.peer)?.negotiation.close();
      this.hosts.delete(data.peer);
      return this.refresh();
    }
    if (data.type !== 'description' && data.type !== 'candidate') return;
    let host = this.hosts.get(data.peer);
    // An offer from a new connection of the host (it dropped ours, e.g. when our socket went
    // away) cannot be applied to the old one: its DTLS session differs. Start afresh.
    if (host && !host.negotiation.isClosed && data.type === 'description' && data.description.type === 'offer' && isFromAnotherSession(host.negotiation.pc, data.description.sdp)) {
      host.negotiation.close();
      this.hosts.delete(data.peer);
      host = undefined;
    }
    if (!host || host.negotiation.isClosed) {
      // Only an offer starts a connection; stray candidates or answers for an old one are dropped.
      if (data.type !== 'description' || data.description.type !== 'offer') return;
      host = this.createHostPeer(data.peer, signal.from);
    }
    host.connectionId = signal.from;
    if (data.type === 'description' && data.tracks) host.tracks = data.tracks;
    void host.negotiation.receive(data as DescriptionSignal | CandidateSignal).then(() => this.refresh());
  }

  private createHostPeer(peerId: string, connectionId: string): HostPeer {
    const pc = this.createPeerConnection();
    const host: HostPeer = { peerId, connectionId, tracks: [], negotiation: undefined as unknown as PerfectNegotiation };
    host.negotiation = new PerfectNegotiation(pc, {
      polite: true,
      send: (body) =>
        this.deps.signals.send('host', { media: 'mesh', peer: this.deps.signals.peerId, target: host.peerId, ...body } as MediaSignal),
      onFailure: (reason) => {
        this.deps.log?.(`mesh: host ${peerId} dropped: ${reason}`);
        if (this.hosts.get(peerId) === host) this.hosts.delete(peerId);
        this.refresh();
        this.scheduleRetry();
      },
    });
    pc.ontrack = () => this.refresh();
    pc.onconnectionstatechange = () => {
      this.refresh();
      if (pc.connectionState === 'failed' || pc.connectionState === 'disconnected') this.scheduleRetry();
    };
    this.hosts.set(peerId, host);
    return host;
  }

  /** Where each subscription stands, from every host connection's tracks and state. */
  private refresh() {
    const offered = new Set<string>();
    for (const host of this.hosts.values()) for (const track of host.tracks) offered.add(track.publicationId);
    for (const set of this.subscriptions.values()) for (const subscription of set) this.resolve(subscription);
    if (this.hosts.size > 0) this.markUnavailable(offered);
  }

  /** Gives a subscription its track if a host connection carries it; true if it did. */
  private resolve(subscription: ProviderSubscription): boolean {
    for (const host of this.hosts.values()) {
      const mapping = host.tracks.find((t) => t.publicationId === subscription.publicationId);
      if (!mapping) continue;
      const transceiver = host.negotiation.pc.getTransceivers().find((t) => t.mid === mapping.mid);
      if (!transceiver || transceiver.currentDirection === 'inactive' || transceiver.currentDirection === 'stopped') continue;
      const connected = host.negotiation.pc.connectionState === 'connected';
      subscription.set({ track: transceiver.receiver.track, state: connected ? 'live' : 'connecting', error: undefined });
      return true;
    }
    return false;
  }

  private markUnavailable(offered: Set<string>, error?: string) {
    for (const [publicationId, set] of this.subscriptions) {
      if (offered.has(publicationId)) continue;
      for (const subscription of set) {
        if (!this.resolve(subscription)) subscription.set({ state: 'unavailable', track: undefined, error });
      }
    }
  }

  private receiverFor(publicationId: string): RTCRtpReceiver | undefined {
    for (const host of this.hosts.values()) {
      const mapping = host.tracks.find((t) => t.publicationId === publicationId);
      const transceiver = mapping && host.negotiation.pc.getTransceivers().find((t) => t.mid === mapping.mid);
      if (transceiver) return transceiver.receiver;
    }
    return undefined;
  }

  // ------------------------------------------------------------------ both

  private receive(signal: IncomingSignal) {
    const { data } = signal;
    if (this.closed || data.media !== 'mesh') return;
    if (data.target !== undefined && data.target !== this.deps.signals.peerId) return;
    if (this.deps.signals.role === 'host') {
      if (signal.fromRole !== 'viewer') return;
      if (data.type === 'hello') return this.onHello({ ...signal, data });
      const viewer = this.viewers.get(data.peer);
      if (!viewer) return;
      viewer.connectionId = signal.from;
      if (data.type === 'bye') {
        viewer.negotiation.close();
        this.viewers.delete(data.peer);
      } else if (data.type === 'description' || data.type === 'candidate') {
        void viewer.negotiation.receive(data);
      }
      return;
    }
    if (signal.fromRole === 'host') this.onHostSignal(signal);
  }

  async uploadStats(): Promise<UploadStats> {
    const connections = [...this.viewers.values()].map((viewer) => viewer.negotiation.pc).filter((pc) => pc.connectionState === 'connected');
    return { kbps: await uploadKbps(connections, this.uploadMemo), connections: connections.length };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const stop of this.unsubscribe.splice(0)) stop();
    for (const host of this.hosts.values()) {
      this.deps.signals.send('host', { media: 'mesh', peer: this.deps.signals.peerId, target: host.peerId, type: 'bye' });
      host.negotiation.close();
    }
    for (const viewer of this.viewers.values()) viewer.negotiation.close();
    this.hosts.clear();
    this.viewers.clear();
    this.publications.clear();
    for (const set of this.subscriptions.values()) for (const subscription of [...set]) subscription.close();
  }

  private createPeerConnection(): RTCPeerConnection {
    const config: RTCConfiguration = { iceServers: this.deps.iceServers, bundlePolicy: 'max-bundle' };
    return this.deps.createPeerConnection?.(config) ?? new RTCPeerConnection(config);
  }
}

function mappingOf(viewer: ViewerPeer): TrackMapping {
  const tracks: TrackMapping = [];
  for (const [publicationId, { transceiver, source }] of viewer.transceivers) {
    if (transceiver.mid) tracks.push({ mid: transceiver.mid, publicationId, source });
  }
  return tracks;
}

/**
 * True when an offer comes from another peer connection than the one we are talking to: the
 * session id of its `o=` line (RFC 8866, kept across renegotiations of one connection) differs.
 */
function isFromAnotherSession(pc: RTCPeerConnection, sdp: string): boolean {
  const current = pc.remoteDescription?.sdp;
  if (!current) return false;
  const sessionId = (text: string) => /^o=\S+ (\S+) /m.exec(text)?.[1];
  return sessionId(current) !== sessionId(sdp);
}
