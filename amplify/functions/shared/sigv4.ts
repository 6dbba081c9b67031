import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for the hot paths (one PostToConnection per viewer, one Event API
 * publish per message), producing exactly the headers the SDK's signer (@smithy/signature-v4)
 * produces for the same request: tests/unit/realtime/sigv4.test.ts compares them byte for byte.
 *
 * What makes it cheap: the signing key (four HMACs) is derived once per day, region, service
 * and credentials; the payload is hashed once by the caller however many requests share it;
 * the date string is built once per second. A request then costs one SHA-256 and one HMAC.
 */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialProvider = () => Promise<AwsCredentials>;

export interface SignableRequest {
  method: string;
  /** `host[:port]`, as sent in the Host header. */
  host: string;
  /** The request path as sent (already percent-encoded where needed), without a query. */
  path: string;
  contentType: string;
  /** Hex SHA-256 of the body: `payloadHash(body)`, computed once per distinct body. */
  payloadHash: string;
  /** The `x-amz-target` header of JSON-protocol services (DynamoDB's operation), signed like the SDK signs it. */
  target?: string;
}

/** The headers to send besides host and content-type. */
export interface SignedHeaders {
  'x-amz-date': string;
  'x-amz-content-sha256': string;
  'x-amz-security-token'?: string;
  authorization: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Credentials this close to their expiration are fetched again, as the SDK does. */
const CREDENTIAL_REFRESH_MS = 5 * 60_000;

export function payloadHash(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export class RequestSigner {
  private credentials: AwsCredentials | undefined;
  private refreshing: Promise<AwsCredentials> | undefined;
  private signingKey: { id: string; key: Buffer } | undefined;
  private date: { second: number; amzDate: string; shortDate: string } | undefined;

  constructor(
    private readonly options: {
      region: string;
      /** `execute-api` for the WebSocket management API, `appsync` for Event APIs. */
      service: string;
      credentials: CredentialProvider;
      now?: () => number;
    },
  ) {}

  /** The credentials to sign with, fetched again only when they are about to expire. */
  async currentCredentials(): Promise<AwsCredentials> {
    const now = (this.options.now ?? Date.now)();
    const current = this.credentials;
    if (current && (!current.expiration || current.expiration.getTime() - now > CREDENTIAL_REFRESH_MS)) return current;
    this.refreshing ??= this.options.credentials().finally(() => (this.refreshing = undefined));
    return (this.credentials = await this.refreshing);
  }

  async sign(request: SignableRequest): Promise<SignedHeaders> {
    return this.signWith(await this.currentCredentials(), request);
  }

  /** Synchronous signing with credentials already at hand (see `currentCredentials`). */
  signWith(credentials: AwsCredentials, request: SignableRequest): SignedHeaders {
    const { amzDate, shortDate } = this.dateStrings();
    const scope = `${shortDate}/${this.options.region}/${this.options.service}/aws4_request`;
    const token = credentials.sessionToken;
    // Header names in sorted order, as canonical headers must be.
    const canonicalHeaders =
      `content-type:${request.contentType}\nhost:${request.host}\nx-amz-content-sha256:${request.payloadHash}\nx-amz-date:${amzDate}\n` +
      (token ? `x-amz-security-token:${token}\n` : '') +
      (request.target ? `x-amz-target:${request.target}\n` : '');
    const signedHeaders = (token ? SIGNED_WITH_TOKEN : SIGNED_WITHOUT_TOKEN) + (request.target ? ';x-amz-target' : '');
    const canonicalRequest = `${request.method}\n${canonicalPath(request.path)}\n\n${canonicalHeaders}\n${signedHeaders}\n${request.payloadHash}`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', this.keyFor(credentials, shortDate)).update(stringToSign).digest('hex');
    return {
      'x-amz-date': amzDate,
      'x-amz-content-sha256': request.payloadHash,
      ...(token ? { 'x-amz-security-token': token } : {}),
      authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
  }

  private dateStrings() {
    const now = (this.options.now ?? Date.now)();
    const second = Math.floor(now / 1000);
    if (this.date?.second !== second) {
      const amzDate = new Date(second * 1000).toISOString().replace(/[-:]|\.\d{3}/g, '');
      this.date = { second, amzDate, shortDate: amzDate.slice(0, 8) };
    }
    return this.date;
  }

  private keyFor(credentials: AwsCredentials, shortDate: string): Buffer {
    const id = `${shortDate}\n${credentials.accessKeyId}\n${credentials.secretAccessKey}`;
    if (this.signingKey?.id !== id) {
      let key: Buffer = Buffer.from(`AWS4${credentials.secretAccessKey}`);
      for (const part of [shortDate, this.options.region, this.options.service, 'aws4_request']) {
        key = createHmac('sha256', key).update(part).digest();
      }
      this.signingKey = { id, key };
    }
    return this.signingKey.key;
  }
}

const SIGNED_WITHOUT_TOKEN = 'content-type;host;x-amz-content-sha256;x-amz-date';
const SIGNED_WITH_TOKEN = `${SIGNED_WITHOUT_TOKEN};x-amz-security-token`;

/**
 * The canonical URI of every service but S3: dot segments and empty segments resolved, then
 * URI-encoded once more (so `%3D` in a connection id becomes `%253D`), slashes kept.
 */
export function canonicalPath(path: string): string {
  if (!/[^A-Za-z0-9\-._~/]|\/\/|\/\.{1,2}(\/|$)/.test(path)) return path;
  // Fan-out signs the same connection paths on every message: remember them (bounded).
  let canonical = canonicalPaths.get(path);
  if (canonical === undefined) {
    if (canonicalPaths.size >= CANONICAL_PATHS_KEPT) canonicalPaths.clear();
    canonicalPaths.set(path, (canonical = encodeCanonicalPath(path)));
  }
  return canonical;
}

const canonicalPaths = new Map<string, string>();
const CANONICAL_PATHS_KEPT = 20_000;

function encodeCanonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
