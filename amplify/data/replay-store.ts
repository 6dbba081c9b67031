import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ReplayReaction, ReplayState } from '../../src/protocol/replay.js';
import type { ReplaySummary } from '../../src/protocol/replay-fold.js';
import type { ObjectStore } from '../storage/object-store.js';
import { LOG_RETENTION_SECONDS } from './session-states-table.js';

/**
 * The replay's own items in SessionStates, beside the head and the log that
 * session-states-table.ts owns, in the same partition (`sessionId`). The sort key is a number:
 *
 * | sort key                          | item                                                        |
 * |-----------------------------------|-------------------------------------------------------------|
 * | 0                                 | head (session-states-table.ts)                              |
 * | seq ≥ 1                           | log entry (session-states-table.ts)                         |
 * | −label, label < 10^13             | checkpoint: the replay state whose time is at most `label`   |
 * | −(10^15 + at·100 + n), n < 100    | reaction                                                    |
 * | −(3·10^15 + at·100 + n), n < 100  | presence sample (viewer count after a join or leave)         |
 * | −5·10^15                          | summary: markers and counts through the latest checkpoint    |
 *
 * Negative keys keep every range apart from the log, whose readers ask for keys above 0, and
 * stay within JavaScript's exact integers. A checkpoint "at or before T" is one Query with
 * `timestamp BETWEEN −T AND −1`, ascending, Limit 1. A checkpoint whose compressed state
 * exceeds an item lives in the files bucket, and its item holds the object's key.
 * Every item expires with the log (LOG_RETENTION_SECONDS after its time).
 */
export const MAX_CHECKPOINT_LABEL = 10 ** 13 - 1;
const REACTION_BASE = 10 ** 15;
const PRESENCE_BASE = 3 * 10 ** 15;
const SUMMARY_KEY = -5 * 10 ** 15;
/** Compressed states above this go to the files bucket (DynamoDB items hold 400 KB, keys and names included). */
export const MAX_INLINE_CHECKPOINT_BYTES = 350 * 1024;
/** Tries at a free reaction or presence key before giving up on that one sample. */
const EVENT_KEY_TRIES = 4;

export const checkpointKey = (label: number) => -label;
export const reactionKey = (at: number, n: number) => -(REACTION_BASE + at * 100 + n);
export const presenceKey = (at: number, n: number) => -(PRESENCE_BASE + at * 100 + n);

/** The sort-key range of checkpoints whose label is at most `at`: the first, ascending, is the nearest. */
export function checkpointRangeAtOrBefore(at: number): { from: number; to: number } {
  return { from: checkpointKey(Math.min(Math.max(at, 1), MAX_CHECKPOINT_LABEL)), to: -1 };
}
/** Event keys (reactions or presence) for times in [from, to]: more recent times have smaller keys. */
function eventRange(base: number, from: number, to: number): { from: number; to: number } {
  return { from: -(base + to * 100 + 99), to: -(base + from * 100) };
}

export interface PresenceSample {
  at: number;
  /** Viewers connected right after this change. */
  viewers: number;
  joined: number;
  left: number;
}

/** The summary as stored: the fold's counts plus the label of the checkpoint at its seq. */
export type StoredSummary = ReplaySummary & { checkpointLabel?: number };

export interface ReplayStore {
  getSummary(sessionId: string): Promise<StoredSummary | undefined>;
  /** Stores the summary only if the stored one is still at `previousSeq` (0: none yet); false when another writer got there first. */
  putSummary(sessionId: string, summary: StoredSummary, previousSeq: number): Promise<boolean>;
  putCheckpoint(sessionId: string, label: number, state: ReplayState): Promise<void>;
  /** The checkpoint stored under exactly this label. */
  checkpointAt(sessionId: string, label: number): Promise<ReplayState | undefined>;
  /** The checkpoint with the largest label at or before `at`: one Query (and one object read when it overflowed). */
  checkpointAtOrBefore(sessionId: string, at: number): Promise<{ label: number; state: ReplayState } | undefined>;
  putReaction(sessionId: string, reaction: ReplayReaction): Promise<void>;
  putPresence(sessionId: string, sample: PresenceSample): Promise<void>;
  /** Reactions in [from, to], oldest first, at most `limit`. */
  reactions(sessionId: string, from: number, to: number, limit: number): Promise<ReplayReaction[]>;
  /** Every reaction or presence sample in time order, reading at most `maxPages` Query pages; `complete` false if it stopped there. */
  allReactions(sessionId: string, maxPages: number): Promise<{ items: ReplayReaction[]; complete: boolean }>;
  allPresence(sessionId: string, maxPages: number): Promise<{ items: PresenceSample[]; complete: boolean }>;
  /**
   * Deletes the session's items in SessionStates (head, log, replay items) and the objects
   * they refer to, at most `maxItems` per call; `done` once nothing is left.
   */
  deleteAll(sessionId: string, maxItems: number): Promise<{ done: boolean; deleted: number }>;
}

export function replayStoreAccess(client: DynamoDBDocumentClient, tableName: string, files: () => ObjectStore): ReplayStore {
  const expiresAt = (at: number) => Math.floor(at / 1000) + LOG_RETENTION_SECONDS;
  const objectKey = (sessionId: string, label: number) => `replays/${sessionId}/checkpoints/${label}.json.gz`;

  async function stateOf(item: Record<string, unknown>): Promise<ReplayState | undefined> {
    let body = item.body as Uint8Array | undefined;
    if (!body && typeof item.ref === 'string') body = await files().get(item.ref);
    if (!body) return undefined;
    return JSON.parse(gunzipSync(body).toString('utf8')) as ReplayState;
  }

  async function putEvent(sessionId: string, keyOf: (n: number) => number, at: number, fields: Record<string, unknown>) {
    for (let attempt = 0; attempt < EVENT_KEY_TRIES; attempt++) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { sessionId, timestamp: keyOf(Math.floor(Math.random() * 100)), at, ...fields, expiresAt: expiresAt(at) },
            // Two samples in the same millisecond must not overwrite each other.
            ConditionExpression: 'attribute_not_exists(sessionId)',
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  async function queryRange(sessionId: string, range: { from: number; to: number }, options: { limit?: number; newestKeyFirst?: boolean; start?: Record<string, unknown> }) {
    return client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'sessionId = :sessionId AND #timestamp BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#timestamp': 'timestamp' },
        ExpressionAttributeValues: { ':sessionId': sessionId, ':from': range.from, ':to': range.to },
        // Event keys shrink as time grows: descending keys are oldest first.
        ScanIndexForward: !options.newestKeyFirst,
        ...(options.limit ? { Limit: options.limit } : {}),
        ...(options.start ? { ExclusiveStartKey: options.start } : {}),
      }),
    );
  }

  async function allEvents<T>(sessionId: string, base: number, maxPages: number, map: (item: Record<string, unknown>) => T) {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < maxPages; page++) {
      const result = await queryRange(sessionId, eventRange(base, 0, MAX_CHECKPOINT_LABEL), { newestKeyFirst: true, start });
      items.push(...(result.Items ?? []).map(map));
      start = result.LastEvaluatedKey;
      if (!start) return { items, complete: true };
    }
    return { items, complete: false };
  }

  const toReaction = (item: Record<string, unknown>): ReplayReaction => ({ at: Number(item.at), emoji: item.emoji as ReplayReaction['emoji'] });

  return {
    async getSummary(sessionId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { sessionId, timestamp: SUMMARY_KEY }, ConsistentRead: true }),
      );
      if (!Item?.body) return undefined;
      return JSON.parse(gunzipSync(Item.body as Uint8Array).toString('utf8')) as StoredSummary;
    },

    async putSummary(sessionId, summary, previousSeq) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              sessionId,
              timestamp: SUMMARY_KEY,
              seq: summary.seq,
              body: gzipSync(JSON.stringify(summary)),
              expiresAt: expiresAt(summary.firstAt ?? summary.at),
            },
            ConditionExpression: previousSeq === 0 ? 'attribute_not_exists(sessionId) OR #seq = :zero' : '#seq = :previous',
            ExpressionAttributeNames: { '#seq': 'seq' },
            ExpressionAttributeValues: previousSeq === 0 ? { ':zero': 0 } : { ':previous': previousSeq },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async putCheckpoint(sessionId, label, state) {
      const body = gzipSync(JSON.stringify(state));
      const overflow = body.byteLength > MAX_INLINE_CHECKPOINT_BYTES;
      if (overflow) await files().put(objectKey(sessionId, label), body, 'application/gzip');
      // Checkpoints are placed deterministically by the log, so a second writer stores the same one.
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            sessionId,
            timestamp: checkpointKey(label),
            seq: state.seq,
            at: state.at,
            ...(overflow ? { ref: objectKey(sessionId, label), bytes: body.byteLength } : { body }),
            expiresAt: expiresAt(label),
          },
        }),
      );
    },

    async checkpointAt(sessionId, label) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { sessionId, timestamp: checkpointKey(label) } }));
      return Item ? stateOf(Item) : undefined;
    },

    async checkpointAtOrBefore(sessionId, at) {
      if (at < 1) return undefined;
      const { Items } = await queryRange(sessionId, checkpointRangeAtOrBefore(at), { limit: 1 });
      const item = Items?.[0];
      if (!item) return undefined;
      const state = await stateOf(item);
      return state ? { label: -Number(item.timestamp), state } : undefined;
    },

    putReaction: (sessionId, reaction) => putEvent(sessionId, (n) => reactionKey(reaction.at, n), reaction.at, { emoji: reaction.emoji }),

    putPresence: (sessionId, sample) =>
      putEvent(sessionId, (n) => presenceKey(sample.at, n), sample.at, { viewers: sample.viewers, joined: sample.joined, left: sample.left }),

    async reactions(sessionId, from, to, limit) {
      const { Items } = await queryRange(sessionId, eventRange(REACTION_BASE, from, to), { limit, newestKeyFirst: true });
      return (Items ?? []).map(toReaction);
    },

    allReactions: (sessionId, maxPages) => allEvents(sessionId, REACTION_BASE, maxPages, toReaction),

    allPresence: (sessionId, maxPages) =>
      allEvents(sessionId, PRESENCE_BASE, maxPages, (item) => ({
        at: Number(item.at),
        viewers: Number(item.viewers),
        joined: Number(item.joined ?? 0),
        left: Number(item.left ?? 0),
      })),

    async deleteAll(sessionId, maxItems) {
      let deleted = 0;
      while (deleted < maxItems) {
        const { Items = [], LastEvaluatedKey } = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'sessionId = :sessionId',
            ExpressionAttributeNames: { '#timestamp': 'timestamp', '#ref': 'ref' },
            ExpressionAttributeValues: { ':sessionId': sessionId },
            ProjectionExpression: '#timestamp, #ref',
            Limit: Math.min(100, maxItems - deleted),
          }),
        );
        if (Items.length === 0) return { done: true, deleted };
        // The objects first: an item is never gone while the object it names is left behind.
        await Promise.all(Items.filter((item) => typeof item.ref === 'string').map((item) => files().delete(item.ref as string)));
        for (let i = 0; i < Items.length; i += 25) {
          let requests = Items.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { sessionId, timestamp: item.timestamp } } }));
          for (let attempt = 0; requests.length > 0; attempt++) {
            if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
            const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
            requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
            if (attempt > 8 && requests.length) throw new Error(`DynamoDB kept ${requests.length} deletions unprocessed.`);
          }
        }
        deleted += Items.length;
        if (!LastEvaluatedKey) return { done: true, deleted };
      }
      return { done: false, deleted };
    },
  };
}
