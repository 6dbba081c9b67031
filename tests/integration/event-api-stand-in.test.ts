import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventApiAuthorizerEvent } from '../../amplify/functions/events-authorizer/handler.js';
import { signedPoster } from '../../amplify/functions/shared/signed-post.js';
import { startEventApi } from '../../local/event-api.js';
import { EventApiSubscriber } from '../support/event-api-client.js';

/**
 * The Event API stand-in's protocol, message by message, against what AWS documents and
 * Amplify's client expects (tests/integration/event-api-amplify.test.ts runs Amplify itself).
 * A fake authorizer admits the token "good" to every channel but /room/closed; IAM is checked with
 * the key "AKIDLOCAL".
 */
let api: Awaited<ReturnType<typeof startEventApi>>;
const authorized: EventApiAuthorizerEvent[] = [];
const SECRET = 'local-secret';

beforeAll(async () => {
  api = await startEventApi({
    host: '127.0.0.1',
    port: 0,
    region: 'local',
    connectionAuthModes: ['AWS_LAMBDA'],
    namespaces: { room: { publish: ['AWS_IAM'], subscribe: ['AWS_LAMBDA'] }, open: { publish: ['AWS_LAMBDA', 'AWS_IAM'], subscribe: ['AWS_LAMBDA'] } },
    authorizer: async (event) => {
      authorized.push(event);
      const channelOk = event.requestContext.channel !== '/room/closed';
      return { isAuthorized: event.authorizationToken === 'good' && channelOk };
    },
    iamSecrets: { AKIDLOCAL: SECRET },
    log: () => undefined,
    keepAliveMs: 50,
    connectionTimeoutMs: 1234,
  });
});
afterAll(async () => api?.close());

const publisher = (secret = SECRET, now?: () => number) =>
  signedPoster(api.httpUrl, { service: 'appsync', region: 'local', credentials: async () => ({ accessKeyId: 'AKIDLOCAL', secretAccessKey: secret }), now });

async function publish(body: unknown, secret = SECRET, now?: () => number) {
  const poster = publisher(secret, now);
  try {
    const response = await poster.post('', typeof body === 'string' ? body : JSON.stringify(body));
    return { status: response.status, body: JSON.parse(response.body.toString() || 'null') as Record<string, unknown> };
  } finally {
    poster.close();
  }
}

function rawSocket(protocols: string[]): Promise<{ socket: WebSocket; messages: Array<Record<string, unknown>> } | { refused: number }> {
  const socket = new WebSocket(`${api.clientUrl}/realtime`, protocols);
  const messages: Array<Record<string, unknown>> = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
  return new Promise((resolve) => {
    socket.once('open', () => resolve({ socket, messages }));
    socket.once('unexpected-response', (_request, response) => resolve({ refused: response.statusCode ?? 0 }));
  });
}

const header = (headers: Record<string, string>) => `header-${Buffer.from(JSON.stringify(headers)).toString('base64url')}`;

async function until(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the real-time endpoint', () => {
  it('needs the aws-appsync-event-ws subprotocol and a header- subprotocol, and answers with the former', async () => {
    expect(await rawSocket(['graphql-ws'])).toEqual({ refused: 400 });
    expect(await rawSocket(['aws-appsync-event-ws'])).toEqual({ refused: 400 });
    const opened = await rawSocket(['aws-appsync-event-ws', header({ Authorization: 'good', host: 'x' })]);
    expect('socket' in opened && opened.socket.protocol).toBe('aws-appsync-event-ws');
    if ('socket' in opened) opened.socket.close();
  });

  it('acknowledges connection_init with the keep-alive timeout, then sends ka regularly', async () => {
    const opened = await rawSocket(['aws-appsync-event-ws', header({ Authorization: 'good', host: 'x' })]);
    if (!('socket' in opened)) throw new Error('refused');
    opened.socket.send(JSON.stringify({ type: 'connection_init' }));
    await until(() => opened.messages.filter((m) => m.type === 'ka').length >= 2);
    expect(opened.messages[0]).toEqual({ type: 'connection_ack', connectionTimeoutMs: 1234 });
    expect(authorized.at(-1)).toMatchObject({ authorizationToken: 'good', requestContext: { operation: 'EVENT_CONNECT' } });
    opened.socket.close();
  });

  it('answers a refused connection with connection_error and closes', async () => {
    await expect(EventApiSubscriber.connect(api.clientUrl, 'bad')).rejects.toMatchObject({ errors: [{ errorType: 'UnauthorizedException' }] });
  });

  it('subscribes, delivers data messages with the event as a JSON string, and unsubscribes', async () => {
    const client = await EventApiSubscriber.connect(api.clientUrl, 'good');
    const exact: unknown[] = [];
    const wildcard: unknown[] = [];
    await client.subscribe('/room/open', (e) => exact.push(e));
    await client.subscribe('/room/*', (e) => wildcard.push(e));
    expect(authorized.at(-1)).toMatchObject({ requestContext: { operation: 'EVENT_SUBSCRIBE', channelNamespaceName: 'room', channel: '/room/*' } });
    expect(api.subscriptionCount()).toBe(2);

    expect(await publish({ channel: '/room/open', events: [JSON.stringify({ n: 1 }), JSON.stringify('two')] })).toMatchObject({
      status: 200,
      body: { failed: [], successful: [{ index: 0 }, { index: 1 }] },
    });
    await until(() => exact.length === 2 && wildcard.length === 2);
    expect(exact).toEqual([{ n: 1 }, 'two']);
    const data = client.received.filter((m) => m.type === 'data');
    expect(Object.keys(data[0]!).sort()).toEqual(['event', 'id', 'type']);
    expect(typeof data[0]!.event).toBe('string');

    const id = client.received.find((m) => m.type === 'subscribe_success')!.id as string;
    await client.unsubscribe(id);
    expect(client.received.at(-1)).toEqual({ type: 'unsubscribe_success', id });
    await publish({ channel: '/room/open', events: ['3'] });
    await until(() => wildcard.length === 3);
    expect(exact).toHaveLength(2);
    await client.close();
    await until(() => api.subscriptionCount() === 0);
  });

  it('refuses what AWS refuses: a channel the authorizer refuses, a bad channel, a reused id, publishing without the right', async () => {
    const client = await EventApiSubscriber.connect(api.clientUrl, 'good');
    await expect(client.subscribe('/room/closed', () => undefined)).rejects.toMatchObject({ errors: [{ errorType: 'UnauthorizedException' }] });
    await expect(client.subscribe('/room/no spaces', () => undefined)).rejects.toMatchObject({ errors: [{ errorType: 'BadRequestException' }] });
    await expect(client.subscribe('/nowhere/x', () => undefined)).rejects.toMatchObject({ errors: [{ errorType: 'BadRequestException' }] });
    await expect(client.subscribe('/a/b/c/d/e/f', () => undefined)).rejects.toMatchObject({ errors: [{ errorType: 'BadRequestException' }] });
    // Publishing on /room needs IAM; this connection has only the Lambda token.
    await expect(client.publish('/room/open', [{ forged: true }])).rejects.toMatchObject({ errors: [{ errorType: 'UnauthorizedException' }] });
    // Where the namespace allows Lambda publishing, the authorizer is asked with EVENT_PUBLISH.
    await client.publish('/open/x', [{ ok: true }]);
    expect(authorized.at(-1)).toMatchObject({ requestContext: { operation: 'EVENT_PUBLISH', channel: '/open/x' } });
    client.socket.send(JSON.stringify({ type: 'subscribe', id: 'dup', channel: '/room/open', authorization: { Authorization: 'good' } }));
    client.socket.send(JSON.stringify({ type: 'subscribe', id: 'dup', channel: '/room/open', authorization: { Authorization: 'good' } }));
    client.socket.send(JSON.stringify({ type: 'what' }));
    client.socket.send('not json');
    await until(() => client.received.some((m) => m.type === 'subscribe_error' && m.id === 'dup'));
    await until(() => client.received.filter((m) => m.type === 'error').length === 2);
    expect(client.received.find((m) => m.type === 'subscribe_error' && m.id === 'dup')).toMatchObject({ errors: [{ errorType: 'DuplicatedOperationError' }] });
    await client.close();
  });
});

describe('the HTTP publish endpoint', () => {
  it('takes a request signed with SigV4 by a known key, and refuses a wrong secret, an old date or a changed body', async () => {
    const good = { channel: '/room/open', events: ['{}'] };
    expect((await publish(good)).status).toBe(200);
    expect(await publish(good, 'wrong')).toMatchObject({ status: 401, body: { errors: [{ errorType: 'UnauthorizedException' }] } });
    expect((await publish(good, SECRET, () => Date.now() - 6 * 60_000)).status).toBe(401);

    const poster = publisher();
    const signedFor = JSON.stringify(good);
    // Sign one body, send another: the hash no longer matches.
    const response = await fetch(api.httpUrl, {
      method: 'POST',
      headers: await (async () => {
        const { RequestSigner, payloadHash } = await import('../../amplify/functions/shared/sigv4.js');
        const signer = new RequestSigner({ region: 'local', service: 'appsync', credentials: async () => ({ accessKeyId: 'AKIDLOCAL', secretAccessKey: SECRET }) });
        const host = new URL(api.httpUrl).host;
        return { host, 'content-type': 'application/json', ...(await signer.sign({ method: 'POST', host, path: '/event', contentType: 'application/json', payloadHash: payloadHash(signedFor) })) };
      })(),
      body: JSON.stringify({ ...good, events: ['{"changed":true}'] }),
    });
    expect(response.status).toBe(401);
    poster.close();
  });

  it('refuses unsigned and Lambda-token publishing to an IAM-only namespace', async () => {
    for (const authorization of [undefined, 'good']) {
      const response = await fetch(api.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ channel: '/room/open', events: ['{}'] }),
      });
      expect(response.status).toBe(401);
    }
  });

  it('enforces the limits: 1–5 events of valid JSON up to 240 KB, a channel without wildcards, POST only', async () => {
    const bad = async (body: unknown) => (await publish(body)).body as { errors: Array<{ errorType: string }> };
    for (const body of [
      { channel: '/room/open', events: [] },
      { channel: '/room/open', events: Array.from({ length: 6 }, () => '{}') },
      { channel: '/room/open', events: ['not json'] },
      { channel: '/room/open', events: [{}] },
      { channel: '/room/open', events: [JSON.stringify('x'.repeat(240 * 1024))] },
      { channel: '/room/*', events: ['{}'] },
      { events: ['{}'] },
      'not json',
    ]) {
      expect((await bad(body)).errors[0]!.errorType, JSON.stringify(body).slice(0, 80)).toBe('BadRequestException');
    }
    expect((await publish({ channel: '/room/open', events: [JSON.stringify('x'.repeat(200 * 1024))] })).status).toBe(200);
    expect((await fetch(api.httpUrl)).status).toBe(405);
  });
});
