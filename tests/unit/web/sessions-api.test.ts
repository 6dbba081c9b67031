import { describe, expect, it } from 'vitest';
import { ApiError, createSessionsApi } from '../../../src/api/sessions-api';
import { fakeFetch, jsonResponse, makeSession } from './helpers';

const BASE = 'https://api.example.test/';

describe('sessions API client', () => {
  it('creates a session with the bearer token and validates the 201 response', async () => {
    const session = makeSession({ title: 'Demo day' });
    const { fetch, requests } = fakeFetch(() => jsonResponse(201, session));
    const api = createSessionsApi({ baseUrl: BASE, fetch, getAccessToken: async () => 'token-123' });

    await expect(api.createSession({ title: 'Demo day' })).resolves.toEqual(session);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      url: 'https://api.example.test/sessions',
      method: 'POST',
      body: { title: 'Demo day' },
      headers: { authorization: 'Bearer token-123', 'content-type': 'application/json' },
    });
  });

  it('lists with limit and nextToken in the query string', async () => {
    const sessions = [makeSession(), makeSession()];
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, { sessions, nextToken: 'abc' }));
    const api = createSessionsApi({ baseUrl: BASE, fetch, getAccessToken: async () => 't' });

    const page = await api.listSessions({ limit: 20, nextToken: 'a+b/c=' });
    expect(page).toEqual({ sessions, nextToken: 'abc' });
    const url = new URL(requests[0]!.url);
    expect(url.pathname).toBe('/sessions');
    expect(url.searchParams.get('limit')).toBe('20');
    expect(url.searchParams.get('nextToken')).toBe('a+b/c=');
  });

  it('reads a public session without a token', async () => {
    const { hostId: _hidden, ...publicSession } = makeSession();
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, publicSession));
    const api = createSessionsApi({ baseUrl: BASE, fetch });

    await expect(api.getSession(publicSession.sessionId)).resolves.toEqual(publicSession);
    expect(requests[0]!.headers.authorization).toBeUndefined();
    expect(requests[0]!.url).toBe(`https://api.example.test/sessions/${publicSession.sessionId}`);
  });

  it('ends a session with PATCH {status: ended}', async () => {
    const ended = makeSession({ status: 'ended', endedAt: new Date().toISOString() });
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, ended));
    const api = createSessionsApi({ baseUrl: BASE, fetch, getAccessToken: async () => 't' });

    await expect(api.endSession(ended.sessionId)).resolves.toEqual(ended);
    expect(requests[0]).toMatchObject({ method: 'PATCH', body: { status: 'ended' } });
  });

  it("turns the API's error body into an ApiError with code, message and resolution", async () => {
    const { fetch } = fakeFetch(() =>
      jsonResponse(403, {
        error: { code: 'Forbidden', message: 'Only the host of this session may change it.', resolution: 'Sign in as the host.' },
      }),
    );
    const api = createSessionsApi({ baseUrl: BASE, fetch, getAccessToken: async () => 't' });

    const error = await api.endSession(crypto.randomUUID()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'Forbidden',
      status: 403,
      message: 'Only the host of this session may change it.',
      resolution: 'Sign in as the host.',
    });
  });

  it('explains a gateway answer without our error body (e.g. the JWT authorizer 401)', async () => {
    const { fetch } = fakeFetch(() => jsonResponse(401, { message: 'Unauthorized' }));
    const api = createSessionsApi({ baseUrl: BASE, fetch, getAccessToken: async () => 'expired' });

    await expect(api.listSessions()).rejects.toMatchObject({
      code: 'Unauthorized',
      status: 401,
      resolution: 'Sign in again, then retry.',
    });
  });

  it('maps a 502 with an HTML body to Unavailable', async () => {
    const { fetch } = fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const api = createSessionsApi({ baseUrl: BASE, fetch });
    await expect(api.getSession(crypto.randomUUID())).rejects.toMatchObject({
      code: 'Unavailable',
      message: 'The StreamCanvas API is unavailable (HTTP 502 Bad Gateway).',
    });
  });

  it('reports a network failure as "Cannot reach the StreamCanvas API"', async () => {
    const fetch = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof globalThis.fetch;
    const api = createSessionsApi({ baseUrl: BASE, fetch });

    const error = await api.getSession(crypto.randomUUID()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'NetworkError', message: 'Cannot reach the StreamCanvas API at https://api.example.test.' });
    expect((error as ApiError).resolution).toMatch(/npm start/);
  });

  it('times out a request that never answers', async () => {
    const fetch = ((_input: RequestInfo | URL, init: RequestInit = {}) =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof globalThis.fetch;
    const api = createSessionsApi({ baseUrl: BASE, fetch, timeoutMs: 20 });
    await expect(api.getSession(crypto.randomUUID())).rejects.toMatchObject({
      code: 'NetworkError',
      message: expect.stringMatching(/did not answer/),
    });
  });

  it('passes a caller abort through unchanged (not shown as an error)', async () => {
    const fetch = ((_input: RequestInfo | URL, init: RequestInit = {}) =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof globalThis.fetch;
    const api = createSessionsApi({ baseUrl: BASE, fetch });
    const controller = new AbortController();
    const pending = api.getSession(crypto.randomUUID(), { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects a 200 response that does not match the schema', async () => {
    const { fetch } = fakeFetch(() => jsonResponse(200, { sessions: [{ sessionId: 'not-a-uuid' }] }));
    const api = createSessionsApi({ baseUrl: BASE, fetch, getAccessToken: async () => 't' });

    const error = await api.listSessions().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'InvalidResponse', status: 200 });
    expect((error as ApiError).message).toMatch(/unexpected response to GET \/sessions: sessions\.0\./);
  });

  it('rejects a 200 response that is not JSON', async () => {
    const { fetch } = fakeFetch(() => new Response('<!doctype html>', { status: 200 }));
    const api = createSessionsApi({ baseUrl: BASE, fetch });
    await expect(api.getSession(crypto.randomUUID())).rejects.toMatchObject({
      code: 'InvalidResponse',
      message: expect.stringMatching(/not JSON/),
    });
  });

  it('does not call the API for a signed-in route without a token', async () => {
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
    const api = createSessionsApi({ baseUrl: BASE, fetch, getAccessToken: async () => undefined });
    await expect(api.createSession({ title: 'x' })).rejects.toMatchObject({ code: 'Unauthorized', message: 'You are not signed in.' });
    expect(requests).toHaveLength(0);
  });

  it('turns a failing token refresh into Unauthorized', async () => {
    const { fetch } = fakeFetch(() => jsonResponse(200, {}));
    const api = createSessionsApi({
      baseUrl: BASE,
      fetch,
      getAccessToken: async () => {
        throw new Error('NotAuthorizedException: Refresh Token has expired');
      },
    });
    await expect(api.listSessions()).rejects.toMatchObject({ code: 'Unauthorized', resolution: 'Sign in again, then retry.' });
  });

  it('keeps a base path and encodes the session id', async () => {
    const { fetch, requests } = fakeFetch(() => jsonResponse(404, { error: { code: 'NotFound', message: 'Session x does not exist.' } }));
    const api = createSessionsApi({ baseUrl: 'https://api.example.test/prod/', fetch });
    await expect(api.getSession('a/b')).rejects.toMatchObject({ code: 'NotFound', status: 404 });
    expect(requests[0]!.url).toBe('https://api.example.test/prod/sessions/a%2Fb');
  });
});
