import type { ParticipantTokenCapability } from '@aws-sdk/client-ivs-realtime';
import {
  PUBLISH_TOKEN_MINUTES,
  SUBSCRIBE_TOKEN_MINUTES,
  type ParticipantToken,
  type PublishTokenBody,
} from '../../../src/protocol/media-token.js';
import type { Session } from '../../../src/protocol/session.js';
import type { SessionStageRecords, SessionsTable } from '../../data/sessions-table.js';
import { classifyIvsError, deleteSessionStage, type MediaStages } from '../../media/stages.js';
import { HttpError } from '../shared/http.js';

/**
 * Amazon IVS for a session: its stage (created on the host's first publication, deleted when
 * the session ends) and participant tokens whose capabilities follow the caller's role.
 */
export interface SessionMediaDeps {
  sessions: Pick<SessionsTable, 'get'> & SessionStageRecords;
  stages: MediaStages;
  now: () => Date;
  newId: () => string;
  log: (entry: Record<string, unknown>) => void;
}

const HOST_CAPABILITIES: ParticipantTokenCapability[] = ['PUBLISH', 'SUBSCRIBE'];
const VIEWER_CAPABILITIES: ParticipantTokenCapability[] = ['SUBSCRIBE'];

/** The host (the verified Cognito user) gets a token that may publish this publication. */
export async function publishToken(deps: SessionMediaDeps, sessionId: string, callerId: string, body: PublishTokenBody): Promise<ParticipantToken> {
  const session = await activeSession(deps, sessionId);
  if (session.hostId !== callerId) {
    throw new HttpError('Forbidden', 'Only the host of this session may publish media.', 'Sign in as the host, or watch as a viewer.');
  }
  const mint = (stageArn: string) =>
    deps.stages.mintToken({
      stageArn,
      userId: callerId,
      capabilities: HOST_CAPABILITIES,
      durationMinutes: PUBLISH_TOKEN_MINUTES,
      attributes: { role: 'host', publicationId: body.publicationId, source: body.source },
      now: deps.now(),
    });
  const stageArn = session.mediaStageArn ?? (await attachNewStage(deps, session, undefined));
  try {
    return await ivsCall(deps, () => mint(stageArn));
  } catch (error) {
    // The stage was deleted behind our back (the sweep, or by hand): the host gets a new one.
    if (!(error instanceof StageGone)) throw error;
    return ivsCall(deps, async () => mint(await attachNewStage(deps, session, stageArn)));
  }
}

/** Anyone with the session's link gets a token that may only subscribe. */
export async function subscribeToken(deps: SessionMediaDeps, sessionId: string): Promise<ParticipantToken> {
  const session = await activeSession(deps, sessionId);
  if (!session.mediaStageArn) throw noStageYet();
  const stageArn = session.mediaStageArn;
  try {
    return await ivsCall(deps, () =>
      deps.stages.mintToken({
        stageArn,
        // Viewers are anonymous: a fresh id per token, so two tabs are two participants.
        userId: `viewer-${deps.newId()}`,
        capabilities: VIEWER_CAPABILITIES,
        durationMinutes: SUBSCRIBE_TOKEN_MINUTES,
        attributes: { role: 'viewer' },
        now: deps.now(),
      }),
    );
  } catch (error) {
    if (error instanceof StageGone) throw noStageYet();
    throw error;
  }
}

async function activeSession(deps: SessionMediaDeps, sessionId: string): Promise<Session> {
  const session = await deps.sessions.get(sessionId);
  if (!session) throw new HttpError('NotFound', `Session ${sessionId} does not exist.`, 'Check the link or the session id.');
  if (session.status !== 'active') throw ended();
  return session;
}

/** Creates a stage and records it on the session; a concurrent request that won keeps its own. */
async function attachNewStage(deps: SessionMediaDeps, session: Session, replacing: string | undefined): Promise<string> {
  const created = await ivsCall(deps, () => deps.stages.createStage(session.sessionId, deps.now()));
  const attached = await deps.sessions.attachStage(session.sessionId, { ...created, ...(replacing ? { expected: replacing } : {}) });
  if (attached.ok) {
    deps.log({ level: 'info', message: 'IVS stage created', sessionId: session.sessionId, stageArn: created.stageArn });
    return created.stageArn;
  }
  await deleteSessionStage(deps, { ...session, mediaStageArn: created.stageArn });
  const current = attached.session;
  if (!current) throw new HttpError('NotFound', `Session ${session.sessionId} does not exist.`, 'Check the link or the session id.');
  if (current.status !== 'active') throw ended();
  if (!current.mediaStageArn || current.mediaStageArn === replacing) throw new Error('The session changed its stage while we attached one.');
  return current.mediaStageArn;
}

class StageGone extends Error {}

/** Turns IVS failures into answers that say what happened and what to do. */
async function ivsCall<T>(deps: Pick<SessionMediaDeps, 'log'>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof HttpError || error instanceof StageGone) throw error;
    const failure = classifyIvsError(error);
    // `ivsFailure` feeds the IvsRefusals metric filter and alarm (amplify/monitoring/resource.ts).
    if (failure === 'quota' || failure === 'throttled') deps.log({ level: 'warn', message: 'Amazon IVS refused', ivsFailure: failure, error: messageOf(error) });
    switch (failure) {
      case 'quota':
        throw new HttpError(
          'Unavailable',
          `Amazon IVS refused: this AWS account has reached an IVS quota in this region (${messageOf(error)}). ` +
            'By default an account may have 100 stages per region, and StreamCanvas uses one per live session.',
          'End sessions that are no longer live (their stages are deleted), or ask the operator to raise "Stages" for Amazon IVS in the Service Quotas console (docs/DEPLOYMENT.md, IVS quotas).',
        );
      case 'throttled':
        throw new HttpError(
          'RateLimited',
          'Amazon IVS is throttling requests right now (its API rates are per account and region and cannot be raised).',
          'Try again in a few seconds; the media reconnects by itself.',
        );
      case 'not-found':
        throw new StageGone();
      default:
        throw error;
    }
  }
}

function noStageYet(): HttpError {
  return new HttpError(
    'Unavailable',
    'This session has no media stage: the host has not published a camera, screen or microphone yet.',
    'Wait for the host to go live; the viewer retries by itself.',
  );
}

function ended(): HttpError {
  return new HttpError('Conflict', 'This session has ended: its media is over.', 'Open the replay, or join a live session.');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
