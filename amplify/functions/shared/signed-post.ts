import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { KeepAlivePool, type HttpResponse } from './keep-alive-pool.js';
import { RequestSigner, payloadHash, type CredentialProvider } from './sigv4.js';

/**
 * SigV4-signed POSTs without the SDK client's middleware stack, over a bounded pool of
 * keep-alive connections. Fan-out is the hot path (one PostToConnection per viewer per
 * message): a body shared by many posts is encoded and hashed once, the signing key is derived
 * once a day, and each post costs one hash, one HMAC and one write (bench/: CPU per publish).
 * DynamoDB's JSON protocol rides on it too (amplify/data/lean-document-client.ts).
 */
export interface SignedPoster {
  /** Resolves with the HTTP status and API Gateway's error type, if any. */
  post(path: string, body: string, options?: PostOptions): Promise<{ status: number; errorType?: string; body: Buffer }>;
  close(): void;
}

export interface PostOptions {
  /** Default `application/json`. */
  contentType?: string;
  /** The `x-amz-target` header of JSON-protocol services (e.g. `DynamoDB_20120810.PutItem`). */
  target?: string;
}

export interface SignedPosterOptions {
  region?: string;
  /** `execute-api` (default) for the WebSocket management API, `appsync` for Event APIs. */
  service?: string;
  credentials?: CredentialProvider;
  /** Connections kept open to the endpoint, which also bounds the posts in flight. */
  maxSockets?: number;
  /** A request without a complete answer after this long fails (default 5 s, see KeepAlivePool). */
  requestTimeoutMs?: number;
  now?: () => number;
}

export function signedPoster(endpoint: string, options: SignedPosterOptions = {}): SignedPoster {
  const url = new URL(endpoint);
  const basePath = url.pathname.replace(/\/+$/, '');
  const signer = new RequestSigner({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    service: options.service ?? 'execute-api',
    credentials: options.credentials ?? defaultProvider(),
    now: options.now,
  });
  const pool = new KeepAlivePool(url, { maxSockets: options.maxSockets ?? 64, requestTimeoutMs: options.requestTimeoutMs });
  // The last body, encoded and hashed: every post of one fan-out passes the same string.
  let last: { body: string; bytes: Buffer; hash: string } | undefined;
  const prepared = (body: string) => {
    if (last?.body !== body) {
      const bytes = Buffer.from(body, 'utf8');
      last = { body, bytes, hash: payloadHash(bytes) };
    }
    return last;
  };

  async function postOnce(path: string, body: string, { contentType = 'application/json', target }: PostOptions, fresh = false): Promise<HttpResponse> {
    const { bytes, hash } = prepared(body);
    const credentials = await signer.currentCredentials();
    const signed = signer.signWith(credentials, { method: 'POST', host: url.host, path, contentType, payloadHash: hash, ...(target ? { target } : {}) });
    const head =
      `POST ${path} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: ${contentType}\r\ncontent-length: ${bytes.length}\r\n` +
      `x-amz-date: ${signed['x-amz-date']}\r\nx-amz-content-sha256: ${hash}\r\n` +
      (signed['x-amz-security-token'] ? `x-amz-security-token: ${signed['x-amz-security-token']}\r\n` : '') +
      (target ? `x-amz-target: ${target}\r\n` : '') +
      `authorization: ${signed.authorization}\r\n\r\n`;
    return pool.request(head, bytes, { fresh });
  }

  return {
    async post(path, body, postOptions = {}) {
      const fullPath = `${basePath}${path}`;
      let response: HttpResponse;
      try {
        response = await postOnce(fullPath, body, postOptions);
      } catch (error) {
        // A pooled keep-alive socket may have died while the Lambda was frozen: retry once on a
        // fresh one, as the SDK does. A duplicate post is harmless: clients drop repeated seqs
        // (a DynamoDB write retried after a reset is what the SDK would retry too).
        if (!isTransientSocketError(error)) throw error;
        response = await postOnce(fullPath, body, postOptions, true);
      }
      const errorType = response.headers['x-amzn-errortype'];
      return { status: response.status, ...(errorType ? { errorType: errorType.split(':')[0] } : {}), body: response.body };
    },
    close: () => pool.close(),
  };
}

/** The network errors the SDK's standard retry strategy treats as transient. */
export const TRANSIENT_SOCKET_ERRORS = ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT'] as const;

export function isTransientSocketError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (TRANSIENT_SOCKET_ERRORS as readonly string[]).includes(code ?? '') || /socket hang up/i.test(error.message);
}
