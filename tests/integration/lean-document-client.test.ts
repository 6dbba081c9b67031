import { ConditionalCheckFailedException, CreateTableCommand, DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeanDocumentClient } from '../../amplify/data/lean-document-client';
import { verifySigV4 } from '../../local/sigv4-verifier';

/**
 * The lean document client against dynalite (the local stack's DynamoDB), side by side with the
 * SDK's document client: the same commands must give the same results and the same errors.
 */
const credentials = { accessKeyId: 'AKIDLEAN', secretAccessKey: 'lean-secret' };
const translate = { marshallOptions: { removeUndefinedValues: true } };
const table = 'LeanTest';
let server: Server;
let endpoint: string;
let sdk: DynamoDBDocumentClient;
/** Typed as the handlers see it (documentClient()). */
let lean: DynamoDBDocumentClient;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  server = dynalite({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials });
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  sdk = DynamoDBDocumentClient.from(client, translate);
  lean = new LeanDocumentClient(new DynamoDBClient({ endpoint, region: 'local', credentials }), translate, { endpoint, region: 'local' });
});

afterAll(async () => {
  lean?.destroy();
  sdk?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

const withoutMetadata = ({ $metadata: _m, ...rest }: { $metadata?: unknown } & Record<string, unknown>) => rest;

const item = (pk: string, sk: number) => ({
  pk,
  sk,
  text: 'héllo 👋 "quoted" \\ back',
  count: 12.5,
  big: Number.MAX_SAFE_INTEGER,
  negative: -3,
  flag: false,
  nothing: null,
  dropped: undefined,
  list: [1, 'two', { three: [3] }],
  nested: { deeper: { deepest: 'yes', empty: {} } },
  tags: new Set(['a', 'b']),
  numbers: new Set([1, 2]),
  bytes: new Uint8Array([0, 1, 254, 255]),
});

describe('LeanDocumentClient', () => {
  it('puts, gets, updates, queries and deletes with the same results as the SDK', async () => {
    for (const [client, pk] of [
      [sdk, 'sdk'],
      [lean, 'lean'],
    ] as const) {
      await client.send(new PutCommand({ TableName: table, Item: item(pk, 1) }));
      await client.send(new PutCommand({ TableName: table, Item: item(pk, 2) }));
    }
    const both = async (command: (pk: string) => object) => {
      const send = (client: DynamoDBDocumentClient, c: object) => client.send(c as GetCommand) as Promise<unknown> as Promise<Record<string, unknown>>;
      const [fromSdk, fromLean] = [await send(sdk, command('sdk')), await send(lean, command('lean'))];
      return [withoutMetadata(fromSdk), withoutMetadata(fromLean)] as const;
    };
    const swapPk = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Set ? [...v] : v)).replaceAll('"sdk"', '"lean"'));

    const [getSdk, getLean] = await both((pk) => new GetCommand({ TableName: table, Key: { pk, sk: 1 }, ConsistentRead: true }));
    expect(getLean).toEqual({ ...getSdk, Item: { ...(getSdk.Item as object), pk: 'lean' } });
    expect((getLean.Item as { tags: unknown }).tags).toEqual(new Set(['a', 'b']));
    expect((getLean.Item as { bytes: unknown }).bytes).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(getLean.Item).not.toHaveProperty('dropped');

    const [updateSdk, updateLean] = await both(
      (pk) =>
        new UpdateCommand({
          TableName: table,
          Key: { pk, sk: 1 },
          UpdateExpression: 'ADD #count :one SET #nested.#deeper.#new = :value REMOVE #flag',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#count': 'count', '#nested': 'nested', '#deeper': 'deeper', '#new': 'added', '#flag': 'flag' },
          ExpressionAttributeValues: { ':one': 1, ':value': { at: 5, list: ['x'] } },
          ReturnValues: 'ALL_NEW',
        }),
    );
    expect(swapPk(updateLean)).toEqual(swapPk(updateSdk));
    expect((updateLean.Attributes as { count: number }).count).toBe(13.5);

    const [querySdk, queryLean] = await both(
      (pk) =>
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: { ':pk': pk, ':after': 0 },
          Limit: 1,
        }),
    );
    expect(swapPk(queryLean)).toEqual(swapPk(querySdk));
    expect(queryLean.LastEvaluatedKey).toEqual({ pk: 'lean', sk: 1 });
    expect(queryLean.Items).toHaveLength(1);
    const nextPage = await lean.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'lean' },
        ExclusiveStartKey: queryLean.LastEvaluatedKey as Record<string, unknown>,
      }),
    );
    expect(nextPage.Items?.map((i) => i.sk)).toEqual([2]);

    const [deleteSdk, deleteLean] = await both((pk) => new DeleteCommand({ TableName: table, Key: { pk, sk: 2 }, ReturnValues: 'ALL_OLD' }));
    expect(swapPk(deleteLean)).toEqual(swapPk(deleteSdk));
    expect((await lean.send(new GetCommand({ TableName: table, Key: { pk: 'lean', sk: 2 } }))).Item).toBeUndefined();
  });

  it("throws the SDK's exception classes, as the tables expect", async () => {
    const put = new PutCommand({ TableName: table, Item: { pk: 'cond', sk: 1 }, ConditionExpression: 'attribute_not_exists(pk)' });
    await lean.send(put);
    const error = await lean.send(put).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } });

    // What session-states-table.ts recognises as "too large": the SDK's base class and DynamoDB's message.
    const tooLarge = await lean.send(new PutCommand({ TableName: table, Item: { pk: 'big', sk: 1, blob: 'x'.repeat(410_000) } })).catch((e: unknown) => e);
    const fromSdk = await sdk.send(new PutCommand({ TableName: table, Item: { pk: 'big', sk: 1, blob: 'x'.repeat(410_000) } })).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(DynamoDBServiceException);
    expect((tooLarge as Error).name).toBe((fromSdk as Error).name);
    expect((tooLarge as Error).message).toBe((fromSdk as Error).message);
    expect((tooLarge as Error).message).toMatch(/item size/i);
  });

  it('leaves batch commands and legacy parameters to the SDK', async () => {
    await lean.send(
      new BatchWriteCommand({
        RequestItems: { [table]: [{ PutRequest: { Item: { pk: 'batch', sk: 1, tags: new Set(['t']) } } }, { PutRequest: { Item: { pk: 'batch', sk: 2 } } }] },
      }),
    );
    const { Items } = await lean.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'batch' } }));
    expect(Items).toEqual([{ pk: 'batch', sk: 1, tags: new Set(['t']) }, { pk: 'batch', sk: 2 }]);
    const legacy = await lean
      .send(new PutCommand({ TableName: table, Item: { pk: 'batch', sk: 1 }, Expected: { pk: { Exists: false } } }))
      .catch((e: unknown) => e);
    expect(legacy).toBeInstanceOf(ConditionalCheckFailedException);
  });
});

describe('LeanDocumentClient on the wire', () => {
  /** A server that answers each request with the next canned answer, and checks its signature as DynamoDB would. */
  async function cannedServer(answers: Array<{ status: number; body: object | string }>) {
    const seen: Array<{ target?: string; verified: boolean; body: string }> = [];
    const fake = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verified = await verifySigV4(
          { method: request.method!, path: request.url!, headers: request.headers as Record<string, string>, body },
          { region: 'eu-west-1', service: 'dynamodb', secretFor: (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined) },
        );
        seen.push({ target: request.headers['x-amz-target'] as string | undefined, verified: verified.ok, body });
        const answer = answers.shift() ?? { status: 200, body: {} };
        response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' }).end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const client: DynamoDBDocumentClient = new LeanDocumentClient(new DynamoDBClient({ endpoint: url, region: 'eu-west-1', credentials }), translate, {
      endpoint: url,
      region: 'eu-west-1',
    });
    return {
      client,
      seen,
      close: async () => {
        client.destroy();
        fake.closeAllConnections();
        await new Promise((resolve) => fake.close(resolve));
      },
    };
  }

  it('signs each request, x-amz-target included, so that a SigV4 check accepts it', async () => {
    const fake = await cannedServer([{ status: 200, body: { Item: { pk: { S: 'a' }, n: { N: '7' } } } }]);
    try {
      const { Item } = await fake.client.send(new GetCommand({ TableName: table, Key: { pk: 'a', sk: 1 } }));
      expect(Item).toEqual({ pk: 'a', n: 7 });
      expect(fake.seen).toEqual([{ target: 'DynamoDB_20120810.GetItem', verified: true, body: JSON.stringify({ TableName: table, Key: { pk: { S: 'a' }, sk: { N: '1' } } }) }]);
    } finally {
      await fake.close();
    }
  });

  it('retries throttling and server errors up to three attempts, as the SDK does', async () => {
    const throttled = { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate exceeded' } };
    const fake = await cannedServer([throttled, { status: 502, body: '<html>Bad gateway</html>' }, { status: 200, body: {} }]);
    try {
      const result = await fake.client.send(new PutCommand({ TableName: table, Item: { pk: 'r', sk: 1 } }));
      expect(result.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 3 });
      expect(fake.seen).toHaveLength(3);
    } finally {
      await fake.close();
    }
    const failing = await cannedServer([throttled, throttled, throttled, { status: 200, body: {} }]);
    try {
      const error = await failing.client.send(new PutCommand({ TableName: table, Item: { pk: 'r', sk: 1 } })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DynamoDBServiceException);
      expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $metadata: { attempts: 3 } });
      expect(failing.seen).toHaveLength(3);
    } finally {
      await failing.close();
    }
  });

  it('does not retry a client error', async () => {
    const fake = await cannedServer([{ status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', message: 'bad key' } }]);
    try {
      const error = await fake.client.send(new GetCommand({ TableName: table, Key: { pk: 'a' } })).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ValidationException', message: 'bad key', $fault: 'client' });
      expect(fake.seen).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});
