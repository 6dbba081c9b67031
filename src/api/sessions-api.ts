import type { z } from 'zod';
import { apiErrorSchema, describeIssues, httpStatusOf, type ErrorCode } from '../protocol/errors';
import {
  publicSessionSchema,
  sessionListSchema,
  sessionSchema,
  type PublicSession,
  type Session,
  type SessionList,
  type UpdateSessionBody,
} from '../protocol/session';
import { ApiError } from './api-error';

export { ApiError, isApiError, type ApiErrorCode } from './api-error';

export interface SessionsApiDeps {
  /** `custom.httpApiUrl` from the runtime config. */
  baseUrl: string;
  /** The signed-in user's Cognito access token; omit for a client that only reads public sessions. */
  getAccessToken?: () => Promise<string | undefined>;
  fetch?: typeof fetch;
  /** Give up on a request after this long (default 20 s). */
  timeoutMs?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface ListSessionsParams {
  limit?: number;
  nextToken?: string;
}

/** The typed client of the StreamCanvas HTTP API. Every response is validated; every failure is an ApiError. */
export interface SessionsApi {
  /** `POST /sessions` (signed in). */
  createSession(input: { title: string }, options?: RequestOptions): Promise<Session>;
  /** `GET /sessions` (signed in): the caller's sessions, newest first. */
  listSessions(params?: ListSessionsParams, options?: RequestOptions): Promise<SessionList>;
  /** `GET /sessions/{id}` (public). */
  getSession(sessionId: string, options?: RequestOptions): Promise<PublicSession>;
  /** `PATCH /sessions/{id}` (signed in, host only). */
  updateSession(sessionId: string, body: UpdateSessionBody, options?: RequestOptions): Promise<Session>;
  /** Ends the session: `PATCH /sessions/{id}` with `{ status: 'ended' }`. */
  endSession(sessionId: string, options?: RequestOptions): Promise<Session>;
}

const DEFAULT_TIMEOUT_MS = 20_000;

const codeByStatus = new Map<number, ErrorCode>(
  (Object.entries(httpStatusOf) as Array<[ErrorCode, number]>).map(([code, status]) => [status, code]),
);

/** When the API (or a gateway in front of it) answers without our error body. */
function fallbackError(status: number, statusText: string, what: string): ApiError {
  const code: ErrorCode = codeByStatus.get(status) ?? (status >= 500 ? 'Unavailable' : 'BadRequest');
  switch (code) {
    case 'Unauthorized':
      return new ApiError({ code, status, message: 'Your sign-in is missing or has expired.', resolution: 'Sign in again, then retry.' });
    case 'Forbidden':
      return new ApiError({ code, status, message: 'You are not allowed to do this.', resolution: 'Sign in with the account that owns this session.' });
    case 'NotFound':
      return new ApiError({ code, status, message: `The StreamCanvas API has no ${what}.`, resolution: 'Check the link or the session id.' });
    case 'RateLimited':
      return new ApiError({ code, status, message: 'Too many requests right now.', resolution: 'Wait a few seconds, then try again.' });
    default: {
      const label = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
      return status >= 500
        ? new ApiError({ code, status, message: `The StreamCanvas API is unavailable (${label}).`, resolution: 'Try again in a moment.' })
        : new ApiError({ code, status, message: `The StreamCanvas API rejected the request (${label}).`, resolution: 'Reload the page and try again.' });
    }
  }
}

/** One typed request to the HTTP API: JSON in, a schema-checked answer out, every failure an ApiError. */
export type ApiRequest = <S extends z.ZodType>(
  init: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: string; auth: boolean; body?: unknown; query?: Record<string, string | undefined>; what: string },
  schema: S,
  options?: RequestOptions,
) => Promise<z.infer<S>>;

/** The request machinery the typed clients share: sessions here, decks (the slides tile) and replays (src/replay/replay-api.ts). */
export function createApiRequest(deps: SessionsApiDeps): ApiRequest {
  const baseUrl = deps.baseUrl.replace(/\/+$/, '');
  const fetchImpl = deps.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const apiOrigin = safeOrigin(baseUrl);

  async function accessToken(): Promise<string> {
    let token: string | undefined;
    try {
      token = await deps.getAccessToken?.();
    } catch (cause) {
      throw new ApiError({
        code: 'Unauthorized',
        message: 'Your sign-in could not be refreshed.',
        resolution: 'Sign in again, then retry.',
        cause,
      });
    }
    if (!token) {
      throw new ApiError({ code: 'Unauthorized', message: 'You are not signed in.', resolution: 'Sign in, then retry.' });
    }
    return token;
  }

  return async function request<S extends z.ZodType>(
    init: Parameters<ApiRequest>[0],
    schema: S,
    options: RequestOptions = {},
  ): Promise<z.infer<S>> {
    const url = new URL(baseUrl + init.path);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.auth) headers.authorization = `Bearer ${await accessToken()}`;

    // One controller for both our timeout and the caller's signal.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) controller.abort(options.signal.reason);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });

    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url.href, {
        method: init.method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: controller.signal,
      });
      text = await response.text();
    } catch (cause) {
      if (options.signal?.aborted) throw cause; // the caller cancelled: not an error to show
      if (timedOut) {
        throw new ApiError({
          code: 'NetworkError',
          message: `The StreamCanvas API did not answer within ${Math.round(timeoutMs / 1000)} seconds.`,
          resolution: 'Check your connection and try again.',
          cause,
        });
      }
      throw new ApiError({
        code: 'NetworkError',
        message: `Cannot reach the StreamCanvas API at ${apiOrigin}.`,
        resolution: 'Check your internet connection and try again. Running locally? Start the stack with `npm start`.',
        cause,
      });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }

    let json: unknown;
    let isJson = text.trim() !== '';
    if (isJson) {
      try {
        json = JSON.parse(text);
      } catch {
        isJson = false;
      }
    }

    if (!response.ok) {
      const parsed = isJson ? apiErrorSchema.safeParse(json) : undefined;
      if (parsed?.success) {
        const { code, message, resolution } = parsed.data.error;
        throw new ApiError({ code, message, status: response.status, ...(resolution ? { resolution } : {}) });
      }
      throw fallbackError(response.status, response.statusText, init.what);
    }

    const invalid = (detail: string) =>
      new ApiError({
        code: 'InvalidResponse',
        status: response.status,
        message: `The StreamCanvas API sent an unexpected response to ${init.method} ${init.path}: ${detail}.`,
        resolution: 'Reload the page. If it keeps happening, the app and the API are out of step: deploy them together.',
      });
    if (!isJson) throw invalid('the body is not JSON');
    const result = schema.safeParse(json);
    if (!result.success) throw invalid(describeIssues(result.error));
    return result.data;
  };
}

export function createSessionsApi(deps: SessionsApiDeps): SessionsApi {
  const request = createApiRequest(deps);
  const sessionPath = (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}`;

  return {
    createSession: (input, options) =>
      request({ method: 'POST', path: '/sessions', auth: true, body: { title: input.title }, what: 'such route' }, sessionSchema, options),

    listSessions: (params = {}, options) =>
      request(
        {
          method: 'GET',
          path: '/sessions',
          auth: true,
          query: {
            limit: params.limit === undefined ? undefined : String(params.limit),
            nextToken: params.nextToken,
          },
          what: 'such route',
        },
        sessionListSchema,
        options,
      ),

    getSession: (sessionId, options) =>
      request({ method: 'GET', path: sessionPath(sessionId), auth: false, what: 'such session' }, publicSessionSchema, options),

    updateSession: (sessionId, body, options) =>
      request({ method: 'PATCH', path: sessionPath(sessionId), auth: true, body, what: 'such session' }, sessionSchema, options),

    endSession: (sessionId, options) =>
      request({ method: 'PATCH', path: sessionPath(sessionId), auth: true, body: { status: 'ended' }, what: 'such session' }, sessionSchema, options),
  };
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
