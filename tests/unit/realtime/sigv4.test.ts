import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { RequestSigner, canonicalPath, payloadHash, type AwsCredentials } from '../../../amplify/functions/shared/sigv4';
import { NodeSha256 } from '../../../local/sigv4-verifier';

const withoutToken: AwsCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const withToken: AwsCredentials = { ...withoutToken, accessKeyId: 'ASIAEXAMPLE', sessionToken: 'IQoJb3JpZ2luX2VjE/a+token==' };

/** What the SDK's signer (@smithy/signature-v4, as the AWS SDK clients use it) sends for the same request. */
type Request = { host: string; path: string; body: string; contentType?: string; target?: string };

async function sdkHeaders(credentials: AwsCredentials, service: string, at: Date, request: Request) {
  const signer = new SignatureV4({ credentials, region: 'eu-west-1', service, sha256: NodeSha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: request.host.split(':')[0]!,
      path: request.path,
      headers: {
        host: request.host,
        'content-type': request.contentType ?? 'application/json',
        ...(request.target ? { 'x-amz-target': request.target } : {}),
      },
      body: request.body,
    },
    { signingDate: at },
  );
  return signed.headers;
}

function leanHeaders(credentials: AwsCredentials, service: string, at: Date, request: Request) {
  const signer = new RequestSigner({ region: 'eu-west-1', service, credentials: async () => credentials, now: () => at.getTime() });
  return signer.signWith(credentials, {
    method: 'POST',
    host: request.host,
    path: request.path,
    contentType: request.contentType ?? 'application/json',
    payloadHash: payloadHash(request.body),
    ...(request.target ? { target: request.target } : {}),
  });
}

const cases = [
  { service: 'execute-api', host: 'abc123.execute-api.eu-west-1.amazonaws.com', path: '/prod/@connections/Lx9abcDEF%3D', body: '{"type":"patch","v":1,"seq":42}' },
  { service: 'execute-api', host: '127.0.0.1:4101', path: '/prod/@connections/a%2Bb%2Fc%3D%3D', body: '{"text":"héllo 👋"}' },
  { service: 'appsync', host: 'xyz.appsync-api.eu-west-1.amazonaws.com', path: '/event', body: '{"channel":"/live/s1","events":["{\\"a\\":1}"]}' },
  { service: 'appsync', host: 'xyz.appsync-api.eu-west-1.amazonaws.com', path: '/event', body: '' },
  {
    service: 'dynamodb',
    host: 'dynamodb.eu-west-1.amazonaws.com',
    path: '/',
    body: '{"TableName":"SessionStates","Key":{"sessionId":{"S":"s1"},"timestamp":{"N":"0"}}}',
    contentType: 'application/x-amz-json-1.0',
    target: 'DynamoDB_20120810.UpdateItem',
  },
];

describe('RequestSigner', () => {
  for (const credentials of [withoutToken, withToken]) {
    const label = credentials.sessionToken ? 'with a session token' : 'without a session token';
    it.each(cases)(`signs $service $path byte for byte as the SDK does, ${label}`, async (request) => {
      const at = new Date('2026-11-24T18:07:09.123Z');
      const sdk = await sdkHeaders(credentials, request.service, at, request);
      const lean = leanHeaders(credentials, request.service, at, request);
      expect(lean.authorization).toBe(sdk.authorization);
      expect(lean['x-amz-date']).toBe(sdk['x-amz-date']);
      expect(lean['x-amz-content-sha256']).toBe(sdk['x-amz-content-sha256']);
      expect(lean['x-amz-security-token']).toBe(sdk['x-amz-security-token']);
    });
  }

  it('derives a new signing key when the day or the credentials change', async () => {
    let now = Date.parse('2026-11-24T23:59:59.500Z');
    let credentials = withoutToken;
    const signer = new RequestSigner({ region: 'eu-west-1', service: 'execute-api', credentials: async () => credentials, now: () => now });
    const request = cases[0]!;
    const sign = () => signer.signWith(credentials, { method: 'POST', host: request.host, path: request.path, contentType: 'application/json', payloadHash: payloadHash(request.body) });
    for (const step of [() => undefined, () => (now += 1000), () => (credentials = withToken)]) {
      step();
      const sdk = await sdkHeaders(credentials, 'execute-api', new Date(now), request);
      expect(sign().authorization).toBe(sdk.authorization);
    }
  });

  it('fetches credentials once, and again only when they are about to expire', async () => {
    let now = 0;
    let calls = 0;
    const signer = new RequestSigner({
      region: 'eu-west-1',
      service: 'appsync',
      now: () => now,
      credentials: async () => ({ ...withToken, expiration: new Date(++calls * 3_600_000) }),
    });
    await Promise.all([signer.currentCredentials(), signer.currentCredentials()]);
    await signer.currentCredentials();
    expect(calls).toBe(1);
    now = 3_600_000 - 4 * 60_000; // within five minutes of the expiration
    await signer.currentCredentials();
    expect(calls).toBe(2);
  });
});

describe('canonicalPath', () => {
  it.each([
    ['/prod/@connections/abc', '/prod/%40connections/abc'],
    ['/prod/@connections/ab%3D', '/prod/%40connections/ab%253D'],
    ['/event', '/event'],
    ['/a/./b/../c', '/a/c'],
    ['//a//b/', '/a/b/'],
    ["/x/!'()*", '/x/%21%27%28%29%2A'],
  ])('%s -> %s, as the SDK computes it', async (path, expected) => {
    expect(canonicalPath(path)).toBe(expected);
    const signer = new SignatureV4({ credentials: withoutToken, region: 'r', service: 's', sha256: NodeSha256 });
    const internal = signer as unknown as { getCanonicalPath(request: { path: string }): string };
    expect(internal.getCanonicalPath({ path })).toBe(expected);
  });
});
