import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventApiAuthorizerEvent, EventApiAuthorizerResult, EventApiOperation } from '../amplify/functions/events-authorizer/handler.js';
import { closeServer, listen } from './listen.js';
import { verifySigV4 } from './sigv4-verifier.js';

/**
 * Stand-in for an AWS AppSync Events API: the HTTP publish endpoint (`POST /event`) and the
 * real-time WebSocket endpoint (`/event/realtime`, subprotocol `aws-appsync-event-ws`) with
 * `connection_init`/`connection_ack`, keep-alives (`ka`), `subscribe`/`unsubscribe`, publishing
 * over the socket and `data` messages, authorized per channel namespace by IAM (SigV4, checked)
 * or a Lambda authorizer (the project's own handler, called in process). What it leaves out is
 * listed in docs/protocol.md ("The Event API stand-in").
 */
export type EventApiAuthMode = 'AWS_IAM' | 'AWS_LAMBDA';

export interface EventApiOptions {
  host: string;
  port: number;
  region: string;
  /** Modes allowed to open a WebSocket. */
  connectionAuthModes: EventApiAuthMode[];
  namespaces: Record<string, { publish: EventApiAuthMode[]; subscribe: EventApiAuthMode[] }>;
  /** The Lambda authorizer, when AWS_LAMBDA is used anywhere. */
  authorizer?: (event: EventApiAuthorizerEvent) => Promise<EventApiAuthorizerResult>;
  /** Secret access key per access key id, for checking IAM signatures. */
  iamSecrets: Record<string, string>;
  log: (line: string) => void;
  /** AppSync sends `ka` every minute and tells clients to give up after 5 minutes without one. */
  keepAliveMs?: number;
  connectionTimeoutMs?: number;
}

/** AppSync Events limits: 5 events per publish, 240 KB per event, 5 channel segments of 1–50 characters. */
export const EVENT_API_LIMITS = { eventsPerPublish: 5, eventBytes: 240 * 1024, segments: 5, segmentLength: 50 } as const;

const UNAUTHORIZED = { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' };
const badRequest = (message: string) => ({ errorType: 'BadRequestException', message });

type AppSyncError = { errorType: string; message: string };

interface Subscription {
  id: string;
  socket: WebSocket;
  channel: string;
  /** For a wildcard subscription (`/ns/a/*`), the prefix it matches (`/ns/a/`). */
  prefix?: string;
}

interface LiveSocket {
  initialized: boolean;
  /** The connection's own authorization headers (from the subprotocol). */
  headers: Record<string, string>;
  subscriptions: Map<string, Subscription>;
  /** Ids of subscriptions still being authorized: a second one with the same id is a duplicate already. */
  subscribing: Set<string>;
  keepAlive?: NodeJS.Timeout;
}

export async function startEventApi(options: EventApiOptions) {
  const keepAliveMs = options.keepAliveMs ?? 60_000;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 300_000;
  let domain = `${options.host}:${options.port}`;
  const exact = new Map<string, Set<Subscription>>();
  const wildcards = new Set<Subscription>();
  const sockets = new Map<WebSocket, LiveSocket>();
  /** Set by tests to reproduce an Event API that fails publishes (throttling, an outage). */
  let publishFailure: { status: number; errorType: string } | undefined;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: EVENT_API_LIMITS.eventsPerPublish * EVENT_API_LIMITS.eventBytes * 2,
    handleProtocols: (protocols) => (protocols.has('aws-appsync-event-ws') ? 'aws-appsync-event-ws' : false),
  });

  const server = createServer((request, response) => {
    httpRequest(request, response).catch((error) => {
      options.log(`Event API publish failed: ${String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { errors: [{ errorType: 'InternalFailure', message: 'Internal server error' }] });
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://events').pathname;
    const protocols = String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const header = protocols.find((p) => p.startsWith('header-'));
    if (path !== '/event/realtime' || !protocols.includes('aws-appsync-event-ws') || !header) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    let headers: Record<string, string>;
    try {
      headers = lowerCaseKeys(JSON.parse(Buffer.from(header.slice('header-'.length), 'base64url').toString('utf8')) as Record<string, unknown>);
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => open(ws, headers));
  });

  // ---------------------------------------------------------------- HTTP publish

  async function httpRequest(request: IncomingMessage, response: ServerResponse) {
    const path = new URL(request.url ?? '/', 'http://events').pathname;
    if (path !== '/event') return sendJson(response, 404, { errors: [{ errorType: 'NotFoundException', message: 'Not found' }] });
    if (request.method !== 'POST') return sendJson(response, 405, { errors: [badRequest('Publishing (POST) is the only action on this endpoint.')] });
    const body = await readBody(request);
    let parsed: { channel?: unknown; events?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return sendJson(response, 400, { errors: [badRequest('The request body is not JSON.')] });
    }
    const headers = lowerCaseKeys(request.headers as Record<string, unknown>);
    const checked = checkPublish(parsed.channel, parsed.events);
    if ('error' in checked) return sendJson(response, 400, { errors: [checked.error] });
    const refused = await authorize('EVENT_PUBLISH', checked.channel, headers, { method: 'POST', path, body });
    if (refused) return sendJson(response, 401, { errors: [refused] });
    if (publishFailure) return sendJson(response, publishFailure.status, { errors: [{ errorType: publishFailure.errorType, message: 'Simulated failure' }] });
    const published = checked.events.map((_, index) => ({ identifier: randomUUID(), index }));
    sendJson(response, 200, { failed: [], successful: published });
    deliver(checked.channel, checked.events);
  }

  // ---------------------------------------------------------------- WebSocket

  function open(ws: WebSocket, headers: Record<string, string>) {
    const live: LiveSocket = { initialized: false, headers, subscriptions: new Map(), subscribing: new Set() };
    sockets.set(ws, live);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return send(ws, { type: 'error', errors: [badRequest('Messages must be text.')] });
      void onMessage(ws, live, data.toString()).catch((error) => {
        options.log(`Event API message failed: ${String(error)}`);
        send(ws, { type: 'error', errors: [{ errorType: 'InternalFailure', message: 'Internal server error' }] });
      });
    });
    ws.on('close', () => {
      clearInterval(live.keepAlive);
      for (const subscription of live.subscriptions.values()) forget(subscription);
      sockets.delete(ws);
    });
    ws.on('error', () => undefined);
  }

  async function onMessage(ws: WebSocket, live: LiveSocket, text: string) {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
      if (typeof message !== 'object' || message === null) throw new Error('not an object');
    } catch {
      return send(ws, { type: 'error', errors: [badRequest('The message is not a JSON object.')] });
    }
    const id = typeof message.id === 'string' ? message.id : undefined;
    switch (message.type) {
      case 'connection_init': {
        if (live.initialized) return;
        const refused = await authorize('EVENT_CONNECT', undefined, live.headers, { method: 'POST', path: '/event', body: '{}' });
        if (refused) {
          send(ws, { type: 'connection_error', errors: [refused] });
          return ws.close(1000, 'Unauthorized');
        }
        live.initialized = true;
        send(ws, { type: 'connection_ack', connectionTimeoutMs });
        live.keepAlive = setInterval(() => send(ws, { type: 'ka' }), keepAliveMs);
        return;
      }
      case 'subscribe': {
        const fail = (error: AppSyncError) => send(ws, { type: 'subscribe_error', ...(id ? { id } : {}), errors: [error] });
        if (!live.initialized) return fail(badRequest('Send connection_init first.'));
        if (!id || id.length > 128) return fail(badRequest('A subscription needs an id of 1–128 characters.'));
        if (live.subscriptions.has(id) || live.subscribing.has(id)) return fail({ errorType: 'DuplicatedOperationError', message: `Subscription ${id} already exists.` });
        const channel = normalizeChannel(message.channel, { wildcard: true });
        if ('error' in channel) return fail(channel.error);
        const authorization = lowerCaseKeys((message.authorization ?? {}) as Record<string, unknown>);
        live.subscribing.add(id);
        const refused = await authorize('EVENT_SUBSCRIBE', channel.path, authorization, {
          method: 'POST',
          path: '/event',
          body: JSON.stringify({ channel: message.channel }),
        }).finally(() => live.subscribing.delete(id));
        if (refused) return fail(refused);
        if (ws.readyState !== ws.OPEN) return;
        const subscription: Subscription = { id, socket: ws, channel: channel.path, ...(channel.path.endsWith('/*') ? { prefix: channel.path.slice(0, -1) } : {}) };
        live.subscriptions.set(id, subscription);
        if (subscription.prefix) wildcards.add(subscription);
        else (exact.get(subscription.channel) ?? exact.set(subscription.channel, new Set()).get(subscription.channel)!).add(subscription);
        return send(ws, { type: 'subscribe_success', id });
      }
      case 'unsubscribe': {
        const subscription = id ? live.subscriptions.get(id) : undefined;
        if (!subscription) return send(ws, { type: 'unsubscribe_error', ...(id ? { id } : {}), errors: [badRequest(`No subscription ${id}.`)] });
        forget(subscription);
        live.subscriptions.delete(subscription.id);
        return send(ws, { type: 'unsubscribe_success', id });
      }
      case 'publish': {
        const fail = (error: AppSyncError) => send(ws, { type: 'publish_error', ...(id ? { id } : {}), errors: [error] });
        if (!live.initialized) return fail(badRequest('Send connection_init first.'));
        if (!id) return fail(badRequest('A publish needs an id.'));
        const checked = checkPublish(message.channel, message.events);
        if ('error' in checked) return fail(checked.error);
        const authorization = lowerCaseKeys((message.authorization ?? {}) as Record<string, unknown>);
        const refused = await authorize('EVENT_PUBLISH', checked.channel, authorization, {
          method: 'POST',
          path: '/event',
          body: JSON.stringify({ channel: message.channel, events: message.events }),
        });
        if (refused) return fail(refused);
        send(ws, { type: 'publish_success', id, successful: checked.events.map((_, index) => ({ identifier: randomUUID(), index })), failed: [] });
        return deliver(checked.channel, checked.events);
      }
      default:
        return send(ws, { type: 'error', ...(id ? { id } : {}), errors: [{ errorType: 'UnsupportedOperation', message: `Unknown message type ${JSON.stringify(message.type)}.` }] });
    }
  }

  function forget(subscription: Subscription) {
    if (subscription.prefix) wildcards.delete(subscription);
    else {
      const set = exact.get(subscription.channel);
      set?.delete(subscription);
      if (set?.size === 0) exact.delete(subscription.channel);
    }
  }

  /** One `data` message per event per matching subscription; the event's JSON literal is built once. */
  function deliver(channel: string, events: string[]) {
    const targets = [...(exact.get(channel) ?? []), ...[...wildcards].filter((s) => channel.startsWith(s.prefix!))];
    for (const event of events) {
      const literal = JSON.stringify(event);
      for (const subscription of targets) {
        if (subscription.socket.readyState === subscription.socket.OPEN) {
          subscription.socket.send(`{"type":"data","id":${JSON.stringify(subscription.id)},"event":${literal}}`);
        }
      }
    }
  }

  // ---------------------------------------------------------------- authorization

  async function authorize(
    operation: EventApiOperation,
    channel: string | undefined,
    headers: Record<string, string>,
    signed: { method: string; path: string; body: string },
  ): Promise<AppSyncError | undefined> {
    const namespace = channel?.split('/')[1];
    const modes = operation === 'EVENT_CONNECT' ? options.connectionAuthModes : options.namespaces[namespace ?? '']?.[operation === 'EVENT_PUBLISH' ? 'publish' : 'subscribe'];
    if (!modes) return badRequest(`There is no channel namespace ${namespace}.`);
    const authorization = headers.authorization;
    if (!authorization) return UNAUTHORIZED;
    if (authorization.startsWith('AWS4-HMAC-SHA256 ')) {
      if (!modes.includes('AWS_IAM')) return UNAUTHORIZED;
      const verified = await verifySigV4(
        { ...signed, headers: { ...headers, host: headers.host ?? domain } },
        { region: options.region, service: 'appsync', secretFor: (id) => options.iamSecrets[id] },
      );
      if (!verified.ok) options.log(`Event API: IAM signature refused: ${verified.reason}`);
      return verified.ok ? undefined : UNAUTHORIZED;
    }
    if (!modes.includes('AWS_LAMBDA') || !options.authorizer) return UNAUTHORIZED;
    const result = await options.authorizer({
      authorizationToken: authorization,
      requestContext: {
        apiId: 'local',
        accountId: '000000000000',
        requestId: randomUUID(),
        operation,
        ...(channel ? { channelNamespaceName: namespace!, channel } : {}),
      },
      requestHeaders: headers,
    });
    return result.isAuthorized ? undefined : UNAUTHORIZED;
  }

  const port = await listen(server, options.port, options.host, 'Event API', 'STREAMCANVAS_EVENT_API_PORT');
  domain = `${options.host}:${port}`;

  return {
    /** What a backend publishes to (`POST`), the `https://<http domain>/event` of AWS. */
    httpUrl: `http://${domain}/event`,
    /** What Amplify's `events` client is configured with locally: it derives `…/event/realtime` from it and keeps `ws:`. */
    clientUrl: `ws://${domain}/event`,
    subscriptionCount: () => [...sockets.values()].reduce((total, live) => total + live.subscriptions.size, 0),
    /** Until called again without one, every HTTP publish fails so, as during an AppSync outage or throttling. */
    failPublishes(failure?: { status: number; errorType: string }) {
      publishFailure = failure;
    },
    async close() {
      for (const ws of sockets.keys()) ws.terminate();
      await closeServer(server);
    },
  };
}

/** `/ns/a/b` from `ns/a/b` or `/ns/a/b`; at most 5 segments of 1–50 letters, digits or dashes; `*` only last, and only when subscribing. */
export function normalizeChannel(value: unknown, { wildcard }: { wildcard: boolean }): { path: string } | { error: AppSyncError } {
  if (typeof value !== 'string' || value.length === 0) return { error: badRequest('A channel is required.') };
  const path = value.startsWith('/') ? value : `/${value}`;
  const segments = path.slice(1).split('/');
  if (segments.length < 2 || segments.length > EVENT_API_LIMITS.segments) {
    return { error: badRequest(`A channel is a namespace and 1–${EVENT_API_LIMITS.segments - 1} more segments: ${value}`) };
  }
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '*' && last && wildcard && index > 0) continue;
    if (!/^[A-Za-z0-9-]+$/.test(segment) || segment.length > EVENT_API_LIMITS.segmentLength) {
      return { error: badRequest(`Invalid channel segment ${JSON.stringify(segment)} in ${value}.`) };
    }
  }
  return { path };
}

function checkPublish(channel: unknown, events: unknown): { channel: string; events: string[] } | { error: AppSyncError } {
  const normalized = normalizeChannel(channel, { wildcard: false });
  if ('error' in normalized) return normalized;
  if (!Array.isArray(events) || events.length === 0 || events.length > EVENT_API_LIMITS.eventsPerPublish) {
    return { error: badRequest(`A publish carries 1–${EVENT_API_LIMITS.eventsPerPublish} events.`) };
  }
  for (const event of events) {
    if (typeof event !== 'string') return { error: badRequest('Each event must be a string of JSON.') };
    if (Buffer.byteLength(event) > EVENT_API_LIMITS.eventBytes) return { error: badRequest(`An event is larger than ${EVENT_API_LIMITS.eventBytes / 1024} KB.`) };
    try {
      JSON.parse(event);
    } catch {
      return { error: badRequest('Each event must be a string of valid JSON.') };
    }
  }
  return { channel: normalized.path, events: events as string[] };
}

function lowerCaseKeys(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string') out[key.toLowerCase()] = value;
    else if (Array.isArray(value)) out[key.toLowerCase()] = value.join(',');
  }
  return out;
}

function send(ws: WebSocket, message: unknown) {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > EVENT_API_LIMITS.eventsPerPublish * EVENT_API_LIMITS.eventBytes * 2) request.destroy(new Error('The request body is too large.'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
