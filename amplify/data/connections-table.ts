import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { connectionsTable } from './table-definitions.js';
import { tokenBucketLimiter } from './token-bucket.js';

export type ConnectionRole = 'host' | 'viewer';

export interface ConnectionItem {
  connectionId: string;
  sessionId: string;
  role: ConnectionRole;
  /** Cognito user id when the connection was made with a verified token. */
  userId?: string;
  connectedAt: number;
  /** Epoch seconds; API Gateway closes sockets after 2 h, so older items are stale. */
  expiresAt: number;
}

/** What fan-out reads of a connection: its id, and for forgetting a gone one, its role and age. */
export type IndexedConnection = Pick<ConnectionItem, 'connectionId' | 'role' | 'connectedAt'>;

/** The only code that reads or writes Connections. */
export interface ConnectionsTable {
  put(item: ConnectionItem): Promise<void>;
  get(connectionId: string): Promise<ConnectionItem | undefined>;
  delete(connectionId: string): Promise<ConnectionItem | undefined>;
  /** From the index, which holds only what fan-out needs (`IndexedConnection`). */
  listBySession(sessionId: string): Promise<IndexedConnection[]>;
  /**
   * Takes one use of `action` from the connection's token bucket (`max` in a burst, refilling
   * at `max` per `windowSeconds`); false when it is empty or the connection is gone.
   * Stored on the connection item, so the limit holds across Lambda instances.
   */
  consumeRateLimit(connectionId: string, action: string, max: number, windowSeconds: number, nowMs: number): Promise<boolean>;
  /**
   * The same for a whole session: one bucket per action shared by all its connections, on an
   * item of its own (`session#<id>`), which has no `sessionId` and so stays out of the index.
   */
  consumeSessionRateLimit(sessionId: string, action: string, max: number, windowSeconds: number, nowMs: number): Promise<boolean>;
}

/** Key of the item holding a session's shared rate-limit buckets. */
export const sessionLimitsKey = (sessionId: string) => `session#${sessionId}`;

export const CONNECTION_MAX_AGE_SECONDS = 2 * 60 * 60;

export function connectionsTableAccess(client: DynamoDBDocumentClient, tableName: string): ConnectionsTable {
  const consume = tokenBucketLimiter(client);
  return {
    async put(item) {
      await client.send(new PutCommand({ TableName: tableName, Item: item }));
    },
    async get(connectionId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { connectionId } }));
      return Item as ConnectionItem | undefined;
    },
    async delete(connectionId) {
      const { Attributes } = await client.send(
        new DeleteCommand({ TableName: tableName, Key: { connectionId }, ReturnValues: 'ALL_OLD' }),
      );
      return Attributes as ConnectionItem | undefined;
    },
    async listBySession(sessionId) {
      const items: IndexedConnection[] = [];
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: connectionsTable.globalSecondaryIndexes[0].indexName,
            KeyConditionExpression: 'sessionId = :sessionId',
            // Not the session id every item repeats: fewer bytes to read and unmarshal per connection.
            ProjectionExpression: 'connectionId, #role, connectedAt',
            ExpressionAttributeNames: { '#role': 'role' },
            ExpressionAttributeValues: { ':sessionId': sessionId },
            ExclusiveStartKey: cursor,
          }),
        );
        items.push(...((page.Items ?? []) as IndexedConnection[]));
        cursor = page.LastEvaluatedKey;
      } while (cursor);
      return items;
    },
    async consumeRateLimit(connectionId, action, max, windowSeconds, nowMs) {
      const target = { tableName, key: { connectionId }, attribute: `rl_${action}`, requireAttribute: 'connectionId' };
      return consume(target, { max, windowSeconds }, nowMs);
    },
    async consumeSessionRateLimit(sessionId, action, max, windowSeconds, nowMs) {
      const expiresAt = { attribute: connectionsTable.timeToLiveAttribute, epochSeconds: Math.ceil(nowMs / 1000) + windowSeconds + 60 };
      const target = { tableName, key: { connectionId: sessionLimitsKey(sessionId) }, attribute: `rl_${action}`, expiresAt };
      return consume(target, { max, windowSeconds }, nowMs);
    },
  };
}
