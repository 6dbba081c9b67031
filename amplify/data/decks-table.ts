import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deckLimits, deckStallMs, type Deck, type DeckStatus } from '../../src/protocol/decks.js';

/**
 * The only code that reads or writes the Decks table (key design in table-definitions.ts).
 *
 * Access patterns, each one request:
 * - a host's decks, for "My decks": Query `host#<hostId>`, sk begins with `deck#`;
 * - one deck, when its owner is known (the host's own routes, the processor, the realtime
 *   function checking a `deckId` the host published): GetItem `host#<hostId>` + `deck#<deckId>`.
 *   A deck id alone finds nothing: ownership is part of the key;
 * - may a session's viewers read a deck: GetItem `session#<sessionId>` + `deck#<deckId>`,
 *   which names the host, then the deck's own GetItem;
 * - at most one upload or conversion per host: the `processing` item, taken with a
 *   conditional PutItem (no transactions: dynalite has none).
 */
export interface StoredDeck extends Deck {
  hostId: string;
}

export type CreateDeckOutcome =
  | { ok: true; deck: StoredDeck; replaced?: string }
  | { ok: false; reason: 'Busy'; busyDeckId: string }
  | { ok: false; reason: 'Full' };

export interface DeckChange {
  status: DeckStatus;
  pageCount?: number;
  error?: string;
}

export interface DecksTable {
  /**
   * Stores a new deck in `uploading`, if the host has no other upload or conversion in progress
   * and fewer than the maximum of decks. `replaced` names a stalled deck whose lock was taken over.
   */
  create(deck: StoredDeck, now: number): Promise<CreateDeckOutcome>;
  get(hostId: string, deckId: string): Promise<StoredDeck | undefined>;
  /** The host's decks, newest first; failed decks are left out (they expire). */
  list(hostId: string): Promise<StoredDeck[]>;
  /** Moves a deck from one of `from` to `change`; undefined when it was not in one of them (or is gone). */
  transition(hostId: string, deckId: string, from: readonly DeckStatus[], change: DeckChange, now: number): Promise<StoredDeck | undefined>;
  /** Extends the host's processing lock while `deckId` is queued or converting. */
  holdLock(hostId: string, deckId: string, untilMs: number): Promise<void>;
  /** Frees the host's processing lock if `deckId` holds it. */
  releaseLock(hostId: string, deckId: string): Promise<void>;
  /** Deletes the deck item; returns what was deleted. */
  delete(hostId: string, deckId: string): Promise<StoredDeck | undefined>;
  /** Records that a session shows the deck: its viewers may then read it. Idempotent. */
  attach(sessionId: string, deckId: string, hostId: string, now: number): Promise<void>;
  /** The host of a deck attached to the session, or undefined when it is not attached. */
  attachedHost(sessionId: string, deckId: string): Promise<string | undefined>;
}

/** Failed decks stay a day, so the host can read why, then DynamoDB's TTL removes them. */
const FAILED_DECK_TTL_SECONDS = 24 * 60 * 60;

export const deckKeys = {
  host: (hostId: string) => `host#${hostId}`,
  session: (sessionId: string) => `session#${sessionId}`,
  deck: (deckId: string) => `deck#${deckId}`,
  processing: 'processing',
} as const;

export function decksTableAccess(client: DynamoDBDocumentClient, tableName: string): DecksTable {
  const deckKey = (hostId: string, deckId: string) => ({ pk: deckKeys.host(hostId), sk: deckKeys.deck(deckId) });
  const lockKey = (hostId: string) => ({ pk: deckKeys.host(hostId), sk: deckKeys.processing });

  /** Every page of a host's kept decks (failed ones left out), as a whole or only counted. */
  async function* keptDeckPages(hostId: string, select?: 'COUNT') {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :deck)',
          FilterExpression: '#status <> :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': deckKeys.host(hostId), ':deck': 'deck#', ':failed': 'failed' },
          ...(select ? { Select: select } : {}),
          ExclusiveStartKey: start,
        }),
      );
      yield page;
      start = page.LastEvaluatedKey;
    } while (start);
  }

  async function countKept(hostId: string): Promise<number> {
    let count = 0;
    for await (const page of keptDeckPages(hostId, 'COUNT')) count += page.Count ?? 0;
    return count;
  }

  async function releaseLock(hostId: string, deckId: string): Promise<void> {
    try {
      await client.send(
        new DeleteCommand({ TableName: tableName, Key: lockKey(hostId), ConditionExpression: 'deckId = :deckId', ExpressionAttributeValues: { ':deckId': deckId } }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  return {
    async create(deck, now) {
      let replaced: string | undefined;
      try {
        const { Attributes } = await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...lockKey(deck.hostId), deckId: deck.deckId, until: now + deckStallMs.uploading },
            // Free, or held by a deck that stalled past its time.
            ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':now': now },
            ReturnValues: 'ALL_OLD',
          }),
        );
        replaced = typeof Attributes?.deckId === 'string' ? Attributes.deckId : undefined;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: lockKey(deck.hostId), ConsistentRead: true }));
        return { ok: false, reason: 'Busy', busyDeckId: String(Item?.deckId ?? '') };
      }
      if ((await countKept(deck.hostId)) >= deckLimits.maxDecksPerHost) {
        await releaseLock(deck.hostId, deck.deckId);
        return { ok: false, reason: 'Full' };
      }
      await client.send(
        new PutCommand({ TableName: tableName, Item: { ...deckKey(deck.hostId, deck.deckId), ...deck }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return { ok: true, deck, ...(replaced ? { replaced } : {}) };
    },

    async get(hostId, deckId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: deckKey(hostId, deckId), ConsistentRead: true }));
      return Item ? toDeck(Item) : undefined;
    },

    async list(hostId) {
      const decks: StoredDeck[] = [];
      for await (const page of keptDeckPages(hostId)) decks.push(...(page.Items ?? []).map(toDeck));
      return decks.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    async transition(hostId, deckId, from, change, now) {
      const values: Record<string, unknown> = { ':status': change.status, ':now': new Date(now).toISOString() };
      const sets = ['#status = :status', 'updatedAt = :now'];
      const removes: string[] = [];
      from.forEach((status, index) => (values[`:from${index}`] = status));
      if (change.pageCount !== undefined) {
        sets.push('pageCount = :pageCount');
        values[':pageCount'] = change.pageCount;
      }
      if (change.error !== undefined) {
        sets.push('#error = :error');
        values[':error'] = change.error;
      } else {
        removes.push('#error');
      }
      if (change.status === 'failed') {
        sets.push('expiresAt = :expiresAt');
        values[':expiresAt'] = Math.floor(now / 1000) + FAILED_DECK_TTL_SECONDS;
      }
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: deckKey(hostId, deckId),
            UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
            ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes ? toDeck(Attributes) : undefined;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },

    async holdLock(hostId, deckId, untilMs) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: lockKey(hostId),
            UpdateExpression: 'SET #until = :until',
            ConditionExpression: 'deckId = :deckId',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':until': untilMs, ':deckId': deckId },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    releaseLock,

    async delete(hostId, deckId) {
      const { Attributes } = await client.send(new DeleteCommand({ TableName: tableName, Key: deckKey(hostId, deckId), ReturnValues: 'ALL_OLD' }));
      if (!Attributes) return undefined;
      await releaseLock(hostId, deckId);
      return toDeck(Attributes);
    },

    async attach(sessionId, deckId, hostId, now) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: deckKeys.session(sessionId), sk: deckKeys.deck(deckId), deckId, hostId, attachedAt: now },
        }),
      );
    },

    async attachedHost(sessionId, deckId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: deckKeys.session(sessionId), sk: deckKeys.deck(deckId) }, ProjectionExpression: 'hostId' }),
      );
      return typeof Item?.hostId === 'string' ? Item.hostId : undefined;
    },
  };
}

function toDeck(item: Record<string, unknown>): StoredDeck {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...deck } = item;
  return deck as unknown as StoredDeck;
}
