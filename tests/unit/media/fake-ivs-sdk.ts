import { MediaError } from '../../../src/media/types';
import type { IvsSdk, SdkParticipant, SdkStage, SdkStream, SdkStrategy } from '../../../src/media/ivs/sdk';
import type { IvsTokenSource } from '../../../src/media/ivs/token-source';
import { FakeTrack } from './fake-peer-connection';

/**
 * A fake of the IVS Web Broadcast SDK's Stage, LocalStageStream and enums (same names, same
 * event arguments), backed by an in-memory stage. Like IVS: tokens are single use and carry the
 * capabilities and attributes the server chose; a subscriber receives a publisher's streams
 * only while its strategy says AUDIO_VIDEO; events arrive asynchronously; a network drop
 * (`drop`) errors the connection and the others see the participant leave.
 */
const StageEvents = {
  STAGE_CONNECTION_STATE_CHANGED: 'stageConnectionStateChanged',
  STAGE_PARTICIPANT_JOINED: 'stageParticipantJoined',
  STAGE_PARTICIPANT_LEFT: 'stageParticipantLeft',
  STAGE_PARTICIPANT_STREAMS_ADDED: 'stageParticipantStreamsAdded',
  STAGE_PARTICIPANT_STREAMS_REMOVED: 'stageParticipantStreamsRemoved',
  STAGE_LEFT: 'stageLeft',
} as const;
const StageConnectionState = { CONNECTING: 'connecting', CONNECTED: 'connected', DISCONNECTED: 'disconnected', ERRORED: 'errored' } as const;
const SubscribeType = { NONE: 'none', AUDIO_VIDEO: 'audio_video' } as const;

interface TokenGrant {
  client: string;
  capabilities: ('PUBLISH' | 'SUBSCRIBE')[];
  attributes: Record<string, string>;
  used: boolean;
}

class FakeStream implements SdkStream {
  bytes = 0;
  /** A remote stream: the publisher's local stream it carries. */
  source?: SdkStream;
  constructor(readonly mediaStreamTrack: MediaStreamTrack, private readonly direction: 'inbound-rtp' | 'outbound-rtp') {}
  async getStats() {
    this.bytes += 50_000;
    const key = this.direction === 'inbound-rtp' ? 'bytesReceived' : 'bytesSent';
    return new Map([['rtp', { type: this.direction, [key]: this.bytes, timestamp: this.bytes / 50, framesDecoded: 30, frameWidth: 640, frameHeight: 360 }]]) as unknown as RTCStatsReport;
  }
}

export class FakeIvsStageServer {
  readonly grants = new Map<string, TokenGrant>();
  readonly stages = new Set<FakeStage>();
  /** Set once the host's first publish token is minted (the server creates the stage then). */
  stageExists = false;
  /** Every token request, in order. */
  readonly tokenRequests: { client: string; kind: 'publish' | 'subscribe' }[] = [];
  failSubscribeTokens: MediaError | undefined;
  private nextToken = 1;
  private nextParticipant = 1;

  readonly sdk: IvsSdk;

  constructor() {
    const server = this;
    this.sdk = {
      Stage: class extends FakeStage {
        constructor(token: string, strategy: SdkStrategy) {
          super(server, token, strategy);
        }
      },
      LocalStageStream: class extends FakeStream {
        constructor(track: MediaStreamTrack) {
          super(track, 'outbound-rtp');
        }
      },
      StageEvents,
      StageConnectionState,
      StageLeftReason: { USER_INITIATED: 'user-initiated' },
      SubscribeType,
    };
  }

  /** The token routes, as one page sees them (`client` names the page, for `drop`). */
  tokens(client: string, role: 'host' | 'viewer'): IvsTokenSource {
    return {
      publish: async (publicationId, source) => {
        this.tokenRequests.push({ client, kind: 'publish' });
        if (role !== 'host') throw new MediaError('forbidden', 'Only the host of this session may publish media.');
        this.stageExists = true;
        return this.mint({ client, capabilities: ['PUBLISH', 'SUBSCRIBE'], attributes: { role: 'host', publicationId, source }, used: false });
      },
      subscribe: async () => {
        this.tokenRequests.push({ client, kind: 'subscribe' });
        if (this.failSubscribeTokens) throw this.failSubscribeTokens;
        if (!this.stageExists) throw new MediaError('unavailable', 'This session has no media stage: the host has not published yet.');
        return this.mint({ client, capabilities: ['SUBSCRIBE'], attributes: { role: 'viewer' }, used: false });
      },
    };
  }

  /** The network under a page drops: its stages error, the others see it leave. */
  drop(client: string): void {
    for (const stage of [...this.stages]) if (stage.grant?.client === client) stage.fail();
  }

  joined(): FakeStage[] {
    return [...this.stages];
  }

  private mint(grant: TokenGrant): string {
    const token = `token-${this.nextToken++}`;
    this.grants.set(token, grant);
    return token;
  }

  newParticipantId(): string {
    return `participant-${this.nextParticipant++}`;
  }
}

class FakeStage implements SdkStage {
  grant: TokenGrant | undefined;
  participant: SdkParticipant | undefined;
  published: SdkStream[] = [];
  /** What this subscriber currently receives, by publisher participant id. */
  readonly receiving = new Map<string, FakeStream[]>();
  private readonly listeners = new Map<string, Set<(...args: never[]) => void>>();

  constructor(
    private readonly server: FakeIvsStageServer,
    private readonly token: string,
    readonly strategy: SdkStrategy,
  ) {}

  on(event: string, listener: (...args: never[]) => void) {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: (...args: never[]) => void) {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  async join(): Promise<void> {
    const grant = this.server.grants.get(this.token);
    if (!grant) throw new Error('StageTokenError: invalid token');
    if (grant.used) {
      this.emit(StageEvents.STAGE_LEFT, 'token-reused');
      throw new Error('token already used');
    }
    grant.used = true;
    this.grant = grant;
    this.participant = { id: this.server.newParticipantId(), attributes: grant.attributes, isLocal: false };
    this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.CONNECTING);
    this.server.stages.add(this);
    for (const other of this.others()) {
      this.emit(StageEvents.STAGE_PARTICIPANT_JOINED, other.participant);
      other.emit(StageEvents.STAGE_PARTICIPANT_JOINED, this.participant);
    }
    this.publish();
    this.resubscribe();
    this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.CONNECTED);
  }

  refreshStrategy(): void {
    if (!this.server.stages.has(this)) return;
    this.publish();
    this.resubscribe();
  }

  leave(): void {
    if (!this.server.stages.delete(this)) return;
    this.departed();
    this.emit(StageEvents.STAGE_LEFT, 'user-initiated');
    this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.DISCONNECTED);
  }

  /** A network failure: the connection errors; the stage is gone for the others. */
  fail(): void {
    if (!this.server.stages.delete(this)) return;
    this.departed();
    this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.ERRORED);
  }

  private departed(): void {
    for (const other of this.others()) {
      const streams = other.receiving.get(this.participant!.id);
      if (streams) other.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, this.participant, streams);
      other.receiving.delete(this.participant!.id);
      other.emit(StageEvents.STAGE_PARTICIPANT_LEFT, this.participant);
    }
  }

  /** Publishes what the strategy offers, if the token may (a subscribe-only token never does). */
  private publish(): void {
    const may = this.grant!.capabilities.includes('PUBLISH') && this.strategy.shouldPublishParticipant(this.participant!);
    const next = may ? this.strategy.stageStreamsToPublish() : [];
    if (next.length === this.published.length && next.every((stream, i) => stream === this.published[i])) return;
    this.published = next;
    for (const other of this.others()) other.resubscribe();
  }

  /** Receives exactly the publishers the strategy wants (new streams when a publisher replaced its own). */
  private resubscribe(): void {
    for (const other of this.others()) {
      const id = other.participant!.id;
      const wanted = this.strategy.shouldSubscribeToParticipant(other.participant!) === SubscribeType.AUDIO_VIDEO && other.published.length > 0;
      const current = this.receiving.get(id);
      const sameSource = current && current.length === other.published.length && current.every((stream, i) => stream.source === other.published[i]);
      if (current && (!wanted || !sameSource)) {
        this.receiving.delete(id);
        this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, other.participant, current);
      }
      if (wanted && !sameSource) {
        const streams = other.published.map((published) => {
          const remote = new FakeStream(new FakeTrack(published.mediaStreamTrack.kind as 'audio' | 'video') as unknown as MediaStreamTrack, 'inbound-rtp');
          remote.source = published;
          return remote;
        });
        this.receiving.set(id, streams);
        this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, other.participant, streams);
      }
    }
  }

  private others(): FakeStage[] {
    return [...this.server.stages].filter((stage) => stage !== this);
  }

  private emit(event: string, ...args: unknown[]): void {
    // The SDK's events are asynchronous to the call that caused them.
    setTimeout(() => {
      for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
    }, 0);
  }
}
