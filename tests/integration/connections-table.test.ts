import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { connectionsTableAccess, sessionLimitsKey, type ConnectionsTable } from '../../amplify/data/connections-table.js';
import { connectionsTable } from '../../amplify/data/table-definitions.js';
import { useLocalDynamoClient } from '../support/local-dynamo-client.js';

/** The Connections table's rate limits and index on dynalite, the local stack's DynamoDB. */
const client = useLocalDynamoClient();
const tableName = connectionsTable.logicalName;
const access = () => connectionsTableAccess(client(), tableName);

let n = 0;
async function connection(table: ConnectionsTable, sessionId = `s-${++n}`) {
  const connectionId = `c-${++n}`;
  await table.put({ connectionId, sessionId, role: 'viewer', connectedAt: 1, expiresAt: 2 ** 31 });
  return { connectionId, sessionId };
}

async function takeMany(take: (at: number) => Promise<boolean>, times: number[]) {
  const results: boolean[] = [];
  for (const at of times) results.push(await take(at));
  return results.filter(Boolean).length;
}

describe('rate limits (token buckets on DynamoDB)', () => {
  const T0 = 1_700_000_000_000;

  it('allows a burst of max, then refills at max per window', async () => {
    const table = access();
    const { connectionId } = await connection(table);
    const take = (at: number) => table.consumeRateLimit(connectionId, 'chat', 5, 10, at);
    expect(await takeMany(take, [T0, T0, T0, T0, T0, T0, T0])).toBe(5);
    expect(await take(T0 + 1000)).toBe(false);
    expect(await take(T0 + 2000)).toBe(true);
    expect(await take(T0 + 2001)).toBe(false);
    // After a long pause the bucket is full again, not fuller.
    expect(await takeMany(take, Array.from({ length: 8 }, () => T0 + 60_000))).toBe(5);
  });

  it('gives a burst straddling a window boundary no second budget', async () => {
    const table = access();
    const { connectionId } = await connection(table);
    const boundary = Math.ceil(T0 / 10_000) * 10_000;
    // Ten chats in 400 ms across a 10 s boundary (fixed windows let all ten through).
    const times = Array.from({ length: 10 }, (_, i) => boundary - 200 + i * 40);
    expect(await takeMany((at) => table.consumeRateLimit(connectionId, 'chat', 5, 10, at), times)).toBe(5);
  });

  it('holds across processes: two table accesses (two Lambda instances) share one bucket', async () => {
    const [a, b] = [access(), access()];
    const { connectionId } = await connection(a);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).consumeRateLimit(connectionId, 'react', 10, 10, T0)));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(await a.consumeRateLimit(connectionId, 'react', 10, 10, T0 + 1000)).toBe(true);
    expect(await b.consumeRateLimit(connectionId, 'react', 10, 10, T0 + 1000)).toBe(false);
  });

  it('refuses a connection that no longer exists, without creating an item for it', async () => {
    const table = access();
    expect(await table.consumeRateLimit('never-connected', 'chat', 5, 10, T0)).toBe(false);
    expect((await client().send(new GetCommand({ TableName: tableName, Key: { connectionId: 'never-connected' } }))).Item).toBeUndefined();
  });

  it('a session-wide bucket is shared by all of its connections and expires', async () => {
    const [a, b] = [access(), access()];
    const sessionId = `s-${++n}`;
    const take = (table: ConnectionsTable, at: number) => table.consumeSessionRateLimit(sessionId, 'chat', 30, 10, at);
    let allowed = 0;
    for (let i = 0; i < 40; i++) if (await take(i % 2 ? a : b, T0)) allowed++;
    expect(allowed).toBe(30);
    const item = (await client().send(new GetCommand({ TableName: tableName, Key: { connectionId: sessionLimitsKey(sessionId) } }))).Item;
    expect(item?.expiresAt).toBeGreaterThan(T0 / 1000);
    expect(item?.sessionId).toBeUndefined();
  });
});

describe('the SessionIdIndex', () => {
  it('lists only what fan-out needs, without rate-limit buckets or the session-wide item', async () => {
    const table = access();
    const sessionId = `s-${++n}`;
    const { connectionId } = await connection(table, sessionId);
    await table.put({ connectionId: `${connectionId}-host`, sessionId, role: 'host', userId: 'u1', connectedAt: 5, expiresAt: 2 ** 31 });
    await table.consumeRateLimit(connectionId, 'chat', 5, 10, Date.now());
    await table.consumeSessionRateLimit(sessionId, 'chat', 30, 10, Date.now());
    const listed = await table.listBySession(sessionId);
    expect(listed.sort((x, y) => x.connectedAt - y.connectedAt)).toEqual([
      { connectionId, role: 'viewer', connectedAt: 1 },
      { connectionId: `${connectionId}-host`, role: 'host', connectedAt: 5 },
    ]);
  });
});
