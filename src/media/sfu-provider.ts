import { SFU_SIGNAL_TARGET, type MediaRef, type MediaSignal, type MediaSignalBody } from '../protocol/media';
import { PerfectNegotiation, addPublishingTransceiver, DEFAULT_MAX_BITRATE_KBPS, type CandidateSignal, type DescriptionSignal } from './negotiation';
import { ProviderSubscription, uploadKbps } from './subscription';
import { MediaError, type IncomingSignal, type LocalPublication, type MediaProvider, type MediaProviderDeps, type PublishOptions, type UploadStats } from './types';
import { newMediaId } from './ids';

/**
 * The local SFU (local/sfu/): the host publishes each track once, on its own peer connection
 * to the SFU, whatever the audience; each subscription is its own connection from the SFU.
 * Signals go to "sfu" over the `signal` action; the realtime function relays them with the
 * role the authorizer gave this connection, so only a host's offer can publish.
 *
 * Every connection here repairs itself: a publication whose connection fails is offered again
 * under the same id (subscribers keep theirs and get a keyframe), and a subscription that fails,
 * times out or finds nothing subscribes again, backing off.
 */
const RETRY_MS = 1_000;
const MAX_RETRY_MS = 15_000;

interface Link {
  negotiation?: PerfectNegotiation;
  attempt: number;
  timer?: ReturnType<typeof setTimeout>;
}

interface OwnPublication extends Link {
  ref: MediaRef;
  track: MediaStreamTrack;
  maxBitrateKbps: number;
  stopped: boolean;
  /** Called once the SFU has answered the first offer: the publication exists there. */
  accepted?: () => void;
}

/** How long publish() waits for the SFU to accept a publication. */
const PUBLISH_TIMEOUT_MS = 10_000;

interface Incoming extends Link {
  publicationId: string;
  subscribers: Set<ProviderSubscription>;
}

export class SfuProvider implements MediaProvider {
  readonly kind = 'sfu' as const;
  private readonly published = new Map<string, OwnPublication>();
  private readonly incoming = new Map<string, Incoming>();
  private readonly uploadMemo = new WeakMap<RTCPeerConnection, { bytes: number; at: number }>();
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: MediaProviderDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.unsubscribe.push(
      deps.signals.onSignal((signal) => this.receive(signal)),
      deps.signals.onReconnect(() => this.reconnected()),
      deps.signals.onRefused((code, message) => {
        // The relay said no (no SFU, or it is not answering): every link still waiting retries
        // later. A connected one needs nothing from the relay, so it keeps its media.
        if (code !== 'unavailable') return;
        for (const link of this.incoming.values()) if (link.negotiation?.pc.connectionState !== 'connected') this.retry(link, message);
      }),
    );
  }

  async publish(track: MediaStreamTrack, options: PublishOptions): Promise<LocalPublication> {
    if (this.deps.signals.role !== 'host') throw new MediaError('forbidden', 'Only the host can publish media.');
    if (this.closed) throw new MediaError('unavailable', 'The media connection is closed.');
    const own: OwnPublication = {
      ref: { publicationId: newMediaId(this.deps.random), source: options.source, provider: 'sfu' },
      track,
      maxBitrateKbps: options.maxBitrateKbps ?? DEFAULT_MAX_BITRATE_KBPS[options.source],
      stopped: false,
      attempt: 0,
    };
    this.published.set(own.ref.publicationId, own);
    // Resolve once the SFU holds the publication, so viewers that read the reference at once find it.
    const accepted = new Promise<boolean>((resolve) => {
      own.accepted = () => resolve(true);
      setTimeout(() => resolve(false), PUBLISH_TIMEOUT_MS);
    });
    this.connectPublication(own);
    if (!(await accepted)) {
      own.stopped = true;
      clearTimeout(own.timer);
      own.negotiation?.close();
      this.published.delete(own.ref.publicationId);
      throw new MediaError('timeout', 'The media server did not accept the stream in time.', 'Check that the media server is running (npm start starts it), then try again.');
    }
    return {
      ref: own.ref,
      get track() {
        return own.track;
      },
      replaceTrack: async (next) => {
        own.track = next;
        const sender = own.negotiation?.pc.getSenders()[0];
        await sender?.replaceTrack(next).catch(() => undefined);
      },
      stop: () => {
        if (own.stopped) return;
        own.stopped = true;
        clearTimeout(own.timer);
        own.negotiation?.close();
        this.published.delete(own.ref.publicationId);
        this.send({ type: 'bye', publicationId: own.ref.publicationId });
      },
    };
  }

  private connectPublication(own: OwnPublication) {
    if (own.stopped || this.closed) return;
    own.negotiation?.close();
    const pc = this.createPeerConnection();
    const { publicationId, source } = own.ref;
    const negotiation = new PerfectNegotiation(pc, {
      polite: true,
      send: (body) => this.sendNegotiation(publicationId, body),
      tracks: () => {
        const mid = pc.getTransceivers()[0]?.mid;
        return mid ? [{ mid, publicationId, source }] : [];
      },
      onFailure: (reason) => this.retry(own, reason),
    });
    own.negotiation = negotiation;
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') own.attempt = 0;
      if (pc.connectionState === 'failed') this.retry(own, 'The connection to the media server failed.');
    };
    addPublishingTransceiver(pc, own.track, source, own.maxBitrateKbps);
  }

  subscribe(publicationId: string): ProviderSubscription {
    let link = this.incoming.get(publicationId);
    const subscription = new ProviderSubscription(
      publicationId,
      {
        onClose: (closed) => {
          const current = this.incoming.get(publicationId);
          if (!current) return;
          current.subscribers.delete(closed);
          if (current.subscribers.size > 0) return;
          clearTimeout(current.timer);
          current.negotiation?.close();
          this.incoming.delete(publicationId);
          this.send({ type: 'bye', publicationId });
        },
        receiver: () => this.incoming.get(publicationId)?.negotiation?.pc.getReceivers()[0],
      },
      this.now,
    );
    if (this.closed) {
      subscription.set({ state: 'failed', error: 'The media connection is closed.' });
      return subscription;
    }
    if (!link) {
      link = { publicationId, subscribers: new Set(), attempt: 0 };
      this.incoming.set(publicationId, link);
      link.subscribers.add(subscription);
      this.connectSubscription(link);
    } else {
      link.subscribers.add(subscription);
      this.update(link);
    }
    return subscription;
  }

  private connectSubscription(link: Incoming) {
    if (this.closed) return;
    link.negotiation?.close();
    link.negotiation = undefined;
    this.update(link, 'connecting');
    this.send({ type: 'subscribe', publicationId: link.publicationId });
    // No offer in time (a lost message, a busy SFU): ask again.
    clearTimeout(link.timer);
    link.timer = setTimeout(() => this.retry(link, 'The media server did not offer the stream in time.'), 10_000);
  }

  private onSubscriptionOffer(link: Incoming, data: DescriptionSignal) {
    clearTimeout(link.timer);
    link.negotiation?.close();
    const pc = this.createPeerConnection();
    link.negotiation = new PerfectNegotiation(pc, {
      polite: true,
      send: (body) => this.sendNegotiation(link.publicationId, body),
      onFailure: (reason) => this.retry(link, reason),
    });
    pc.ontrack = () => this.update(link);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') link.attempt = 0;
      this.update(link);
      if (pc.connectionState === 'failed') this.retry(link, 'The connection to the media server failed.');
    };
    void link.negotiation.receive(data).then(() => this.update(link));
  }

  private update(link: Incoming, forced?: 'connecting') {
    const pc = link.negotiation?.pc;
    const track = pc?.getReceivers()[0]?.track;
    const state = forced ?? (pc?.connectionState === 'connected' && track ? 'live' : 'connecting');
    for (const subscription of link.subscribers) subscription.set({ state, track: state === 'live' ? track : subscription.track, error: undefined });
  }

  /** Backs off, then connects again; while waiting, subscribers see why. */
  private retry(link: Link, reason: string) {
    if (this.closed) return;
    clearTimeout(link.timer);
    link.negotiation?.close();
    link.negotiation = undefined;
    const delay = Math.min(RETRY_MS * 2 ** link.attempt++, MAX_RETRY_MS);
    this.deps.log?.(`sfu: ${reason} Retrying in ${delay} ms.`);
    if ('subscribers' in link) {
      const incoming = link as Incoming;
      for (const subscription of incoming.subscribers) {
        subscription.set({ state: subscription.state === 'unavailable' ? 'unavailable' : 'failed', error: reason });
      }
      link.timer = setTimeout(() => this.connectSubscription(incoming), delay);
    } else {
      link.timer = setTimeout(() => this.connectPublication(link as OwnPublication), delay);
    }
  }

  private receive(signal: IncomingSignal) {
    const { data } = signal;
    if (this.closed || signal.fromRole !== 'sfu' || data.media !== 'sfu' || !data.publicationId) return;
    const own = this.published.get(data.publicationId);
    const link = this.incoming.get(data.publicationId);
    switch (data.type) {
      case 'description':
        if (data.description.type === 'answer' && own?.negotiation) {
          return void own.negotiation.receive(data).then(() => {
            own.accepted?.();
            own.accepted = undefined;
          });
        }
        if (data.description.type === 'offer' && link) return this.onSubscriptionOffer(link, data);
        return;
      case 'candidate':
        return void (own ?? link)?.negotiation?.receive(data as CandidateSignal);
      case 'unavailable':
        if (!link) return;
        for (const subscription of link.subscribers) subscription.set({ state: 'unavailable', track: undefined, error: undefined });
        // The host may publish it again under this id (after a reload of the SFU link): look again later.
        clearTimeout(link.timer);
        link.negotiation?.close();
        link.negotiation = undefined;
        link.timer = setTimeout(() => this.connectSubscription(link), Math.min(RETRY_MS * 2 ** link.attempt++, MAX_RETRY_MS));
        return;
      case 'error':
        if (data.code === 'forbidden') {
          for (const subscription of link?.subscribers ?? []) subscription.set({ state: 'failed', error: data.message });
          return;
        }
        if (own) return this.retry(own, data.message);
        if (link) return this.retry(link, data.message);
        return;
    }
  }

  /** After the socket reconnects: tell the SFU where this page is now, and repair what is not working. */
  private reconnected() {
    if (this.closed || (this.published.size === 0 && this.incoming.size === 0)) return;
    this.send({ type: 'hello' });
    for (const own of this.published.values()) if (own.negotiation?.pc.connectionState !== 'connected') this.retry(own, 'Reconnected.');
    for (const link of this.incoming.values()) if (link.negotiation?.pc.connectionState !== 'connected') this.connectSubscription(link);
  }

  /**
   * Descriptions only: the SFU's offers and answers carry all its candidates, and this browser's
   * connectivity checks to them show the SFU where the browser is (as with an ICE-lite server).
   * Trickled browser candidates bought nothing and cost one relayed signal each, 5 to 10 per
   * connection, which at 25 viewers were most of the relay's work and slowed every join.
   */
  private sendNegotiation(publicationId: string, body: DescriptionSignal | CandidateSignal) {
    if (body.type === 'candidate') return;
    this.send({ ...body, publicationId });
  }

  private send(body: MediaSignalBody) {
    this.deps.signals.send(SFU_SIGNAL_TARGET, { media: 'sfu', peer: this.deps.signals.peerId, ...body } as MediaSignal);
  }

  async uploadStats(): Promise<UploadStats> {
    const connections = [...this.published.values()].flatMap((own) => (own.negotiation?.pc.connectionState === 'connected' ? [own.negotiation.pc] : []));
    return { kbps: await uploadKbps(connections, this.uploadMemo), connections: connections.length };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.unsubscribe.splice(0)) stop();
    for (const own of this.published.values()) {
      clearTimeout(own.timer);
      own.negotiation?.close();
      this.send({ type: 'bye', publicationId: own.ref.publicationId });
    }
    for (const link of this.incoming.values()) {
      clearTimeout(link.timer);
      link.negotiation?.close();
      for (const subscription of [...link.subscribers]) subscription.set({ state: 'closed', track: undefined });
      this.send({ type: 'bye', publicationId: link.publicationId });
    }
    this.published.clear();
    this.incoming.clear();
  }

  private createPeerConnection(): RTCPeerConnection {
    const config: RTCConfiguration = { iceServers: this.deps.iceServers, bundlePolicy: 'max-bundle' };
    return this.deps.createPeerConnection?.(config) ?? new RTCPeerConnection(config);
  }
}
