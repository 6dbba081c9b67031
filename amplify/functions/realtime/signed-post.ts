import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * PostToConnection without the SDK client's middleware stack: a SigV4-signed POST over a
 * keep-alive agent. Fan-out is the hot path (one post per viewer per patch), and measured
 * here this costs less than half the CPU per post of the full client (see bench/).
 */
export interface SignedPoster {
  /** Resolves with the HTTP status and API Gateway's error type, if any. */
  post(path: string, body: string): Promise<{ status: number; errorType?: string }>;
}

class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', toBinary(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBinary(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function toBinary(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

export function signedPoster(endpoint: string, region = process.env.AWS_REGION ?? 'us-east-1'): SignedPoster {
  const url = new URL(endpoint);
  const secure = url.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: 64 }) : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  const send = secure ? httpsRequest : httpRequest;
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const basePath = url.pathname.replace(/\/+$/, '');
  const signer = new SignatureV4({ credentials: defaultProvider(), region, service: 'execute-api', sha256: NodeSha256 });

  /** One signed POST on a pooled socket. */
  async function postOnce(fullPath: string, body: string): Promise<{ status: number; errorType?: string }> {
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port,
      path: fullPath,
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    });
    return new Promise((resolve, reject) => {
      const request = send(
        {
          host: url.hostname,
          port,
          method: 'POST',
          path: fullPath,
          agent,
          headers: { ...(signed.headers as Record<string, string>), 'content-length': Buffer.byteLength(body) },
          timeout: 5000,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            const errorType = response.headers['x-amzn-errortype'];
            resolve({ status: response.statusCode ?? 0, ...(errorType ? { errorType: String(errorType).split(':')[0] } : {}) });
          });
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error('PostToConnection timed out after 5 s'), { code: 'ETIMEDOUT' })));
      request.on('error', reject);
      request.end(body);
    });
  }

  return {
    async post(path, body) {
      const fullPath = `${basePath}${path}`;
      try {
        return await postOnce(fullPath, body);
      } catch (error) {
        // A pooled keep-alive socket may have died while the Lambda was frozen: retry once on a
        // fresh one, as the SDK does. A duplicate post is harmless: clients drop repeated seqs.
        if (!isTransientSocketError(error)) throw error;
        return postOnce(fullPath, body);
      }
    },
  };
}

/** The network errors the SDK's standard retry strategy treats as transient. */
export const TRANSIENT_SOCKET_ERRORS = ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT'] as const;

export function isTransientSocketError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (TRANSIENT_SOCKET_ERRORS as readonly string[]).includes(code ?? '') || /socket hang up/i.test(error.message);
}
