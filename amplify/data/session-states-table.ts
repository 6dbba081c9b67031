import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  RECENT_CHAT_KEPT,
  canvasFlagsSchema,
  type CanvasFlags,
  type CanvasSnapshot,
  type ChatMessage,
  type Patch,
  type Tile,
} from '../../src/protocol/realtime.js';
import { REPLAY_RETENTION_DAYS, type ReplayEntry } from '../../src/protocol/replay.js';
import { emptyMap } from '../../src/protocol/storable-json.js';
import { compileHeadUpdate, compileWholeTileUpdate, tileAttribute, type CompileResult, type HeadTiles } from './canvas-head-update.js';

/**
 * The only code that reads or writes SessionStates. Per session, the item with
 * `timestamp` 0 is the head: the current canvas, the sequence counter, recent chat and
 * presence. Items with `timestamp` = seq (> 0) form the replay log, in order.
 */
export const HEAD_TIMESTAMP = 0;
/** Replays are kept for REPLAY_RETENTION_DAYS (90): every log and replay item expires that long after its time. */
export const LOG_RETENTION_SECONDS = REPLAY_RETENTION_DAYS * 24 * 60 * 60;

export interface SessionHead {
  snapshot: CanvasSnapshot;
  chat: ChatMessage[];
  viewerCount: number;
  hostConnections: string[];
  ended: boolean;
}

/** One sequenced message in the replay log (its wire shape is the replay API's, src/protocol/replay.ts). */
export type LogEntry = ReplayEntry;

export type PublishOutcome =
  | { ok: true; seq: number }
  | { ok: false; reason: 'unknown_tile' | 'session_ended' | 'snapshot_too_large' | 'too_large' | 'busy'; message: string };

/** How often a wide batch re-reads and retries when other writes keep changing the head in between. */
export const WHOLE_TILE_ATTEMPTS = 5;

/** Parts of the head a caller needs, so a small question does not read the whole canvas. */
export type HeadPart = 'hostConnections' | 'seq' | { tile: string };

export interface SessionStatesTable {
  /** The whole head, or only the given parts (the rest of the result is then empty). */
  getHead(sessionId: string, parts?: readonly HeadPart[]): Promise<SessionHead>;
  publish(sessionId: string, patches: readonly Patch[], now: number): Promise<PublishOutcome>;
  /** Appends a chat message to the head's recent chat; undefined when the host has hidden chat or the session ended. */
  addChat(sessionId: string, message: ChatMessage): Promise<number | undefined>;
  markEnded(sessionId: string, now: number): Promise<number>;
  appendLog(sessionId: string, entry: LogEntry): Promise<void>;
  readLog(sessionId: string, afterSeq: number, limit: number): Promise<LogEntry[]>;
  /**
   * One page of the log after `afterSeq`, oldest first: at most `limit` entries and 1 MB.
   * `more` is false once DynamoDB says nothing follows (true may still be followed by an empty page).
   */
  readLogPage(sessionId: string, afterSeq: number, limit: number): Promise<{ entries: LogEntry[]; more: boolean }>;
  /** Counts a viewer in or out, or records a host connection; returns the new presence. */
  updatePresence(
    sessionId: string,
    change: { viewerDelta: number } | { hostJoined: string } | { hostLeft: string },
  ): Promise<{ viewerCount: number; hostConnections: string[] }>;
}

export function sessionStatesTableAccess(client: DynamoDBDocumentClient, tableName: string): SessionStatesTable {
  const headKey = (sessionId: string) => ({ sessionId, timestamp: HEAD_TIMESTAMP });

  async function getHead(sessionId: string, parts?: readonly HeadPart[]): Promise<SessionHead> {
    const attributes = parts?.map((part) => (typeof part === 'string' ? part : tileAttribute(part.tile)));
    const projection = attributes?.length
      ? {
          ProjectionExpression: attributes.map((_, i) => `#p${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#p${i}`, name])),
        }
      : {};
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: headKey(sessionId), ConsistentRead: true, ...projection }),
    );
    return headFromItem(Item ?? {});
  }

  async function readLogPage(sessionId: string, afterSeq: number, limit: number) {
    const { Items, LastEvaluatedKey } = await client.send(
      new QueryCommand({
        TableName: tableName,
        // Log items are the positive sort keys (the replay's own items are negative: replay-store.ts).
        KeyConditionExpression: 'sessionId = :sessionId AND #timestamp > :after',
        ExpressionAttributeNames: { '#timestamp': 'timestamp' },
        ExpressionAttributeValues: { ':sessionId': sessionId, ':after': Math.max(afterSeq, HEAD_TIMESTAMP) },
        Limit: limit,
      }),
    );
    const entries = (Items ?? []).map(({ sessionId: _s, timestamp: _t, expiresAt: _e, ...entry }) => entry as LogEntry);
    return { entries, more: LastEvaluatedKey !== undefined };
  }

  return {
    getHead,

    async publish(sessionId, patches, now) {
      const compiled = compileHeadUpdate(patches, now);
      // Over DynamoDB's 4 KB expression limit: write the touched tiles whole instead.
      if (!compiled.ok && compiled.reason === 'too_large') return publishWholeTiles(sessionId, patches, now);
      if (!compiled.ok) return compiled;
      try {
        return { ok: true, seq: await update(sessionId, compiled) };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          // Rare path: read the head to say precisely why.
          const head = await getHead(sessionId);
          if (head.ended) return { ok: false, reason: 'session_ended', message: 'This session has ended.' };
          const missing = compiled.requiredTiles.find((tileId) => !head.snapshot.tiles[tileId]);
          return { ok: false, reason: 'unknown_tile', message: `Tile ${missing ?? ''} does not exist; add it first.` };
        }
        return refusedForSize(error);
      }
    },

    async addChat(sessionId, message) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: headKey(sessionId),
            UpdateExpression: 'ADD #seq :one SET #chat = list_append(if_not_exists(#chat, :none), :message)',
            ConditionExpression: 'attribute_not_exists(#ended) AND (attribute_not_exists(#hidden) OR #hidden = :false)',
            ExpressionAttributeNames: { '#seq': 'seq', '#chat': 'recentChat', '#ended': 'ended', '#hidden': 'c_chatHidden' },
            ExpressionAttributeValues: { ':one': 1, ':none': [], ':message': [message], ':false': false },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        const seq = Number(Attributes?.seq);
        const kept = (Attributes?.recentChat as unknown[] | undefined)?.length ?? 0;
        if (kept >= 2 * RECENT_CHAT_KEPT) await trimChat(sessionId, kept);
        return seq;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },

    async markEnded(sessionId, now) {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: headKey(sessionId),
          UpdateExpression: 'SET #ended = :now ADD #seq :one',
          ExpressionAttributeNames: { '#ended': 'ended', '#seq': 'seq' },
          ExpressionAttributeValues: { ':now': now, ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.seq);
    },

    async appendLog(sessionId, entry) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { sessionId, timestamp: entry.seq, ...entry, expiresAt: Math.floor(entry.at / 1000) + LOG_RETENTION_SECONDS },
        }),
      );
    },

    async readLog(sessionId, afterSeq, limit) {
      return (await readLogPage(sessionId, afterSeq, limit)).entries;
    },

    readLogPage,

    async updatePresence(sessionId, change) {
      const update: { expression: string; names: Record<string, string>; values: Record<string, unknown> } =
        'viewerDelta' in change
          ? { expression: 'ADD #viewers :delta', names: { '#viewers': 'viewerCount' }, values: { ':delta': change.viewerDelta } }
          : 'hostJoined' in change
            ? { expression: 'ADD #hosts :host', names: { '#hosts': 'hostConnections' }, values: { ':host': new Set([change.hostJoined]) } }
            : { expression: 'DELETE #hosts :host', names: { '#hosts': 'hostConnections' }, values: { ':host': new Set([change.hostLeft]) } };
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: headKey(sessionId),
          UpdateExpression: update.expression,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: update.values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const head = headFromItem(Attributes ?? {});
      return { viewerCount: head.viewerCount, hostConnections: head.hostConnections };
    },
  };

  async function update(sessionId: string, compiled: Extract<CompileResult, { ok: true }>): Promise<number> {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: headKey(sessionId),
        UpdateExpression: compiled.updateExpression,
        ConditionExpression: compiled.conditionExpression,
        ExpressionAttributeNames: compiled.names,
        ExpressionAttributeValues: compiled.values,
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.seq);
  }

  /**
   * A batch too wide for one field-by-field expression: read the tiles it touches, write
   * them whole if the head's seq has not moved meanwhile (compileWholeTileUpdate), else read
   * again. Still one conditional UpdateItem, so the batch commits wholly or not at all.
   */
  async function publishWholeTiles(sessionId: string, patches: readonly Patch[], now: number): Promise<PublishOutcome> {
    const tileIds = [...new Set(patches.flatMap((patch) => ('tileId' in patch ? [patch.tileId] : [])))];
    for (let attempt = 0; attempt < WHOLE_TILE_ATTEMPTS; attempt++) {
      const head = await readTiles(sessionId, tileIds);
      if (head.ended) return { ok: false, reason: 'session_ended', message: 'This session has ended.' };
      const compiled = compileWholeTileUpdate(patches, now, head);
      if (!compiled.ok) return compiled;
      try {
        return { ok: true, seq: await update(sessionId, compiled) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) return refusedForSize(error);
        // Another write landed between the read and this one: read again.
      }
    }
    return { ok: false, reason: 'busy', message: 'The canvas kept changing while this message was stored. Send it again.' };
  }

  async function readTiles(sessionId: string, tileIds: readonly string[]): Promise<HeadTiles & { ended: boolean }> {
    const attributes = ['seq', 'ended', ...tileIds.map(tileAttribute)];
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: headKey(sessionId),
        ConsistentRead: true,
        ProjectionExpression: attributes.map((_, i) => `#p${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#p${i}`, name])),
      }),
    );
    const head = headFromItem(Item ?? {});
    return { seq: Item?.seq === undefined ? undefined : Number(Item.seq), tiles: head.snapshot.tiles, ended: head.ended };
  }

  /** Keeps the head small: drops the oldest messages once twice the kept number piled up. */
  async function trimChat(sessionId: string, length: number) {
    const drop = length - RECENT_CHAT_KEPT;
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: headKey(sessionId),
          UpdateExpression: `REMOVE ${Array.from({ length: drop }, (_, i) => `#chat[${i}]`).join(', ')}`,
          // Another trim may have run in between; then this one must not drop more.
          ConditionExpression: 'size(#chat) >= :length',
          ExpressionAttributeNames: { '#chat': 'recentChat' },
          ExpressionAttributeValues: { ':length': length },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** DynamoDB refuses a head over 400 KB: say so; any other failure is unexpected. */
function refusedForSize(error: unknown): PublishOutcome {
  if (error instanceof DynamoDBServiceException && /item size/i.test(error.message)) {
    return {
      ok: false,
      reason: 'snapshot_too_large',
      message: 'The canvas would exceed its storage limit. Remove tiles or content before adding more.',
    };
  }
  throw error;
}

/** The canvas flags the schema knows; any other `c_` attribute is ignored. */
const canvasFlagNames: ReadonlySet<string> = new Set(Object.keys(canvasFlagsSchema.shape));

function headFromItem(item: Record<string, unknown>): SessionHead {
  // No prototype: a tile id is only ever a key (the schema also refuses "__proto__" and friends).
  const tiles = emptyMap<Tile>();
  const canvas: CanvasFlags = {};
  for (const [attribute, value] of Object.entries(item)) {
    if (attribute.startsWith('t_')) tiles[attribute.slice(2)] = value as Tile;
    else if (attribute.startsWith('c_') && canvasFlagNames.has(attribute.slice(2))) Object.assign(canvas, { [attribute.slice(2)]: value });
  }
  const hosts = item.hostConnections;
  return {
    snapshot: { seq: Number(item.seq ?? 0), tiles, canvas },
    chat: ((item.recentChat as ChatMessage[] | undefined) ?? []).slice(-RECENT_CHAT_KEPT),
    viewerCount: Math.max(0, Number(item.viewerCount ?? 0)),
    hostConnections: hosts instanceof Set ? [...(hosts as Set<string>)] : [],
    ended: item.ended !== undefined,
  };
}

