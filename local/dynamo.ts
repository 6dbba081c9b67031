import { CreateTableCommand, DynamoDBClient, ListTablesCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { tableDefinitions, type TableDefinition } from '../amplify/data/table-definitions.js';
import { closeServer, listen } from './listen.js';

/** DynamoDB stand-in: dynalite speaks the real wire protocol; data persists in `dataDir`. */
export interface LocalDynamo {
  endpoint: string;
  /** Physical table name per table definition (locally, the logical name). */
  tableNames: Record<string, string>;
  /** Requests served so far, by operation: lets benchmarks count DynamoDB work per action. */
  requestCounts(): Record<string, number>;
  /** Bytes of the request and response bodies so far, all operations together: what a read costs on the wire. */
  bodyBytes(): { request: number; response: number };
  /** Request and response body bytes so far, by operation (what a publish costs on the wire). */
  requestBytes(): Record<string, { sent: number; received: number }>;
  close(): Promise<void>;
}

export async function startLocalDynamo(options: { dataDir?: string; port: number; host: string }): Promise<LocalDynamo> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  const counts: Record<string, number> = {};
  const bytes: Record<string, { sent: number; received: number }> = {};
  server.prependListener('request', (request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    counts[operation] = (counts[operation] ?? 0) + 1;
    const tally = (bytes[operation] ??= { sent: 0, received: 0 });
    // "sent" is what the client sent (the request body), "received" what it got back.
    request.on('data', (chunk: Buffer) => (tally.sent += chunk.length));
    const { write, end } = response as unknown as { write: (...args: unknown[]) => boolean; end: (...args: unknown[]) => unknown };
    const count = (chunk: unknown) => {
      if (typeof chunk === 'string') tally.received += Buffer.byteLength(chunk);
      else if (chunk instanceof Uint8Array) tally.received += chunk.length;
    };
    Object.assign(response, {
      write: (...args: unknown[]) => (count(args[0]), write.apply(response, args)),
      end: (...args: unknown[]) => (count(args[0]), end.apply(response, args)),
    });
  });
  const port = await listen(server, options.port, options.host, 'DynamoDB', 'STREAMCANVAS_DYNAMO_PORT');
  const endpoint = `http://${options.host}:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await createMissingTables(client);
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    tableNames: Object.fromEntries(tableDefinitions.map((table) => [table.envVar, table.logicalName])),
    requestCounts: () => ({ ...counts }),
    bodyBytes: () => Object.values(bytes).reduce((sum, tally) => ({ request: sum.request + tally.sent, response: sum.response + tally.received }), { request: 0, response: 0 }),
    requestBytes: () => Object.fromEntries(Object.entries(bytes).map(([op, tally]) => [op, { ...tally }])),
    close: () => closeServer(server),
  };
}

async function createMissingTables(client: DynamoDBClient): Promise<void> {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const table of tableDefinitions) {
    if (!existing.has(table.logicalName)) await client.send(new CreateTableCommand(createTableInput(table)));
  }
}

export function createTableInput(table: TableDefinition): CreateTableCommandInput {
  const keys = [table.partitionKey, table.sortKey, ...table.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const attributes = new Map(keys.filter((k) => k !== undefined).map((k) => [k.name, k.type]));
  return {
    TableName: table.logicalName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
      ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(table.globalSecondaryIndexes.length
      ? {
          GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
              ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: index.projectedAttributes
              ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projectedAttributes] }
              : { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}
