import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** The environment variable that names the files bucket, for every function granted it. */
export const FILES_BUCKET_ENV = 'FILES_BUCKET_NAME';

let shared: S3Client | undefined;

/**
 * One client per process. Checksums only when S3 requires them: otherwise the SDK adds a CRC32
 * of the *empty* body to presigned PUT URLs (so a browser's upload fails) and frames streamed
 * uploads in a way S3-compatible servers store verbatim. The endpoint comes from the SDK's
 * standard AWS_ENDPOINT_URL_S3 where one is set; IP endpoints are addressed path-style by the SDK.
 */
export function s3Client(): S3Client {
  shared ??= new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  return shared;
}

export interface StoredObjectInfo {
  size: number;
  contentType?: string;
}

/** The files bucket, by key. Keys are chosen by handlers, never taken from a client as they are. */
export interface ObjectStore {
  /** A URL a browser can PUT exactly `contentLength` bytes of `contentType` to, until it expires. */
  presignUpload(key: string, upload: { contentType: string; contentLength: number; expiresInSeconds?: number }): Promise<string>;
  /** A URL anyone holding it can GET the object from, until it expires. */
  presignDownload(key: string, options?: { expiresInSeconds?: number; fileName?: string }): Promise<string>;
  /** Size and type of a stored object, or undefined when there is none. */
  head(key: string): Promise<StoredObjectInfo | undefined>;
  /** The whole object, or undefined when there is none. Only for objects of bounded size. */
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /** Deleting a missing key succeeds, as in S3. */
  delete(key: string): Promise<void>;
}

/** Presigned URLs live minutes, not days: long enough to upload or load a deck, short enough to leak little. */
export const DEFAULT_URL_SECONDS = 15 * 60;

export function objectStore(client: S3Client, bucket: string): ObjectStore {
  if (!bucket) {
    throw new Error(`No files bucket is configured. Resolution: grant the function the storage bucket in amplify/backend.ts, which sets ${FILES_BUCKET_ENV}.`);
  }
  return {
    presignUpload(key, { contentType, contentLength, expiresInSeconds = DEFAULT_URL_SECONDS }) {
      const command = new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: contentLength });
      // Signing the length and type makes S3 refuse an upload of any other size or type.
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-length', 'content-type']) });
    },
    presignDownload(key, { expiresInSeconds = DEFAULT_URL_SECONDS, fileName } = {}) {
      const disposition = fileName ? `inline; filename*=UTF-8''${encodeURIComponent(fileName)}` : undefined;
      const command = new GetObjectCommand({ Bucket: bucket, Key: key, ...(disposition ? { ResponseContentDisposition: disposition } : {}) });
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds });
    },
    async head(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { size: head.ContentLength ?? 0, ...(head.ContentType ? { contentType: head.ContentType } : {}) };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async get(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}

function isMissing(error: unknown): boolean {
  return error instanceof NotFound || (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404));
}
