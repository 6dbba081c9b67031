import { describe, expect, it } from 'vitest';
import { sessionsTableAccess } from '../../amplify/data/sessions-table.js';
import { sessionsTable } from '../../amplify/data/table-definitions.js';
import { useLocalDynamoClient } from '../support/local-dynamo-client.js';

/** The session's IVS stage record (attachStage) on dynalite, the local stack's DynamoDB. */
const client = useLocalDynamoClient();
const access = () => sessionsTableAccess(client(), sessionsTable.logicalName);

let n = 0;
async function session(status: 'active' | 'ended' = 'active') {
  const sessionId = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  await access().create({ sessionId, hostId: 'host', title: 't', status, createdAt: '2026-12-04T19:00:00.000Z', updatedAt: '2026-12-04T19:00:00.000Z' });
  return sessionId;
}
const arn = (id: string) => `arn:aws:ivs:eu-west-1:123456789012:stage/${id}`;

describe('attachStage', () => {
  it('records the first stage and its recording prefix, then refuses a second', async () => {
    const sessionId = await session();
    expect(await access().attachStage(sessionId, { stageArn: arn('a'), recordingPrefix: 'a/' })).toEqual({ ok: true });
    const second = await access().attachStage(sessionId, { stageArn: arn('b') });
    expect(second).toMatchObject({ ok: false, session: { mediaStageArn: arn('a'), recordingPrefix: 'a/' } });
  });

  it('replaces a stage only if it is still the one expected', async () => {
    const sessionId = await session();
    await access().attachStage(sessionId, { stageArn: arn('a') });
    expect(await access().attachStage(sessionId, { stageArn: arn('b'), expected: arn('a') })).toEqual({ ok: true });
    expect(await access().attachStage(sessionId, { stageArn: arn('c'), expected: arn('a') })).toMatchObject({ ok: false, session: { mediaStageArn: arn('b') } });
    expect((await access().get(sessionId))?.recordingPrefix).toBeUndefined();
  });

  it('never attaches to an ended or missing session', async () => {
    const ended = await session('ended');
    expect(await access().attachStage(ended, { stageArn: arn('a') })).toMatchObject({ ok: false, session: { status: 'ended' } });
    expect((await access().get(ended))?.mediaStageArn).toBeUndefined();
    expect(await access().attachStage('00000000-0000-4000-8000-999999999999', { stageArn: arn('a') })).toEqual({ ok: false, session: undefined });
  });
});
