import type { MediaRef } from '../../protocol/media';
import { newMediaId } from '../ids';
import { ProviderSubscription, uploadKbps, type StatsSource } from '../subscription';
import { MediaError, type LocalPublication, type MediaProvider, type PublishOptions, type Subscription, type UploadStats } from '../types';
import type { IvsSdk, SdkParticipant, SdkStage, SdkStream, SdkStrategy } from './sdk';
import type { IvsTokenSource } from './token-source';

/**
 * Media through an Amazon IVS real-time stage. Each publication is one IVS participant (one
 * track; its token's attributes carry the publication id and source, set by the server). Each
 * viewer page joins the stage once, subscribe-only, and subscribes to the participants whose
 * publication it wants. Tokens are single use: every (re)join asks for a fresh one.
 */
export interface IvsProviderDeps {
  role: 'host' | 'viewer';
  tokens: IvsTokenSource;
  /** The SDK (loaded lazily in the browser; a fake in tests). */
  sdk: () => Promise<IvsSdk>;
  now?: () => number;
  /** Wait before rejoin attempt `attempt` (1, 2, …). */
  retryDelayMs?: (attempt: number) => number;
  /** A viewer page with no subscription left leaves the stage after this long (default 30 s). */
  idleLeaveMs?: number;
  log?: (message: string, detail?: unknown) => void;
}

const defaultRetryDelay = (attempt: number) => Math.min(10_000, 500 * 2 ** (attempt - 1));

/** A joined stage that rejoins with a fresh token when IVS drops it, until it is left. */
class StageSession {
  private stage: SdkStage | undefined;
  private closed = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  connected = false;

  constructor(
    private readonly sdk: IvsSdk,
    private readonly token: () => Promise<string>,
    private readonly strategy: SdkStrategy,
    private readonly hooks: {
      onConnected(): void;
      onDropped(error?: unknown): void;
      listen(stage: SdkStage): void;
    },
    private readonly retryDelayMs: (attempt: number) => number,
  ) {}

  /** Joins; rejects only for the first attempt's token failure (e.g. a viewer asking to publish). */
  async join(): Promise<void> {
    const token = await this.token();
    if (this.closed) return;
    const stage = new this.sdk.Stage(token, this.strategy);
    this.stage = stage;
    const { StageEvents, StageConnectionState, StageLeftReason } = this.sdk;
    stage.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, ((state: string) => {
      if (stage !== this.stage) return;
      if (state === StageConnectionState.CONNECTED) {
        this.connected = true;
        this.attempt = 0;
        this.hooks.onConnected();
      } else if (state === StageConnectionState.ERRORED || state === StageConnectionState.DISCONNECTED) {
        this.drop();
      }
    }) as never);
    stage.on(StageEvents.STAGE_LEFT, ((reason: string) => {
      if (stage === this.stage && reason !== StageLeftReason.USER_INITIATED) this.drop();
    }) as never);
    this.hooks.listen(stage);
    await stage.join();
  }

  refresh(): void {
    this.stage?.refreshStrategy();
  }

  leave(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const stage = this.stage;
    this.stage = undefined;
    stage?.leave();
  }

  private drop(error?: unknown): void {
    if (this.closed) return;
    const stage = this.stage;
    this.stage = undefined;
    this.connected = false;
    stage?.leave();
    this.hooks.onDropped(error);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.join().catch((joinError: unknown) => this.drop(joinError));
    }, this.retryDelayMs(++this.attempt));
  }

  /** The first join failed after the caller gave up on it: keep trying in the background. */
  retryLater(error: unknown): void {
    this.drop(error);
  }
}

interface Publisher {
  stream: SdkStream;
  session: StageSession;
}

export class IvsProvider implements MediaProvider {
  readonly kind = 'ivs' as const;
  private readonly now: () => number;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly publishers = new Map<string, Publisher>();
  private readonly subscriptions = new Map<string, Set<ProviderSubscription>>();
  /** Remote participants by id, with the publication their attributes name and their streams. */
  private readonly participants = new Map<string, { participant: SdkParticipant; publicationId?: string; streams: SdkStream[] }>();
  private readonly statsSources = new WeakMap<SdkStream, StatsSource>();
  private readonly uploadMemo = new WeakMap<StatsSource, { bytes: number; at: number }>();
  private viewerStage: StageSession | undefined;
  /** Pending leave of an idle viewer stage: IVS bills every connected participant by the hour. */
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly deps: IvsProviderDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.retryDelayMs = deps.retryDelayMs ?? defaultRetryDelay;
  }

  async publish(track: MediaStreamTrack, options: PublishOptions): Promise<LocalPublication> {
    if (this.deps.role !== 'host') {
      throw new MediaError('forbidden', 'Only the host publishes media in a session.', 'Watch as a viewer, or open the studio as the host.');
    }
    if (this.closed) throw new MediaError('unavailable', 'Media has stopped on this page.', 'Reload the page.');
    const sdk = await this.deps.sdk();
    const publicationId = newMediaId();
    const ref: MediaRef = { publicationId, source: options.source, provider: 'ivs' };
    const streamFor = (next: MediaStreamTrack) =>
      new sdk.LocalStageStream(next, options.maxBitrateKbps ? { maxBitrate: options.maxBitrateKbps } : undefined);
    const publisher: Publisher = {
      stream: streamFor(track),
      session: new StageSession(
        sdk,
        () => this.deps.tokens.publish(publicationId, options.source),
        {
          stageStreamsToPublish: () => [publisher.stream],
          shouldPublishParticipant: () => true,
          // The host shows its own tracks locally; it needs nothing from the stage.
          shouldSubscribeToParticipant: () => sdk.SubscribeType.NONE,
        },
        {
          onConnected: () => undefined,
          onDropped: (error) => this.deps.log?.('IVS publication dropped; rejoining', { publicationId, error: String(error ?? '') }),
          listen: () => undefined,
        },
        this.retryDelayMs,
      ),
    };
    this.publishers.set(publicationId, publisher);
    try {
      await publisher.session.join();
    } catch (error) {
      this.publishers.delete(publicationId);
      publisher.session.leave();
      throw error instanceof MediaError ? error : new MediaError('unavailable', `Could not join the IVS stage: ${String(error)}`, 'Try again in a moment.');
    }
    const provider = this;
    return {
      ref,
      get track() {
        return publisher.stream.mediaStreamTrack;
      },
      async replaceTrack(next) {
        // A LocalStageStream wraps one track: publish a new stream in its place.
        publisher.stream = streamFor(next);
        publisher.session.refresh();
      },
      stop() {
        publisher.session.leave();
        provider.publishers.delete(publicationId);
      },
    };
  }

  subscribe(publicationId: string): Subscription {
    const subscription = new ProviderSubscription(
      publicationId,
      {
        onClose: (closed) => {
          this.subscriptions.get(publicationId)?.delete(closed);
          this.leaveWhenIdle();
        },
        receiver: () => {
          const stream = this.streamOf(publicationId);
          return stream ? this.statsSourceOf(stream) : undefined;
        },
      },
      this.now,
    );
    if (this.closed) {
      subscription.set({ state: 'closed' });
      return subscription;
    }
    let set = this.subscriptions.get(publicationId);
    if (!set) this.subscriptions.set(publicationId, (set = new Set()));
    set.add(subscription);
    clearTimeout(this.idleTimer);
    if (this.viewerStage) {
      this.update(publicationId);
      // Known participant: ask the SDK to subscribe to it now.
      this.viewerStage.refresh();
    } else {
      void this.joinAsViewer();
    }
    return subscription;
  }

  async uploadStats(): Promise<UploadStats> {
    const sources = [...this.publishers.values()].map((publisher) => this.statsSourceOf(publisher.stream));
    return { kbps: await uploadKbps(sources, this.uploadMemo), connections: sources.length };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const publisher of this.publishers.values()) publisher.session.leave();
    this.publishers.clear();
    clearTimeout(this.idleTimer);
    this.viewerStage?.leave();
    for (const set of this.subscriptions.values()) for (const subscription of [...set]) subscription.close();
    this.subscriptions.clear();
  }

  // ---------------------------------------------------------------- subscribing

  private async joinAsViewer(): Promise<void> {
    const sdk = await this.deps.sdk().catch((error: unknown) => {
      this.failAll(`Could not load the Amazon IVS player: ${String(error)}`);
      return undefined;
    });
    if (!sdk || this.closed || this.viewerStage) return;
    const { StageEvents, SubscribeType } = sdk;
    const session = new StageSession(
      sdk,
      () => this.deps.tokens.subscribe(),
      {
        stageStreamsToPublish: () => [],
        shouldPublishParticipant: () => false,
        shouldSubscribeToParticipant: (participant) => {
          const publicationId = publicationOf(participant);
          return publicationId && this.subscriptions.get(publicationId)?.size ? SubscribeType.AUDIO_VIDEO : SubscribeType.NONE;
        },
      },
      {
        onConnected: () => this.updateAll(),
        onDropped: (error) => {
          // Everything comes back with the rejoin; until then, connecting (or why not).
          this.participants.clear();
          const message = error instanceof MediaError ? error.message : undefined;
          const noStage = error instanceof MediaError && error.code === 'unavailable';
          for (const set of this.subscriptions.values()) {
            for (const subscription of set) subscription.set(noStage ? { state: 'unavailable', track: undefined, error: undefined } : { state: 'connecting', track: undefined, error: message });
          }
        },
        listen: (stage) => {
          stage.on(StageEvents.STAGE_PARTICIPANT_JOINED, ((participant: SdkParticipant) => {
            if (participant.isLocal) return;
            this.participants.set(participant.id, { participant, publicationId: publicationOf(participant), streams: [] });
          }) as never);
          stage.on(StageEvents.STAGE_PARTICIPANT_LEFT, ((participant: SdkParticipant) => {
            const known = this.participants.get(participant.id);
            this.participants.delete(participant.id);
            if (known?.publicationId) this.update(known.publicationId);
          }) as never);
          stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, ((participant: SdkParticipant, streams: SdkStream[]) => {
            const known = this.participants.get(participant.id) ?? { participant, publicationId: publicationOf(participant), streams: [] };
            known.streams = [...known.streams, ...streams];
            this.participants.set(participant.id, known);
            if (known.publicationId) this.update(known.publicationId);
          }) as never);
          stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, ((participant: SdkParticipant, streams: SdkStream[]) => {
            const known = this.participants.get(participant.id);
            if (!known) return;
            known.streams = known.streams.filter((stream) => !streams.includes(stream));
            if (known.publicationId) this.update(known.publicationId);
          }) as never);
        },
      },
      this.retryDelayMs,
    );
    this.viewerStage = session;
    try {
      await session.join();
    } catch (error) {
      session.retryLater(error);
    }
  }

  private leaveWhenIdle(): void {
    if (this.closed || !this.viewerStage || [...this.subscriptions.values()].some((set) => set.size > 0)) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if ([...this.subscriptions.values()].some((set) => set.size > 0)) return;
      this.viewerStage?.leave();
      this.viewerStage = undefined;
      this.participants.clear();
    }, this.deps.idleLeaveMs ?? 30_000);
  }

  private updateAll(): void {
    for (const publicationId of this.subscriptions.keys()) this.update(publicationId);
  }

  /** Sets every subscription of a publication from what the stage shows now. */
  private update(publicationId: string): void {
    const set = this.subscriptions.get(publicationId);
    if (!set?.size || !this.viewerStage) return;
    const stream = this.streamOf(publicationId);
    for (const subscription of set) {
      if (stream) subscription.set({ state: 'live', track: stream.mediaStreamTrack, error: undefined });
      // Connected and nobody publishes it: camera off, share stopped, or never there.
      else if (this.viewerStage.connected) subscription.set({ state: 'unavailable', track: undefined, error: undefined });
    }
  }

  private streamOf(publicationId: string): SdkStream | undefined {
    for (const known of this.participants.values()) {
      if (known.publicationId === publicationId && known.streams.length > 0) return known.streams[0];
    }
    return undefined;
  }

  private statsSourceOf(stream: SdkStream): StatsSource {
    let source = this.statsSources.get(stream);
    if (!source) {
      source = { getStats: async () => (await stream.getStats()) ?? (new Map() as unknown as RTCStatsReport) };
      this.statsSources.set(stream, source);
    }
    return source;
  }

  private failAll(error: string): void {
    for (const set of this.subscriptions.values()) for (const subscription of set) subscription.set({ state: 'failed', error });
  }
}

/** The publication a participant carries, from the attributes the server put in its token. */
function publicationOf(participant: SdkParticipant): string | undefined {
  const value = participant.attributes.publicationId;
  return typeof value === 'string' ? value : undefined;
}

