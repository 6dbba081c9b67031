import {
  IVSRealTimeClient,
  CreateParticipantTokenCommand,
  CreateStageCommand,
  DeleteStageCommand,
  ListStagesCommand,
  ResourceNotFoundException,
  type ParticipantTokenCapability,
} from '@aws-sdk/client-ivs-realtime';
import type { ParticipantAttributes } from '../../src/protocol/media-token.js';
import type { Session } from '../../src/protocol/session.js';
import { optionalEnv } from '../functions/shared/env.js';

/**
 * The only code that calls Amazon IVS real-time: a stage per live session, participant
 * tokens, and finding the stages this deployment owns (for the sweep). The client is passed
 * in, so unit tests use a fake (no IVS stand-in exists offline).
 */
export interface IvsClientLike {
  send(command: CreateStageCommand | DeleteStageCommand | CreateParticipantTokenCommand | ListStagesCommand): Promise<unknown>;
}

/** Tags on every stage: which deployment and which session it belongs to, and since when. */
export const stageTags = {
  deployment: 'streamcanvas:deployment',
  session: 'streamcanvas:session',
  createdAt: 'streamcanvas:created-at',
} as const;

/** Environment of the functions that use IVS (set in amplify/backend.ts). */
export const ivsEnv = {
  /** The value of the deployment tag: the Amplify stack's name. Its presence turns IVS on. */
  deployment: 'IVS_STAGE_DEPLOYMENT_TAG',
  /** Optional: an IVS storage configuration; with it, every publisher is recorded to S3. */
  storageConfigurationArn: 'IVS_STORAGE_CONFIGURATION_ARN',
} as const;

export interface CreatedStage {
  stageArn: string;
  /** The S3 key prefix IVS records this stage's participants under, when recording is on. */
  recordingPrefix?: string;
}

export interface MintedToken {
  token: string;
  participantId: string;
  capabilities: ParticipantTokenCapability[];
  expiresAt: string;
}

export interface OwnedStage {
  stageArn: string;
  sessionId: string;
  createdAt?: string;
}

export interface MediaStages {
  createStage(sessionId: string, now: Date): Promise<CreatedStage>;
  deleteStage(stageArn: string): Promise<void>;
  mintToken(request: {
    stageArn: string;
    userId: string;
    capabilities: ParticipantTokenCapability[];
    durationMinutes: number;
    attributes: ParticipantAttributes;
    now: Date;
  }): Promise<MintedToken>;
  /** Every stage tagged with this deployment, page by page (ListStages returns tags). */
  listOwnedStages(): AsyncGenerator<OwnedStage>;
}

export interface MediaStagesOptions {
  deploymentTag: string;
  storageConfigurationArn?: string;
}

export function ivsMediaStages(client: IvsClientLike, options: MediaStagesOptions): MediaStages {
  return {
    async createStage(sessionId, now) {
      const result = (await client.send(
        new CreateStageCommand({
          // Stage names allow [a-zA-Z0-9-_] up to 128 characters.
          name: `streamcanvas-${sessionId}`.slice(0, 128),
          tags: { [stageTags.deployment]: options.deploymentTag, [stageTags.session]: sessionId, [stageTags.createdAt]: now.toISOString() },
          ...(options.storageConfigurationArn
            ? { autoParticipantRecordingConfiguration: { storageConfigurationArn: options.storageConfigurationArn, mediaTypes: ['AUDIO_VIDEO'] } }
            : {}),
        }),
      )) as { stage?: { arn?: string } };
      const stageArn = result.stage?.arn;
      if (!stageArn) throw new Error('CreateStage answered without a stage ARN.');
      // IVS writes individual participant recordings to <bucket>/<stage id>/<participant id>/<recording session>/.
      return { stageArn, ...(options.storageConfigurationArn ? { recordingPrefix: `${stageIdOf(stageArn)}/` } : {}) };
    },

    async deleteStage(stageArn) {
      try {
        await client.send(new DeleteStageCommand({ arn: stageArn }));
      } catch (error) {
        // Already gone is what we wanted.
        if (!(error instanceof ResourceNotFoundException) && nameOf(error) !== 'ResourceNotFoundException') throw error;
      }
    },

    async mintToken(request) {
      const attributes: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.attributes)) if (value !== undefined) attributes[key] = value;
      const result = (await client.send(
        new CreateParticipantTokenCommand({
          stageArn: request.stageArn,
          userId: request.userId,
          capabilities: request.capabilities,
          duration: request.durationMinutes,
          attributes,
        }),
      )) as { participantToken?: { token?: string; participantId?: string; expirationTime?: Date } };
      const minted = result.participantToken;
      if (!minted?.token) throw new Error('CreateParticipantToken answered without a token.');
      const expiresAt = minted.expirationTime ?? new Date(request.now.getTime() + request.durationMinutes * 60_000);
      return { token: minted.token, participantId: minted.participantId ?? '', capabilities: request.capabilities, expiresAt: expiresAt.toISOString() };
    },

    async *listOwnedStages() {
      let nextToken: string | undefined;
      do {
        const page = (await client.send(new ListStagesCommand({ maxResults: 100, nextToken }))) as {
          stages?: { arn?: string; tags?: Record<string, string> }[];
          nextToken?: string;
        };
        for (const stage of page.stages ?? []) {
          const tags = stage.tags ?? {};
          const sessionId = tags[stageTags.session];
          if (!stage.arn || tags[stageTags.deployment] !== options.deploymentTag || !sessionId) continue;
          yield { stageArn: stage.arn, sessionId, ...(tags[stageTags.createdAt] ? { createdAt: tags[stageTags.createdAt] } : {}) };
        }
        nextToken = page.nextToken;
      } while (nextToken);
    },
  };
}

/** Present only where backend.ts turned IVS on (it sets the deployment tag). */
export function ivsStagesFromEnv(): MediaStages | undefined {
  const deploymentTag = optionalEnv(ivsEnv.deployment);
  if (!deploymentTag) return undefined;
  const storageConfigurationArn = optionalEnv(ivsEnv.storageConfigurationArn);
  return ivsMediaStages(new IVSRealTimeClient({}), { deploymentTag, ...(storageConfigurationArn ? { storageConfigurationArn } : {}) });
}

/** After the session ended: its stage goes (a failure is logged; the sweep deletes it later). */
export async function deleteSessionStage(deps: { stages: MediaStages; log: (entry: Record<string, unknown>) => void }, session: Session): Promise<void> {
  if (!session.mediaStageArn) return;
  await deps.stages.deleteStage(session.mediaStageArn).catch((error: unknown) =>
    deps.log({ level: 'error', message: 'could not delete the IVS stage; the sweep will', sessionId: session.sessionId, stageArn: session.mediaStageArn, error: String(error) }),
  );
}

/** arn:aws:ivs:<region>:<account>:stage/<id> → <id> */
export function stageIdOf(stageArn: string): string {
  return stageArn.slice(stageArn.lastIndexOf('/') + 1);
}

export type IvsFailure = 'quota' | 'throttled' | 'not-found' | 'other';

/** What kind of IVS failure this is (the SDK retries throttling before it gets here). */
export function classifyIvsError(error: unknown): IvsFailure {
  const name = nameOf(error);
  if (name === 'ServiceQuotaExceededException') return 'quota';
  if (name === 'ResourceNotFoundException') return 'not-found';
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const throttling = (error as { $retryable?: { throttling?: boolean } } | undefined)?.$retryable?.throttling;
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException' || status === 429 || throttling) return 'throttled';
  return 'other';
}

function nameOf(error: unknown): string | undefined {
  return error && typeof error === 'object' && 'name' in error ? String((error as { name: unknown }).name) : undefined;
}
