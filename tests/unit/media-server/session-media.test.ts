import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionStageRecords, SessionsTable } from '../../../amplify/data/sessions-table';
import { createSessionApiHandler, type SessionApiDeps } from '../../../amplify/functions/session-api/handler';
import { ivsMediaStages, stageTags } from '../../../amplify/media/stages';
import { sweepStages } from '../../../amplify/media/sweep';
import { PUBLISH_TOKEN_MINUTES, SUBSCRIBE_TOKEN_MINUTES, participantTokenSchema } from '../../../src/protocol/media-token';
import { apiErrorSchema } from '../../../src/protocol/errors';
import { httpRoutes, type Session } from '../../../src/protocol/session';
import { FakeIvs } from './fake-ivs';

/** The session function's IVS stage lifecycle and token minting, against a fake IVS API. */

const HOST = 'host-user-sub';
const OTHER = 'someone-else-sub';
const SESSION = '6c1f5a43-2f5e-4b64-9a0b-8f0a5f3b9e11';
const NOW = new Date('2026-12-04T19:00:00Z');

class MemorySessions implements SessionsTable, SessionStageRecords {
  readonly items = new Map<string, Session>();
  /** Runs between the read and the write of attachStage: a concurrent request. */
  beforeAttach?: () => void;
  async create(session: Session) {
    this.items.set(session.sessionId, { ...session });
  }
  async get(sessionId: string) {
    const item = this.items.get(sessionId);
    return item ? { ...item } : undefined;
  }
  async listByHost() {
    return { sessions: [] };
  }
  async updateAsHost(sessionId: string, hostId: string, change: { title?: string; end?: boolean }, now: string) {
    const item = this.items.get(sessionId);
    if (!item) return { ok: false as const, reason: 'NotFound' as const };
    if (item.hostId !== hostId) return { ok: false as const, reason: 'Forbidden' as const };
    if (item.status !== 'active') return { ok: false as const, reason: 'Ended' as const };
    if (change.end) Object.assign(item, { status: 'ended', endedAt: now });
    return { ok: true as const, session: { ...item } };
  }
  async markReplayDeleted() {
    return { ok: false as const, reason: 'NotFound' as const };
  }
  async attachStage(sessionId: string, stage: { stageArn: string; recordingPrefix?: string; expected?: string }) {
    this.beforeAttach?.();
    const item = this.items.get(sessionId);
    if (!item || item.status !== 'active' || item.mediaStageArn !== stage.expected) return { ok: false as const, session: item && { ...item } };
    item.mediaStageArn = stage.stageArn;
    if (stage.recordingPrefix) item.recordingPrefix = stage.recordingPrefix;
    return { ok: true as const };
  }
}

let ivs: FakeIvs;
let sessions: MemorySessions;
let logs: Record<string, unknown>[];
let ids: number;

function handler(options: { stages?: boolean; recording?: boolean } = {}) {
  const deps: SessionApiDeps = {
    sessions,
    closeRoom: async () => undefined,
    // The media routes never read replays.
    replay: {} as SessionApiDeps['replay'],
    ...(options.stages === false
      ? {}
      : {
          stages: ivsMediaStages(ivs, {
            deploymentTag: 'amplify-app-main',
            ...(options.recording ? { storageConfigurationArn: 'arn:aws:ivs:eu-west-1:123456789012:storage-configuration/rec' } : {}),
          }),
        }),
    now: () => NOW,
    newId: () => `id-${++ids}`,
    log: (entry) => logs.push(entry),
  };
  return createSessionApiHandler(() => deps);
}

function request(routeKey: string, options: { caller?: string; body?: unknown; sessionId?: string } = {}): APIGatewayProxyEventV2 {
  return {
    routeKey,
    pathParameters: { sessionId: options.sessionId ?? SESSION },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: options.caller ? { authorizer: { jwt: { claims: { sub: options.caller } } } } : {},
  } as unknown as APIGatewayProxyEventV2;
}

const publish = (caller: string | undefined, body: unknown = { publicationId: 'camera-publication-1', source: 'camera' }) =>
  request(httpRoutes.publishMediaToken, { caller, body });
const subscribe = (body: unknown = {}) => request(httpRoutes.subscribeMediaToken, { body });

async function call(h: ReturnType<typeof handler>, event: APIGatewayProxyEventV2) {
  const response = await h(event);
  return { status: response.statusCode, body: JSON.parse(String(response.body)) as Record<string, unknown> };
}

function error(body: Record<string, unknown>) {
  return apiErrorSchema.parse(body).error;
}

beforeEach(async () => {
  ivs = new FakeIvs();
  sessions = new MemorySessions();
  logs = [];
  ids = 0;
  await sessions.create({ sessionId: SESSION, hostId: HOST, title: 'Live', status: 'active', createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() });
});

describe('publish tokens', () => {
  it("the host's first publication creates the session's stage, tagged, and gets PUBLISH+SUBSCRIBE with its attributes", async () => {
    const { status, body } = await call(handler(), publish(HOST));
    expect(status).toBe(200);
    const token = participantTokenSchema.parse(body);
    expect(token.capabilities).toEqual(['PUBLISH', 'SUBSCRIBE']);
    const [stageArn] = [...ivs.stages.keys()];
    expect(ivs.stages.get(stageArn!)!.tags).toEqual({
      [stageTags.deployment]: 'amplify-app-main',
      [stageTags.session]: SESSION,
      [stageTags.createdAt]: NOW.toISOString(),
    });
    expect(sessions.items.get(SESSION)!.mediaStageArn).toBe(stageArn);
    expect(ivs.tokens[0]).toEqual({
      stageArn,
      userId: HOST,
      capabilities: ['PUBLISH', 'SUBSCRIBE'],
      duration: PUBLISH_TOKEN_MINUTES,
      attributes: { role: 'host', publicationId: 'camera-publication-1', source: 'camera' },
    });
  });

  it('later publications reuse the stage', async () => {
    const h = handler();
    await call(h, publish(HOST));
    await call(h, publish(HOST, { publicationId: 'screen-publication-1', source: 'screen' }));
    expect(ivs.stages.size).toBe(1);
    expect(ivs.calls.filter((c) => c === 'CreateStageCommand')).toHaveLength(1);
    expect(ivs.tokens.map((t) => t.attributes?.source)).toEqual(['camera', 'screen']);
  });

  it('never for someone who is not the host, nor without a verified user', async () => {
    const h = handler();
    const other = await call(h, publish(OTHER));
    expect(other.status).toBe(403);
    expect(error(other.body)).toMatchObject({ code: 'Forbidden', resolution: expect.any(String) });
    const anonymous = await call(h, publish(undefined));
    expect(anonymous.status).toBe(401);
    expect(ivs.tokens).toHaveLength(0);
    expect(ivs.stages.size).toBe(0);
  });

  it('refuses malformed bodies precisely, and a body cannot ask for capabilities', async () => {
    const h = handler();
    for (const body of [
      '',
      'not json',
      { publicationId: 'x', source: 'camera' },
      { publicationId: 'camera-publication-1', source: 'webcam' },
      { publicationId: 'camera-publication-1', source: 'camera', capabilities: ['PUBLISH'] },
      'x'.repeat(17 * 1024),
    ]) {
      const { status, body: answer } = await call(h, publish(HOST, body));
      expect([400, 413]).toContain(status);
      expect(error(answer).message.length).toBeGreaterThan(10);
    }
    expect(ivs.calls).toEqual([]);
  });

  it('an ended or unknown session gets no token and no stage', async () => {
    const h = handler();
    sessions.items.get(SESSION)!.status = 'ended';
    expect((await call(h, publish(HOST))).status).toBe(409);
    expect((await call(h, request(httpRoutes.publishMediaToken, { caller: HOST, sessionId: '0c1f5a43-2f5e-4b64-9a0b-8f0a5f3b9e11', body: { publicationId: 'camera-publication-1', source: 'camera' } }))).status).toBe(404);
    expect((await call(h, request(httpRoutes.publishMediaToken, { caller: HOST, sessionId: 'not-a-uuid', body: {} }))).status).toBe(400);
    expect(ivs.stages.size).toBe(0);
  });

  it('two first publications at once end with one stage: the loser deletes its own', async () => {
    const h = handler();
    // The other request attaches its stage between our CreateStage and our attach.
    const rival = 'arn:aws:ivs:eu-west-1:123456789012:stage/rival';
    ivs.stages.set(rival, { tags: {} });
    sessions.beforeAttach = () => {
      sessions.beforeAttach = undefined;
      sessions.items.get(SESSION)!.mediaStageArn = rival;
    };
    const { status } = await call(h, publish(HOST));
    expect(status).toBe(200);
    expect([...ivs.stages.keys()]).toEqual([rival]);
    expect(ivs.tokens[0]!.stageArn).toBe(rival);
  });

  it('a stage deleted behind our back is replaced', async () => {
    const h = handler();
    await call(h, publish(HOST));
    const first = sessions.items.get(SESSION)!.mediaStageArn!;
    ivs.stages.delete(first);
    const { status } = await call(h, publish(HOST));
    expect(status).toBe(200);
    const second = sessions.items.get(SESSION)!.mediaStageArn!;
    expect(second).not.toBe(first);
    expect(ivs.tokens.at(-1)!.stageArn).toBe(second);
  });

  it('with recording on, the stage records every publisher and the session keeps the S3 prefix', async () => {
    await call(handler({ recording: true }), publish(HOST));
    const [stageArn, stage] = [...ivs.stages.entries()][0]!;
    expect(stage!.recording).toEqual({ storageConfigurationArn: 'arn:aws:ivs:eu-west-1:123456789012:storage-configuration/rec', mediaTypes: ['AUDIO_VIDEO'] });
    expect(sessions.items.get(SESSION)!.recordingPrefix).toBe(`${stageArn!.split('/').at(-1)}/`);
  });

  it('without recording, no recording configuration and no prefix', async () => {
    await call(handler(), publish(HOST));
    expect([...ivs.stages.values()][0]!.recording).toBeUndefined();
    expect(sessions.items.get(SESSION)!.recordingPrefix).toBeUndefined();
  });
});

describe('subscribe tokens', () => {
  it('anyone gets SUBSCRIBE only, a fresh anonymous user id, and never PUBLISH', async () => {
    const h = handler();
    await call(h, publish(HOST));
    const first = await call(h, subscribe());
    const second = await call(h, subscribe());
    expect(first.status).toBe(200);
    expect(participantTokenSchema.parse(first.body).capabilities).toEqual(['SUBSCRIBE']);
    const viewerTokens = ivs.tokens.slice(1);
    expect(viewerTokens.map((t) => t.capabilities)).toEqual([['SUBSCRIBE'], ['SUBSCRIBE']]);
    expect(viewerTokens.map((t) => t.duration)).toEqual([SUBSCRIBE_TOKEN_MINUTES, SUBSCRIBE_TOKEN_MINUTES]);
    expect(viewerTokens[0]!.userId).not.toBe(viewerTokens[1]!.userId);
    expect(viewerTokens[0]!.attributes).toEqual({ role: 'viewer' });
  });

  it("the host calling the public route is a subscriber too: the route decides, not the caller", async () => {
    const h = handler();
    await call(h, publish(HOST));
    await call(h, request(httpRoutes.subscribeMediaToken, { caller: HOST, body: {} }));
    expect(ivs.tokens.at(-1)!.capabilities).toEqual(['SUBSCRIBE']);
  });

  it('refuses a body asking for more, and creates no stage', async () => {
    const h = handler();
    await call(h, publish(HOST));
    const { status, body } = await call(h, subscribe({ capabilities: ['PUBLISH'] }));
    expect(status).toBe(400);
    expect(error(body).message).toMatch(/capabilities/);
  });

  it('before the host published anything: unavailable with what to do, and no stage is created', async () => {
    const { status, body } = await call(handler(), subscribe());
    expect(status).toBe(503);
    expect(error(body).resolution).toMatch(/retries/);
    expect(ivs.stages.size).toBe(0);
  });

  it('an ended session gets no token', async () => {
    const h = handler();
    await call(h, publish(HOST));
    sessions.items.get(SESSION)!.status = 'ended';
    expect((await call(h, subscribe())).status).toBe(409);
  });
});

describe('IVS limits', () => {
  it('the stage quota gives a clear message naming the quota and how to raise it', async () => {
    ivs.stageQuota = 0;
    const { status, body } = await call(handler(), publish(HOST));
    expect(status).toBe(503);
    const { message, resolution } = error(body);
    expect(message).toMatch(/100 stages per region/);
    expect(resolution).toMatch(/Service Quotas/);
    expect(sessions.items.get(SESSION)!.mediaStageArn).toBeUndefined();
  });

  it('throttling of CreateStage or CreateParticipantToken answers 429 with a retry hint', async () => {
    ivs.throttle.add('CreateStageCommand');
    const stage = await call(handler(), publish(HOST));
    expect(stage.status).toBe(429);
    expect(error(stage.body)).toMatchObject({ code: 'RateLimited', resolution: expect.stringMatching(/again/) });
    ivs.throttle.clear();
    await call(handler(), publish(HOST));
    ivs.throttle.add('CreateParticipantTokenCommand');
    const token = await call(handler(), subscribe());
    expect(token.status).toBe(429);
  });

  it('an unexpected IVS failure is a 500 that hides internals, and is logged', async () => {
    ivs.send = async () => {
      throw new Error('AccessDeniedException: not authorized to perform ivs:CreateStage on arn:…');
    };
    const { status, body } = await call(handler(), publish(HOST));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toMatch(/arn/);
    expect(logs.some((entry) => String(entry.error).includes('AccessDenied'))).toBe(true);
  });

  it('a deployment without IVS says so instead of minting', async () => {
    const { status, body } = await call(handler({ stages: false }), publish(HOST));
    expect(status).toBe(404);
    expect(error(body).resolution).toMatch(/STREAMCANVAS_MEDIA_PROVIDER=ivs/);
  });
});

describe('stage lifecycle', () => {
  it('ending the session deletes its stage', async () => {
    const h = handler();
    await call(h, publish(HOST));
    expect(ivs.stages.size).toBe(1);
    const ended = await call(h, request(httpRoutes.updateSession, { caller: HOST, body: { status: 'ended' } }));
    expect(ended.status).toBe(200);
    expect(ivs.stages.size).toBe(0);
  });

  it('a failed delete still ends the session and is logged for the sweep', async () => {
    const h = handler();
    await call(h, publish(HOST));
    ivs.failDelete = true;
    const ended = await call(h, request(httpRoutes.updateSession, { caller: HOST, body: { status: 'ended' } }));
    expect(ended.status).toBe(200);
    expect(logs.some((entry) => String(entry.message).includes('sweep'))).toBe(true);
  });

  it('the public session view hides the stage ARN but shows the recording prefix', async () => {
    const h = handler({ recording: true });
    await call(h, publish(HOST));
    const { body } = await call(h, request(httpRoutes.getSession));
    expect(body.mediaStageArn).toBeUndefined();
    expect(body.recordingPrefix).toMatch(/\/$/);
  });

  it('the sweep deletes stages of ended, missing and superseded sessions, across pages, and keeps the rest', async () => {
    const stages = ivsMediaStages(ivs, { deploymentTag: 'amplify-app-main' });
    const live = await stages.createStage(SESSION, NOW);
    await sessions.attachStage(SESSION, live);
    const superseded = await stages.createStage(SESSION, new Date(NOW.getTime() - 60 * 60_000));
    const racing = await stages.createStage(SESSION, new Date(NOW.getTime() - 60_000));
    const orphan = await stages.createStage('0c1f5a43-2f5e-4b64-9a0b-8f0a5f3b9e11', NOW);
    const endedId = '1c1f5a43-2f5e-4b64-9a0b-8f0a5f3b9e11';
    await sessions.create({ sessionId: endedId, hostId: HOST, title: 'Old', status: 'active', createdAt: '', updatedAt: '' });
    const ended = await stages.createStage(endedId, NOW);
    await sessions.attachStage(endedId, ended);
    sessions.items.get(endedId)!.status = 'ended';
    // Another deployment's stage, and an untagged one: never ours to delete.
    ivs.stages.set('arn:aws:ivs:eu-west-1:123456789012:stage/other', { tags: { [stageTags.deployment]: 'amplify-app-dev', [stageTags.session]: endedId } });
    ivs.stages.set('arn:aws:ivs:eu-west-1:123456789012:stage/manual', { tags: {} });

    const result = await sweepStages({ stages, sessions, now: () => NOW, log: (entry) => logs.push(entry) });
    expect(result.deleted.map((d) => d.stageArn).sort()).toEqual([superseded.stageArn, orphan.stageArn, ended.stageArn].sort());
    expect([...ivs.stages.keys()].sort()).toEqual([live.stageArn, racing.stageArn, 'arn:aws:ivs:eu-west-1:123456789012:stage/other', 'arn:aws:ivs:eu-west-1:123456789012:stage/manual'].sort());
    expect(result.kept).toBe(2);
  });

  it('one stage that cannot be deleted does not stop the sweep', async () => {
    const stages = ivsMediaStages(ivs, { deploymentTag: 'amplify-app-main' });
    await stages.createStage('0c1f5a43-2f5e-4b64-9a0b-8f0a5f3b9e11', NOW);
    ivs.failDelete = true;
    const result = await sweepStages({ stages, sessions, now: () => NOW, log: (entry) => logs.push(entry) });
    expect(result.deleted).toEqual([]);
    expect(logs.some((entry) => entry.level === 'error')).toBe(true);
  });
});
