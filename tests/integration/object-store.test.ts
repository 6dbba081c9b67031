import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILES_BUCKET_ENV, objectStore, s3Client, type ObjectStore } from '../../amplify/storage/object-store.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

/** The files bucket through the handlers' object store, on the local stack's S3 stand-in, as a browser uses it. */
let env: TestStack;
let store: ObjectStore;
const appOrigin = 'http://localhost:5173';
/** S3 echoes an allowed origin; s3rver answers `*` for it. Either lets the page read the answer. */
const allowsApp = (response: Response) => expect(['*', appOrigin]).toContain(response.headers.get('access-control-allow-origin'));

beforeAll(async () => {
  env = await startTestStack();
  store = objectStore(s3Client(), process.env[FILES_BUCKET_ENV]!);
});
afterAll(() => env?.stop());

describe('object store on the local stack', () => {
  it('uploads through a presigned PUT from the app origin, then reads the object back', async () => {
    const body = new TextEncoder().encode('%PDF-1.4 a small deck');
    const url = await store.presignUpload('decks/user-1/deck-1/original.pdf', { contentType: 'application/pdf', contentLength: body.length });
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    // No checksum of an empty body may be baked into the URL, or a browser's upload fails on AWS.
    expect(url).not.toContain('x-amz-checksum');

    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: appOrigin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(200);
    allowsApp(preflight);

    const put = await fetch(url, { method: 'PUT', headers: { origin: appOrigin, 'content-type': 'application/pdf' }, body });
    expect(put.status).toBe(200);
    allowsApp(put);

    expect(await store.head('decks/user-1/deck-1/original.pdf')).toEqual({ size: body.length, contentType: 'application/pdf' });
    expect(new TextDecoder().decode(await store.get('decks/user-1/deck-1/original.pdf'))).toBe('%PDF-1.4 a small deck');

    const download = await fetch(await store.presignDownload('decks/user-1/deck-1/original.pdf', { fileName: 'Quarterly review.pdf' }), {
      headers: { origin: appOrigin },
    });
    expect(download.status).toBe(200);
    allowsApp(download);
    expect(await download.text()).toBe('%PDF-1.4 a small deck');
  });

  it('refuses other origins by CORS', async () => {
    const url = await store.presignUpload('decks/user-1/deck-2/original.pdf', { contentType: 'application/pdf', contentLength: 4 });
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://attacker.example', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('stores bytes exactly as given (no checksum framing inside the object)', async () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
    await store.put('checkpoints/s-1/0001.bin', bytes, 'application/octet-stream');
    expect(await store.head('checkpoints/s-1/0001.bin')).toMatchObject({ size: bytes.length });
    expect(Buffer.from((await store.get('checkpoints/s-1/0001.bin'))!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('answers undefined for a missing object, and deleting twice succeeds', async () => {
    expect(await store.head('nothing/here')).toBeUndefined();
    expect(await store.get('nothing/here')).toBeUndefined();
    await store.put('tmp/x.txt', 'x', 'text/plain');
    await store.delete('tmp/x.txt');
    await store.delete('tmp/x.txt');
    expect(await store.head('tmp/x.txt')).toBeUndefined();
  });

  it('says how to fix a function that was not granted the bucket', () => {
    expect(() => objectStore(s3Client(), '')).toThrow(/Resolution: grant the function the storage bucket/);
  });
});
