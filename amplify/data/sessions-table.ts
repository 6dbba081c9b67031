import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Session } from '../../src/protocol/session.js';
import { sessionsTable } from './table-definitions.js';

/** The only code that reads or writes StreamSessions. */
export interface SessionsTable {
  create(session: Session): Promise<void>;
  get(sessionId: string): Promise<Session | undefined>;
  listByHost(hostId: string, limit: number, cursor?: Record<string, unknown>): Promise<{ sessions: Session[]; cursor?: Record<string, unknown> }>;
  /** Applies the change only if the caller is the host; returns the updated item, or why not. */
  updateAsHost(
    sessionId: string,
    hostId: string,
    change: { title?: string; end?: boolean },
    now: string,
  ): Promise<{ ok: true; session: Session } | { ok: false; reason: 'NotFound' | 'Forbidden' | 'Ended' }>;
  /** Marks an ended session's replay deleted (once; later calls keep the first time), only for its host. */
  markReplayDeleted(
    sessionId: string,
    hostId: string,
    now: string,
  ): Promise<{ ok: true; session: Session } | { ok: false; reason: 'NotFound' | 'Forbidden' | 'Active' }>;
}

/** A session's IVS stage (the session function only). */
export interface SessionStageRecords {
  /**
   * Records the session's IVS stage if it still has `expected` (none, or a stage found gone) and
   * is active; otherwise returns the session as it is, so the caller can use or drop its stage.
   */
  attachStage(
    sessionId: string,
    stage: { stageArn: string; recordingPrefix?: string; expected?: string },
  ): Promise<{ ok: true } | { ok: false; session: Session | undefined }>;
}

export function sessionsTableAccess(client: DynamoDBDocumentClient, tableName: string): SessionsTable & SessionStageRecords {
  async function get(sessionId: string): Promise<Session | undefined> {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { sessionId }, ConsistentRead: true }));
    return Item as Session | undefined;
  }

  /** Why a host's conditional update was refused: no such session, another host's, or else `status`. */
  async function refusal<S extends string>(sessionId: string, hostId: string, status: S): Promise<'NotFound' | 'Forbidden' | S> {
    const current = await get(sessionId);
    if (!current) return 'NotFound';
    return current.hostId !== hostId ? 'Forbidden' : status;
  }

  return {
    get,

    async create(session) {
      await client.send(
        new PutCommand({ TableName: tableName, Item: session, ConditionExpression: 'attribute_not_exists(sessionId)' }),
      );
    },

    async listByHost(hostId, limit, cursor) {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: sessionsTable.globalSecondaryIndexes[0].indexName,
          KeyConditionExpression: 'hostId = :hostId',
          ExpressionAttributeValues: { ':hostId': hostId },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: cursor,
        }),
      );
      return { sessions: (result.Items ?? []) as Session[], cursor: result.LastEvaluatedKey };
    },

    async updateAsHost(sessionId, hostId, change, now) {
      const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
      const values: Record<string, unknown> = { ':hostId': hostId, ':now': now, ':active': 'active' };
      const sets = ['#updatedAt = :now'];
      if (change.title !== undefined) {
        names['#title'] = 'title';
        values[':title'] = change.title;
        sets.push('#title = :title');
      }
      if (change.end) {
        names['#status'] = 'status';
        names['#endedAt'] = 'endedAt';
        values[':ended'] = 'ended';
        sets.push('#status = :ended', '#endedAt = :now');
      }
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { sessionId },
            UpdateExpression: `SET ${sets.join(', ')}`,
            // Ended sessions are frozen: nothing changes after the end.
            ConditionExpression: 'attribute_exists(sessionId) AND hostId = :hostId AND #status = :active',
            ExpressionAttributeNames: { ...names, '#status': 'status' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { ok: true, session: Attributes as Session };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return { ok: false, reason: await refusal(sessionId, hostId, 'Ended') };
      }
    },

    async markReplayDeleted(sessionId, hostId, now) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { sessionId },
            UpdateExpression: 'SET #deleted = if_not_exists(#deleted, :now)',
            // A live session's log is still being written: only an ended session's replay can go.
            ConditionExpression: 'attribute_exists(sessionId) AND hostId = :hostId AND #status = :ended',
            ExpressionAttributeNames: { '#deleted': 'replayDeletedAt', '#status': 'status' },
            ExpressionAttributeValues: { ':now': now, ':hostId': hostId, ':ended': 'ended' },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { ok: true, session: Attributes as Session };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return { ok: false, reason: await refusal(sessionId, hostId, 'Active') };
      }
    },

    async attachStage(sessionId, stage) {
      const values: Record<string, unknown> = { ':stageArn': stage.stageArn, ':active': 'active' };
      const sets = ['#stageArn = :stageArn'];
      const names: Record<string, string> = { '#stageArn': 'mediaStageArn', '#status': 'status' };
      if (stage.recordingPrefix) {
        names['#recordingPrefix'] = 'recordingPrefix';
        values[':recordingPrefix'] = stage.recordingPrefix;
        sets.push('#recordingPrefix = :recordingPrefix');
      }
      if (stage.expected) values[':expected'] = stage.expected;
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { sessionId },
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: `attribute_exists(sessionId) AND #status = :active AND ${
              stage.expected ? '#stageArn = :expected' : 'attribute_not_exists(#stageArn)'
            }`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return { ok: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return { ok: false, session: await get(sessionId) };
      }
    },
  };
}
