import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { WebSocketEvent, WebSocketResult } from '../amplify/functions/realtime/websocket-event.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeServer, listen } from './listen.js';

/**
 * Stand-in for an API Gateway WebSocket API: a REQUEST authorizer on $connect, route
 * selection on `$request.body.action`, one Lambda-shaped handler for every route, and
 * the `@connections` management API the handlers post through.
 */
export interface WebSocketGatewayOptions {
  host: string;
  port: number;
  stage: string;
  /** Route keys besides $connect/$disconnect/$default; a message whose action is not one goes to $default. */
  routeKeys: readonly string[];
  authorizer: (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
  handler: (event: WebSocketEvent) => Promise<WebSocketResult>;
  log: (line: string) => void;
  /** API Gateway closes idle sockets after 10 minutes and every socket after 2 hours. */
  idleTimeoutMs?: number;
  maxConnectionMs?: number;
}

/** API Gateway's WebSocket message limit: larger messages close the socket with 1009. */
export const MAX_MESSAGE_BYTES = 128 * 1024;
/**
 * API Gateway's WebSocket frame limit: a client frame over 32 KB closes the socket with 1009,
 * even inside the message limit. A larger message must come in several frames (fragments).
 */
export const MAX_FRAME_BYTES = 32 * 1024;
/**
 * Handler invocations one connection may have running at once; its further messages wait in
 * order. Keeps one flooding socket from taking the whole stack's capacity from the others.
 */
export const MAX_INVOCATIONS_PER_CONNECTION = 4;

interface LiveConnection {
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  authorizer: Record<string, unknown>;
  timers: NodeJS.Timeout[];
  /** Handler invocations running for this connection, and the messages waiting for a free one. */
  invoking: number;
  waiting: Array<{ data: Buffer; isBinary: boolean }>;
  /** Set once a frame over MAX_FRAME_BYTES was seen: nothing more from this socket is handled. */
  oversized: boolean;
}

export async function startWebSocketGateway(options: WebSocketGatewayOptions) {
  const { stage } = options;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60_000;
  const maxConnectionMs = options.maxConnectionMs ?? 2 * 60 * 60_000;
  const connections = new Map<string, LiveConnection>();
  // Handler invocations still running; close() waits for them, as a draining gateway would.
  const running = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    running.add(promise);
    void promise.finally(() => running.delete(promise)).catch(() => undefined);
    return promise;
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const managementPath = new RegExp(`^/${stage}/@connections/([^/]+)$`);
  let domainName = `${options.host}:${options.port}`;

  const server = createServer((request, response) => {
    const match = managementPath.exec(new URL(request.url ?? '/', 'http://gateway').pathname);
    if (!match?.[1]) return sendJson(response, 404, { message: 'Not Found' });
    manage(request, response, decodeURIComponent(match[1])).catch((error) => {
      options.log(`management API error: ${String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal server error' });
    });
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    connect(request, socket, head).catch((error) => {
      options.log(`$connect failed: ${String(error)}`);
      rejectUpgrade(socket, 500, 'Internal server error');
    });
  });

  async function connect(request: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (url.pathname !== `/${stage}` && url.pathname !== `/${stage}/`) return rejectUpgrade(socket, 404, 'Not Found');
    const connectionId = randomBytes(12).toString('base64');
    const query = Object.fromEntries(url.searchParams);
    const headers = flattenHeaders(request);
    const now = Date.now();
    const identity = { sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' };

    const decision = await options.authorizer({
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:local:000000000000:local/${stage}/$connect`,
      headers,
      queryStringParameters: query,
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId, stage, domainName, apiId: 'local' },
    } as unknown as APIGatewayRequestAuthorizerEvent);
    const allowed = decision.policyDocument.Statement.some((s) => 'Effect' in s && s.Effect === 'Allow');
    if (!allowed) {
      // API Gateway answers a bare 403; the reason is added here only to ease local debugging.
      return rejectUpgrade(socket, 403, 'Forbidden', decision.context?.reason);
    }
    const authorizer = { ...decision.context, principalId: decision.principalId };

    const result = await options.handler({
      requestContext: context('$connect', 'CONNECT', connectionId, now, identity, authorizer),
      isBase64Encoded: false,
      queryStringParameters: query,
      headers,
    });
    const status = result.statusCode;
    if (status >= 300) return rejectUpgrade(socket, status, status === 403 ? 'Forbidden' : 'Internal server error');

    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: LiveConnection = {
        socket: ws,
        connectedAt: now,
        lastActiveAt: now,
        ...identity,
        authorizer,
        timers: [],
        invoking: 0,
        waiting: [],
        oversized: false,
      };
      connections.set(connectionId, connection);
      // Runs before ws's own listener, so an oversized frame is flagged before ws delivers it.
      const watchFrames = frameSizeWatcher(MAX_FRAME_BYTES);
      const onData = (chunk: Buffer) => {
        if (connection.oversized || watchFrames(chunk) === undefined) return;
        connection.oversized = true;
        connection.waiting = [];
        ws.close(1009, `Frame over ${MAX_FRAME_BYTES / 1024} KB`);
      };
      (ws as unknown as { _socket: Duplex })._socket.prependListener('data', onData);
      const idle = () => setTimeout(() => ws.close(1001, 'Going away'), idleTimeoutMs);
      connection.timers = [idle(), setTimeout(() => ws.close(1001, 'Going away'), maxConnectionMs)];
      ws.on('message', (data, isBinary) => {
        connection.lastActiveAt = Date.now();
        clearTimeout(connection.timers[0]);
        connection.timers[0] = idle();
        if (connection.oversized) return;
        connection.waiting.push({ data: Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]), isBinary });
        invokeNext(connectionId, connection);
      });
      ws.on('close', (code, reason) => void track(disconnect(connectionId, connection, code, reason.toString())));
      ws.on('error', () => undefined);
    });
  }

  function invokeNext(connectionId: string, connection: LiveConnection) {
    while (connection.invoking < MAX_INVOCATIONS_PER_CONNECTION && connection.waiting.length > 0) {
      const { data, isBinary } = connection.waiting.shift()!;
      connection.invoking++;
      void track(
        message(connectionId, connection, data, isBinary).finally(() => {
          connection.invoking--;
          invokeNext(connectionId, connection);
        }),
      );
    }
  }

  async function message(connectionId: string, connection: LiveConnection, data: Buffer, isBinary: boolean) {
    const body = isBinary ? data.toString('base64') : data.toString('utf8');
    const routeKey = selectRoute(isBinary ? undefined : body);
    const requestId = randomUUID();
    try {
      await options.handler({
        requestContext: {
          ...context(routeKey, 'MESSAGE', connectionId, connection.connectedAt, connection, connection.authorizer),
          requestId,
          messageId: randomBytes(8).toString('base64'),
        },
        body,
        isBase64Encoded: isBinary,
      });
    } catch (error) {
      options.log(`handler for ${routeKey} threw: ${String(error)}`);
      // What API Gateway sends back when the integration fails.
      if (connection.socket.readyState === connection.socket.OPEN) {
        connection.socket.send(JSON.stringify({ message: 'Internal server error', connectionId, requestId }));
      }
    }
  }

  function selectRoute(body: string | undefined): string {
    if (body === undefined) return '$default';
    try {
      const action = (JSON.parse(body) as { action?: unknown })?.action;
      return typeof action === 'string' && options.routeKeys.includes(action) ? action : '$default';
    } catch {
      return '$default';
    }
  }

  async function disconnect(connectionId: string, connection: LiveConnection, code: number, reason: string) {
    if (connections.get(connectionId) !== connection) return;
    connections.delete(connectionId);
    connection.timers.forEach(clearTimeout);
    try {
      await options.handler({
        requestContext: {
          ...context('$disconnect', 'DISCONNECT', connectionId, connection.connectedAt, connection, connection.authorizer),
          disconnectStatusCode: code,
          disconnectReason: reason,
        },
        isBase64Encoded: false,
      });
    } catch (error) {
      options.log(`$disconnect handler threw: ${String(error)}`);
    }
  }

  async function manage(request: IncomingMessage, response: ServerResponse, connectionId: string) {
    const connection = connections.get(connectionId);
    if (!connection || connection.socket.readyState !== connection.socket.OPEN) {
      response.setHeader('x-amzn-errortype', 'GoneException');
      return sendJson(response, 410, { message: null });
    }
    switch (request.method) {
      case 'POST': {
        const data = await readAll(request);
        if (data.length > MAX_MESSAGE_BYTES) {
          response.setHeader('x-amzn-errortype', 'PayloadTooLargeException');
          return sendJson(response, 413, { message: 'Message too long' });
        }
        connection.socket.send(data.toString('utf8'));
        return response.writeHead(200).end();
      }
      case 'GET':
        return sendJson(response, 200, {
          ConnectedAt: new Date(connection.connectedAt).toISOString(),
          LastActiveAt: new Date(connection.lastActiveAt).toISOString(),
          Identity: { SourceIp: connection.sourceIp, UserAgent: connection.userAgent },
        });
      case 'DELETE':
        connection.socket.close(1000, 'Closed by the server');
        return response.writeHead(204).end();
      default:
        return sendJson(response, 405, { message: 'Method Not Allowed' });
    }
  }

  function context(
    routeKey: string,
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
    connectionId: string,
    connectedAt: number,
    identity: { sourceIp: string; userAgent?: string },
    authorizer: Record<string, unknown>,
  ): WebSocketEvent['requestContext'] {
    return {
      routeKey,
      eventType,
      connectionId,
      domainName,
      stage,
      apiId: 'local',
      requestId: randomUUID(),
      connectedAt,
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: identity.sourceIp, userAgent: identity.userAgent },
      authorizer,
    };
  }

  const port = await listen(server, options.port, options.host, 'WebSocket API', 'STREAMCANVAS_WEBSOCKET_PORT');
  domainName = `${options.host}:${port}`;

  return {
    url: `ws://${options.host}:${port}/${stage}`,
    managementEndpoint: `http://${options.host}:${port}/${stage}`,
    connectionCount: () => connections.size,
    /** Closes every socket the way a restart would ("going away"), running $disconnect for each. */
    async close() {
      const closing = [...connections.values()].map(
        (c) => new Promise<void>((resolve) => (c.socket.once('close', () => resolve()), c.socket.close(1001, 'Going away'))),
      );
      await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 2000))]);
      await closeServer(server);
      await Promise.allSettled([...running]);
    },
  };
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function rejectUpgrade(socket: Duplex, status: number, text: string, reason?: unknown) {
  const body = JSON.stringify({ message: text, ...(typeof reason === 'string' ? { reason } : {}) });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Follows the WebSocket frame headers in a client's byte stream (RFC 6455 §5.2) and returns the
 * payload length of the first frame over `maxFrameBytes`, if any. Fed every chunk in order.
 */
export function frameSizeWatcher(maxFrameBytes: number): (chunk: Buffer) => number | undefined {
  let header: number[] = [];
  let payloadLeft = 0;
  return (chunk) => {
    let offset = 0;
    while (offset < chunk.length) {
      if (payloadLeft > 0) {
        const skip = Math.min(payloadLeft, chunk.length - offset);
        payloadLeft -= skip;
        offset += skip;
        continue;
      }
      header.push(chunk[offset++]!);
      const length = frameHeaderLength(header);
      if (length === undefined || header.length < length) continue;
      const payload = framePayloadLength(header);
      header = [];
      if (payload > maxFrameBytes) return payload;
      payloadLeft = payload;
    }
    return undefined;
  };
}

function frameHeaderLength(header: number[]): number | undefined {
  if (header.length < 2) return undefined;
  const length7 = header[1]! & 0x7f;
  const mask = header[1]! & 0x80 ? 4 : 0;
  return 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + mask;
}

function framePayloadLength(header: number[]): number {
  const length7 = header[1]! & 0x7f;
  if (length7 < 126) return length7;
  const bytes = header.slice(2, length7 === 126 ? 4 : 10);
  return bytes.reduce((total, byte) => total * 256 + byte, 0);
}
