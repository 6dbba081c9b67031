import { apiErrorSchema } from '../../protocol/errors';
import { participantTokenSchema } from '../../protocol/media-token';
import { httpRoutes } from '../../protocol/session';
import type { MediaSource } from '../../protocol/media';
import { MediaError } from '../types';

/** Where the IVS provider gets participant tokens: the session's token routes on the HTTP API. */
export interface IvsTokenSource {
  /** Host only: a token that may publish this publication. */
  publish(publicationId: string, source: MediaSource): Promise<string>;
  /** Anyone: a token that may only subscribe. */
  subscribe(): Promise<string>;
}

export interface IvsTokenSourceOptions {
  /** `custom.httpApiUrl`. */
  httpApiUrl: string;
  sessionId: string;
  /** The host's Cognito access token; viewers have none (and need none). */
  getAccessToken?: () => Promise<string | undefined>;
  fetch?: typeof fetch;
}

/** A token failure: `unavailable` while the host has not published (503), so the caller retries. */
export function httpIvsTokenSource(options: IvsTokenSourceOptions): IvsTokenSource {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.httpApiUrl.replace(/\/+$/, '');
  const url = (routeKey: string) => base + routeKey.split(' ')[1]!.replace('{sessionId}', encodeURIComponent(options.sessionId));

  async function request(routeKey: string, body: unknown, accessToken?: string): Promise<string> {
    let response: Response;
    try {
      response = await fetchImpl(url(routeKey), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      throw new MediaError('timeout', 'Could not reach the StreamCanvas API for a media token.', 'Check the connection; the media retries by itself.');
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (response.ok) {
      const token = participantTokenSchema.safeParse(json);
      if (token.success) return token.data.token;
      throw new MediaError('unavailable', 'The StreamCanvas API answered a media token request with something else.', 'Reload the page.');
    }
    const error = apiErrorSchema.safeParse(json);
    const message = error.success ? error.data.error.message : `The media token request failed (HTTP ${response.status}).`;
    const resolution = error.success ? error.data.error.resolution : undefined;
    const code = response.status === 403 || response.status === 401 ? 'forbidden' : response.status === 429 ? 'timeout' : 'unavailable';
    throw new MediaError(code, message, resolution);
  }

  return {
    async publish(publicationId, source) {
      const accessToken = await options.getAccessToken?.();
      if (!accessToken) throw new MediaError('forbidden', 'Only the signed-in host may publish media.', 'Sign in as the host.');
      return request(httpRoutes.publishMediaToken, { publicationId, source }, accessToken);
    },
    subscribe: () => request(httpRoutes.subscribeMediaToken, {}),
  };
}
