import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';

/**
 * Checks an AWS Signature Version 4 the way an AWS endpoint does, for the local stand-ins:
 * recomputes it from the request with the SDK's signer (an implementation independent of the
 * project's own signer in amplify/functions/shared/sigv4.ts), over exactly the headers the
 * client says it signed, and compares. Credentials are looked up by access key id.
 */
export interface SignedRequest {
  method: string;
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

export type VerifyResult = { ok: true; accessKeyId: string } | { ok: false; reason: string };

/** AWS refuses signatures dated more than 5 minutes away from its clock. */
const MAX_SKEW_MS = 5 * 60_000;

type SourceData = string | ArrayBuffer | ArrayBufferView;

/** The hash class the SDK's signer takes, on node:crypto (as the SDK's own for Node). */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

export async function verifySigV4(
  request: SignedRequest,
  expected: { region: string; service: string; secretFor: (accessKeyId: string) => string | undefined; now?: number },
): Promise<VerifyResult> {
  const authorization = request.headers.authorization ?? '';
  const match = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  if (!match) return { ok: false, reason: 'The Authorization header is not an AWS4-HMAC-SHA256 signature.' };
  const [, accessKeyId, scopeDate, region, service, signedList, signature] = match as unknown as string[];
  if (region !== expected.region || service !== expected.service) {
    return { ok: false, reason: `The credential scope names ${region}/${service}; expected ${expected.region}/${expected.service}.` };
  }
  const secret = expected.secretFor(accessKeyId!);
  if (secret === undefined) return { ok: false, reason: `The security token included in the request is invalid (unknown access key ${accessKeyId}).` };
  const signedHeaders = signedList!.split(';');
  if (!signedHeaders.includes('host')) return { ok: false, reason: 'The host header must be signed.' };
  const amzDate = request.headers['x-amz-date'];
  const signedAt = amzDate && /^\d{8}T\d{6}Z$/.test(amzDate) ? Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`) : NaN;
  if (!signedHeaders.includes('x-amz-date') || Number.isNaN(signedAt) || amzDate!.slice(0, 8) !== scopeDate) {
    return { ok: false, reason: 'x-amz-date is missing, unsigned or does not match the credential scope.' };
  }
  if (Math.abs((expected.now ?? Date.now()) - signedAt) > MAX_SKEW_MS) return { ok: false, reason: 'Signature expired: the request is dated more than 5 minutes away.' };

  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== bodyHash && claimedHash !== 'UNSIGNED-PAYLOAD') {
    return { ok: false, reason: 'x-amz-content-sha256 does not match the body.' };
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, reason: `The signed header ${name} is missing.` };
    headers[name] = value;
  }
  const token = request.headers['x-amz-security-token'];
  const signer = new SignatureV4({
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: secret, ...(token && signedHeaders.includes('x-amz-security-token') ? { sessionToken: token } : {}) },
    region: region!,
    service: service!,
    sha256: NodeSha256,
    applyChecksum: claimedHash !== undefined,
  });
  const [path, query] = request.path.split('?', 2) as [string, string | undefined];
  const recomputed = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: headers.host!.split(':')[0]!,
      path,
      query: Object.fromEntries(new URLSearchParams(query ?? '')),
      headers,
      body: request.body,
    },
    { signingDate: new Date(signedAt), signableHeaders: new Set(signedHeaders) },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(String(recomputed.headers.authorization))?.[1] ?? '';
  const same = expectedSignature.length === signature!.length && timingSafeEqual(Buffer.from(expectedSignature), Buffer.from(signature!));
  return same ? { ok: true, accessKeyId: accessKeyId! } : { ok: false, reason: 'The request signature we calculated does not match the signature you provided.' };
}
