import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';
import { LocalStackError } from './listen.js';

/**
 * S3 stand-in: s3rver speaks S3's REST protocol (Put/Get/Head/Delete, multipart, presigned
 * URLs) and keeps objects as files under `dataDir`. It checks no signatures but knows only the
 * access key id `S3RVER`, which is why the local stack's credentials use it.
 */
export interface LocalS3 {
  endpoint: string;
  bucketName: string;
  close(): Promise<void>;
}

/** The local bucket's name; in AWS it is the storage resource's generated name. */
export const LOCAL_FILES_BUCKET = 'streamcanvas-files';

/** Browsers upload and load straight from the bucket with presigned URLs, from the app's own origins only. */
const corsConfiguration = `<CORSConfiguration>
  ${['http://localhost:*', 'http://127.0.0.1:*']
    .map(
      (origin) => `<CORSRule>
    <AllowedOrigin>${origin}</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>`,
    )
    .join('\n  ')}
</CORSConfiguration>`;

export async function startLocalS3(options: { dataDir: string; port: number; host: string }): Promise<LocalS3> {
  mkdirSync(options.dataDir, { recursive: true });
  const server = new S3rver({
    address: options.host,
    port: options.port,
    directory: options.dataDir,
    silent: true,
    configureBuckets: [{ name: LOCAL_FILES_BUCKET, configs: [corsConfiguration] }],
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LocalStackError(
        `Port ${options.port} (S3) is already in use.`,
        'Stop the other process using it (is another `npm start` running?), or choose another port with STREAMCANVAS_S3_PORT=<port>.',
      );
    }
    throw error;
  }
  return {
    endpoint: `http://${options.host}:${port}`,
    bucketName: LOCAL_FILES_BUCKET,
    async close() {
      server.httpServer?.closeAllConnections?.();
      await server.close();
    },
  };
}
