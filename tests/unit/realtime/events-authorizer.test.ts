import { describe, expect, it } from 'vitest';
import type { SessionsTable } from '../../../amplify/data/sessions-table';
import { createEventsAuthorizerHandler, type EventApiAuthorizerEvent, type EventApiOperation } from '../../../amplify/functions/events-authorizer/handler';
import type { Session } from '../../../src/protocol/session';

const LIVE = '6b7f3f2e-4a0e-4c39-9c53-0b7a4d1d8d11';
const ENDED = '0f0e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const OTHER_LIVE = 'a1b2c3d4-e5f6-4a1b-8c2d-3e4f5a6b7c8d';

function sessions(): SessionsTable & { reads: number } {
  const items: Record<string, Partial<Session>> = {
    [LIVE]: { sessionId: LIVE, status: 'active' },
    [OTHER_LIVE]: { sessionId: OTHER_LIVE, status: 'active' },
    [ENDED]: { sessionId: ENDED, status: 'ended' },
  };
  const table = {
    reads: 0,
    async get(id: string) {
      table.reads++;
      return items[id] as Session | undefined;
    },
  };
  return table as unknown as SessionsTable & { reads: number };
}

function event(operation: EventApiOperation, token: string, channel?: string): EventApiAuthorizerEvent {
  return {
    authorizationToken: token,
    requestContext: { apiId: 'api', accountId: '1', requestId: 'r', operation, ...(channel ? { channelNamespaceName: 'live', channel } : {}) },
  };
}

describe('the Event API authorizer', () => {
  const logs: unknown[] = [];
  const run = (e: EventApiAuthorizerEvent, table = sessions()) => createEventsAuthorizerHandler(() => table, (entry) => logs.push(entry))(e);

  it('lets anyone connect and subscribe to the channel of a live session, never caching the answer', async () => {
    expect(await run(event('EVENT_CONNECT', LIVE))).toEqual({ isAuthorized: true, ttlOverride: 0, handlerContext: { sessionId: LIVE } });
    expect(await run(event('EVENT_SUBSCRIBE', LIVE, `/live/${LIVE}`))).toMatchObject({ isAuthorized: true, ttlOverride: 0 });
    expect(await run(event('EVENT_SUBSCRIBE', LIVE, `live/${LIVE}`))).toMatchObject({ isAuthorized: true });
  });

  it.each([
    ['an ended session', event('EVENT_CONNECT', ENDED)],
    ['an unknown session', event('EVENT_CONNECT', '11111111-2222-4333-8444-555555555555')],
    ['a token that is not a session id', event('EVENT_CONNECT', 'eyJhbGciOi.x.y')],
    ['an ended session’s channel', event('EVENT_SUBSCRIBE', ENDED, `/live/${ENDED}`)],
    ['another session’s channel', event('EVENT_SUBSCRIBE', LIVE, `/live/${OTHER_LIVE}`)],
    ['a wildcard over every session', event('EVENT_SUBSCRIBE', LIVE, '/live/*')],
    ['a sub-channel', event('EVENT_SUBSCRIBE', LIVE, `/live/${LIVE}/x`)],
    ['another namespace', event('EVENT_SUBSCRIBE', LIVE, `/other/${LIVE}`)],
    ['a subscription without a channel', event('EVENT_SUBSCRIBE', LIVE)],
    ['publishing, even to its own live channel', event('EVENT_PUBLISH', LIVE, `/live/${LIVE}`)],
    ['an unknown operation', event('EVENT_SOMETHING' as EventApiOperation, LIVE)],
  ])('refuses %s', async (_, e) => {
    expect(await run(e)).toEqual({ isAuthorized: false, ttlOverride: 0 });
  });

  it('reads nothing for what it can refuse without the table', async () => {
    const table = sessions();
    await run(event('EVENT_PUBLISH', LIVE, `/live/${LIVE}`), table);
    await run(event('EVENT_SUBSCRIBE', LIVE, `/live/${OTHER_LIVE}`), table);
    await run(event('EVENT_CONNECT', 'not-a-session'), table);
    expect(table.reads).toBe(0);
  });

  it('refuses, and logs why, when the table cannot be read', async () => {
    const failing = { get: async () => Promise.reject(new Error('throttled')) } as unknown as SessionsTable;
    logs.length = 0;
    expect(await run(event('EVENT_CONNECT', LIVE), failing as never)).toEqual({ isAuthorized: false, ttlOverride: 0 });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', error: 'Error: throttled' }));
  });
});
