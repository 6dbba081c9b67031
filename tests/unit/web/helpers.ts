import type { Session } from '../../../src/protocol/session';

export function makeSession(overrides: Partial<Session> = {}): Session {
  const createdAt = overrides.createdAt ?? new Date(Date.now() - 5 * 60_000).toISOString();
  return {
    sessionId: crypto.randomUUID(),
    hostId: 'host-sub-1',
    title: 'Friday code review',
    status: 'active',
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

export function jsonResponse(status: number, body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
}

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** A fetch that answers from a handler and records every request. */
export function fakeFetch(handler: (request: RecordedRequest) => Response | Promise<Response>) {
  const requests: RecordedRequest[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const request: RecordedRequest = {
      url: String(input),
      method: init.method ?? 'GET',
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(request);
    return handler(request);
  }) as typeof fetch;
  return { fetch: fetchImpl, requests };
}

export function validOutputs(overrides: { custom?: Record<string, unknown>; auth?: Record<string, unknown> } = {}) {
  return {
    version: '1.4',
    auth: {
      aws_region: 'eu-west-1',
      user_pool_id: 'eu-west-1_abc',
      user_pool_client_id: 'client123',
      username_attributes: ['email'],
      password_policy: { min_length: 8, require_lowercase: true, require_numbers: true, require_symbols: true, require_uppercase: true },
      ...overrides.auth,
    },
    custom: {
      httpApiUrl: 'http://localhost:4010/',
      webSocketUrl: 'ws://localhost:4011/prod',
      region: 'eu-west-1',
      userPoolEndpoint: 'http://localhost:9229',
      ...overrides.custom,
    },
  };
}
