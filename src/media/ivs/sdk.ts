/**
 * The part of Amazon's `amazon-ivs-web-broadcast` SDK the IVS provider uses, typed by us so
 * the provider's logic runs (and is unit-tested) against a fake with the same shape. The SDK
 * itself (proprietary licence, ~190 KB gzip, reports telemetry to AWS) is only ever loaded by
 * `loadIvsSdk`, through a dynamic import, on deployments whose media provider is `ivs`.
 */
export interface SdkParticipant {
  readonly id: string;
  readonly attributes: Record<string, unknown>;
  readonly isLocal: boolean;
}

export interface SdkStream {
  readonly mediaStreamTrack: MediaStreamTrack;
  getStats(): Promise<RTCStatsReport | undefined>;
}

export interface SdkStrategy {
  stageStreamsToPublish(): SdkStream[];
  shouldPublishParticipant(participant: SdkParticipant): boolean;
  shouldSubscribeToParticipant(participant: SdkParticipant): string;
}

export interface SdkStage {
  join(): Promise<void>;
  leave(): void;
  refreshStrategy(): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off?(event: string, listener: (...args: never[]) => void): unknown;
}

export interface IvsSdk {
  Stage: new (token: string, strategy: SdkStrategy) => SdkStage;
  LocalStageStream: new (track: MediaStreamTrack, config?: { maxBitrate?: number }) => SdkStream;
  StageEvents: {
    STAGE_CONNECTION_STATE_CHANGED: string;
    STAGE_PARTICIPANT_JOINED: string;
    STAGE_PARTICIPANT_LEFT: string;
    STAGE_PARTICIPANT_STREAMS_ADDED: string;
    STAGE_PARTICIPANT_STREAMS_REMOVED: string;
    STAGE_LEFT: string;
  };
  StageConnectionState: { CONNECTING: string; CONNECTED: string; DISCONNECTED: string; ERRORED: string };
  StageLeftReason: { USER_INITIATED: string };
  SubscribeType: { NONE: string; AUDIO_VIDEO: string };
}

let loading: Promise<IvsSdk> | undefined;

/** Loads the SDK once per page, in its own chunk. */
export function loadIvsSdk(): Promise<IvsSdk> {
  loading ??= import('amazon-ivs-web-broadcast').then((sdk) => {
    // The SDK's classes have private members our structural types cannot name; the enums are checked.
    const checked: Pick<IvsSdk, 'StageEvents' | 'StageConnectionState' | 'StageLeftReason' | 'SubscribeType'> = sdk;
    return { ...checked, Stage: sdk.Stage, LocalStageStream: sdk.LocalStageStream } as unknown as IvsSdk;
  });
  loading.catch(() => (loading = undefined));
  return loading;
}
