import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { startLocalDynamo, type LocalDynamo } from '../../local/dynamo.js';

/**
 * A document client on dynalite (the local stack's DynamoDB), started before the file's tests and
 * closed after them, for tests of one table's access code without the whole stack.
 * Returns a getter: the client exists only once beforeAll has run.
 */
export function useLocalDynamoClient(): () => DynamoDBDocumentClient {
  let dynamo: LocalDynamo | undefined;
  let client: DynamoDBDocumentClient | undefined;
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ port: 0, host: '127.0.0.1' });
    client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });
  return () => client!;
}
