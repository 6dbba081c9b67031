import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TokenVerifier } from '../amplify/auth/token-verifier.js';
import { closeServer, listen } from './listen.js';

/**
 * Stand-in for an API Gateway HTTP API (payload format 2.0) with a Cognito JWT authorizer:
 * matches route keys, verifies bearer tokens, applies CORS, and calls the real handler.
 */
export interface HttpRouteBinding {
  routeKey: string;
  authorization: 'jwt' | 'none';
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
}

export interface HttpGatewayOptions {
  host: string;
  port: number;
  routes: HttpRouteBinding[];
  verifyToken: TokenVerifier;
  allowedOrigins: (origin: string) => boolean;
  log: (line: string) => void;
}

/** API Gateway's own limit for HTTP API payloads is 10 MB; the handlers enforce far smaller ones. */
const MAX_GATEWAY_BODY_BYTES = 10 * 1024 * 1024;

export async function startHttpGateway(options: HttpGatewayOptions) {
  const routes = options.routes.map((route) => ({ ...route, ...compileRouteKey(route.routeKey) }));

  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      options.log(`http gateway error: ${String(error)}`);
      if (!response.headersSent) send(response, 500, { message: 'Internal Server Error' });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const origin = request.headers.origin;
    if (origin && options.allowedOrigins(origin)) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'origin');
    }
    const url = new URL(request.url ?? '/', 'http://gateway');
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', 'GET,POST,PATCH,DELETE,OPTIONS');
      response.setHeader('access-control-allow-headers', 'authorization,content-type');
      response.setHeader('access-control-max-age', '600');
      response.writeHead(204).end();
      return;
    }

    const match = routes
      .map((route) => ({ route, params: route.method === method ? route.pattern.exec(url.pathname) : null }))
      .find((candidate) => candidate.params);
    if (!match?.params) return sendError(response, 404, 'NotFound', `No route ${method} ${url.pathname}.`);

    const body = await readBody(request, MAX_GATEWAY_BODY_BYTES);
    if (body === undefined) return sendError(response, 413, 'PayloadTooLarge', 'The request body is too large.');

    let claims: Record<string, string> | undefined;
    if (match.route.authorization === 'jwt') {
      const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!token) return sendError(response, 401, 'Unauthorized', 'This route needs a signed-in user.', 'Send an access token as "Authorization: Bearer <token>".');
      try {
        ({ claims } = await options.verifyToken(token));
      } catch {
        return sendError(response, 401, 'Unauthorized', 'The access token is invalid or expired.', 'Sign in again.');
      }
    }

    const event = toEvent(request, url, match.route.routeKey, decodeParams(match.route.paramNames, match.params), body, claims);
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = await match.route.handler(event);
    } catch (error) {
      // API Gateway answers a crashed integration with a bare 500.
      options.log(`handler for ${match.route.routeKey} threw: ${String(error)}`);
      return send(response, 500, { message: 'Internal Server Error' });
    }
    response.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>) });
    response.end(result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : result.body);
  }

  const port = await listen(server, options.port, options.host, 'HTTP API', 'STREAMCANVAS_HTTP_API_PORT');
  return { url: `http://${options.host}:${port}`, close: () => closeServer(server) };
}

function compileRouteKey(routeKey: string) {
  const [method = '', path = ''] = routeKey.split(' ');
  const paramNames: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
    paramNames.push(name);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}$`), paramNames };
}

function decodeParams(names: string[], match: RegExpExecArray): Record<string, string> {
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
}

function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  routeKey: string,
  pathParameters: Record<string, string>,
  body: string,
  claims: Record<string, string> | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    ...(body ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
  } as APIGatewayProxyEventV2;
}

function send(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, code: string, message: string, resolution?: string) {
  send(response, status, { error: { code, message, ...(resolution ? { resolution } : {}) } });
}
