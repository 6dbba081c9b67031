import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionListSchema, sessionSchema, publicSessionSchema } from '../../src/protocol/session.js';
import { apiErrorSchema } from '../../src/protocol/errors.js';
import { startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';

/** The session HTTP API end to end: local gateway, real handler, dynalite, real Cognito tokens. */
let env: TestStack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  env = await startTestStack();
  alice = await env.createUser('alice@example.com');
  bob = await env.createUser('bob@example.com');
});
afterAll(async () => env?.stop());

async function call(method: string, path: string, options: { token?: string; body?: string | object } = {}) {
  const response = await fetch(`${env.stack.httpApiUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: typeof options.body === 'string' ? options.body : options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function expectError(result: { status: number; body: unknown }, status: number, code: string, messagePart?: string) {
  expect(result.status).toBe(status);
  const parsed = apiErrorSchema.parse(result.body);
  expect(parsed.error.code).toBe(code);
  if (messagePart) expect(parsed.error.message).toContain(messagePart);
}

describe('sessions', () => {
  it('creates, lists newest first, reads publicly and ends a session', async () => {
    const first = await call('POST', '/sessions', { token: alice.accessToken, body: { title: '  Intro to Rust  ' } });
    expect(first.status).toBe(201);
    const created = sessionSchema.parse(first.body);
    expect(created).toMatchObject({ title: 'Intro to Rust', status: 'active', hostId: alice.userId });

    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = sessionSchema.parse((await call('POST', '/sessions', { token: alice.accessToken, body: { title: 'Second' } })).body);

    const list = await call('GET', '/sessions', { token: alice.accessToken });
    expect(list.status).toBe(200);
    const ids = sessionListSchema.parse(list.body).sessions.map((s) => s.sessionId);
    expect(ids.slice(0, 2)).toEqual([second.sessionId, created.sessionId]);

    const anonymous = await call('GET', `/sessions/${created.sessionId}`);
    expect(anonymous.status).toBe(200);
    expect(publicSessionSchema.strict().parse(anonymous.body)).not.toHaveProperty('hostId');

    const ended = await call('PATCH', `/sessions/${created.sessionId}`, { token: alice.accessToken, body: { status: 'ended' } });
    expect(ended.status).toBe(200);
    expect(sessionSchema.parse(ended.body)).toMatchObject({ status: 'ended', endedAt: expect.any(String) });
    expect((await call('GET', `/sessions/${created.sessionId}`)).body).toMatchObject({ status: 'ended' });
  });

  it('pages through the list with nextToken', async () => {
    const user = await env.createUser('pager@example.com');
    for (const title of ['a', 'b', 'c']) await call('POST', '/sessions', { token: user.accessToken, body: { title } });
    const page1 = sessionListSchema.parse((await call('GET', '/sessions?limit=2', { token: user.accessToken })).body);
    expect(page1.sessions.map((s) => s.title)).toEqual(['c', 'b']);
    expect(page1.nextToken).toBeDefined();
    const page2 = sessionListSchema.parse(
      (await call('GET', `/sessions?limit=2&nextToken=${page1.nextToken}`, { token: user.accessToken })).body,
    );
    expect(page2.sessions.map((s) => s.title)).toEqual(['a']);
    // Another host cannot replay someone else's cursor.
    expectError(await call('GET', `/sessions?nextToken=${page1.nextToken}`, { token: bob.accessToken }), 400, 'BadRequest', 'nextToken');
  });

  it('an ended session never becomes active again, and cannot be renamed', async () => {
    const session = sessionSchema.parse((await call('POST', '/sessions', { token: alice.accessToken, body: { title: 'Once' } })).body);
    await call('PATCH', `/sessions/${session.sessionId}`, { token: alice.accessToken, body: { status: 'ended' } });
    expectError(await call('PATCH', `/sessions/${session.sessionId}`, { token: alice.accessToken, body: { status: 'active' } }), 400, 'BadRequest', 'status');
    expectError(await call('PATCH', `/sessions/${session.sessionId}`, { token: alice.accessToken, body: { title: 'Twice' } }), 409, 'Conflict');
  });
});

describe('authorization', () => {
  it('user B cannot change or end user A’s session, and B’s list does not show it', async () => {
    const session = sessionSchema.parse((await call('POST', '/sessions', { token: alice.accessToken, body: { title: 'Mine' } })).body);
    expectError(await call('PATCH', `/sessions/${session.sessionId}`, { token: bob.accessToken, body: { status: 'ended' } }), 403, 'Forbidden');
    expectError(await call('PATCH', `/sessions/${session.sessionId}`, { token: bob.accessToken, body: { title: 'Yours' } }), 403, 'Forbidden');
    const stored = await call('GET', `/sessions/${session.sessionId}`);
    expect(stored.body).toMatchObject({ title: 'Mine', status: 'active' });
    const bobs = sessionListSchema.parse((await call('GET', '/sessions', { token: bob.accessToken })).body);
    expect(bobs.sessions.map((s) => s.sessionId)).not.toContain(session.sessionId);
  });

  it('an anonymous caller cannot create, list or update', async () => {
    expectError(await call('POST', '/sessions', { body: { title: 'x' } }), 401, 'Unauthorized');
    expectError(await call('GET', '/sessions'), 401, 'Unauthorized');
    expectError(await call('PATCH', '/sessions/00000000-0000-4000-8000-000000000000', { body: { status: 'ended' } }), 401, 'Unauthorized');
  });

  it('a forged or tampered token is refused', async () => {
    const [header, payload] = alice.accessToken.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: bob.userId })).toString('base64url');
    expectError(await call('POST', '/sessions', { token: `${header}.${forgedPayload}.${alice.accessToken.split('.')[2]}`, body: { title: 'x' } }), 401, 'Unauthorized');
    expectError(await call('POST', '/sessions', { token: 'not-a-jwt', body: { title: 'x' } }), 401, 'Unauthorized');
    // An ID token is not an access token.
    expectError(await call('POST', '/sessions', { token: alice.idToken, body: { title: 'x' } }), 401, 'Unauthorized');
  });
});

describe('bad input', () => {
  const cases: Array<[string, string | object, string]> = [
    ['malformed JSON', '{"title": ', 'not valid JSON'],
    ['an empty body', '', 'empty'],
    ['a missing title', {}, 'title'],
    ['a wrong-typed title', { title: 42 }, 'title'],
    ['an empty title', { title: '   ' }, 'title'],
    ['a too-long title', { title: 'x'.repeat(121) }, 'at most 120'],
    ['an unknown field', { title: 'ok', hostId: 'someone-else' }, 'hostId'],
    ['a JSON array', [1, 2], 'body'],
  ];
  it.each(cases)('create with %s answers 400 and stores nothing', async (_name, body, messagePart) => {
    const before = sessionListSchema.parse((await call('GET', '/sessions?limit=100', { token: bob.accessToken })).body).sessions.length;
    expectError(await call('POST', '/sessions', { token: bob.accessToken, body }), 400, 'BadRequest', messagePart);
    const after = sessionListSchema.parse((await call('GET', '/sessions?limit=100', { token: bob.accessToken })).body).sessions.length;
    expect(after).toBe(before);
  });

  it('an oversized body answers 413', async () => {
    expectError(await call('POST', '/sessions', { token: bob.accessToken, body: { title: 'x'.repeat(20_000) } }), 413, 'PayloadTooLarge');
  });

  it('unknown and malformed ids answer 404 and 400', async () => {
    expectError(await call('GET', '/sessions/00000000-0000-4000-8000-000000000000'), 404, 'NotFound');
    expectError(await call('GET', '/sessions/not-a-uuid'), 400, 'BadRequest', 'session id');
    expectError(await call('PATCH', '/sessions/00000000-0000-4000-8000-000000000000', { token: bob.accessToken, body: { status: 'ended' } }), 404, 'NotFound');
  });

  it('an update with nothing to change, or bad query parameters, answers 400', async () => {
    const session = sessionSchema.parse((await call('POST', '/sessions', { token: bob.accessToken, body: { title: 'Q' } })).body);
    expectError(await call('PATCH', `/sessions/${session.sessionId}`, { token: bob.accessToken, body: {} }), 400, 'BadRequest', 'title or a status');
    expectError(await call('GET', '/sessions?limit=0', { token: bob.accessToken }), 400, 'BadRequest', 'limit');
    expectError(await call('GET', '/sessions?limit=abc', { token: bob.accessToken }), 400, 'BadRequest', 'limit');
    expectError(await call('GET', '/sessions?nextToken=garbage', { token: bob.accessToken }), 400, 'BadRequest', 'nextToken');
    expectError(await call('GET', '/sessions?color=blue', { token: bob.accessToken }), 400, 'BadRequest', 'color');
  });
});
