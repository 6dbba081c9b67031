import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { connectionsTable } from './table-definitions.js';

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

/** The only code that reads or writes Connections. */
export interface ConnectionsTable {
  put(item: ConnectionItem): Promise<void>;
  get(connectionId: string): Promise<ConnectionItem | undefined>;
  delete(connectionId: string): Promise<ConnectionItem | undefined>;
  listBySession(sessionId: string): Promise<ConnectionItem[]>;
  /**
   * Counts one use of `action` in the current fixed window; false once `max` is reached.
   * Stored on the connection item, so the limit holds across Lambda instances.
   */
  consumeRateLimit(connectionId: string, action: string, max: number, windowSeconds: number, nowMs: number): Promise<boolean>;
}

export const CONNECTION_MAX_AGE_SECONDS = 2 * 60 * 60;

export function connectionsTableAccess(client: DynamoDBDocumentClient, tableName: string): ConnectionsTable {
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
      const items: ConnectionItem[] = [];
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: connectionsTable.globalSecondaryIndexes[0].indexName,
            KeyConditionExpression: 'sessionId = :sessionId',
            ExpressionAttributeValues: { ':sessionId': sessionId },
            ExclusiveStartKey: cursor,
          }),
        );
        items.push(...((page.Items ?? []) as ConnectionItem[]));
        cursor = page.LastEvaluatedKey;
      } while (cursor);
      return items;
    },
    async consumeRateLimit(connectionId, action, max, windowSeconds, nowMs) {
      // One counter attribute per window makes the check-and-count a single atomic write.
      const window = Math.floor(nowMs / 1000 / windowSeconds);
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { connectionId },
            UpdateExpression: 'ADD #count :one REMOVE #previous',
            ConditionExpression: 'attribute_exists(connectionId) AND (attribute_not_exists(#count) OR #count < :max)',
            ExpressionAttributeNames: { '#count': `rl_${action}_${window}`, '#previous': `rl_${action}_${window - 1}` },
            ExpressionAttributeValues: { ':one': 1, ':max': max },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}
