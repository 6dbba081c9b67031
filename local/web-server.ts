import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { closeServer, listen, LocalStackError } from './listen.js';

/** Serves the app: Vite's dev server for `npm start`, or a built `dist/` for tests and benchmarks. */
export type WebMode = { kind: 'dev' } | { kind: 'static'; dir: string } | { kind: 'none' };

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

const OUTPUTS_PATH = '/amplify_outputs.json';

export async function startWebServer(options: { mode: WebMode; host: string; port: number; outputs: unknown }): Promise<WebServer | undefined> {
  const outputsJson = JSON.stringify(options.outputs, null, 2);
  if (options.mode.kind === 'none') return undefined;
  if (options.mode.kind === 'dev') return startVite(options.host, options.port, outputsJson);
  return startStatic(options.mode.dir, options.host, options.port, outputsJson);
}

async function startVite(host: string, port: number, outputsJson: string): Promise<WebServer> {
  const { createServer: createViteServer } = await import('vite');
  const vite = await createViteServer({
    server: { host, port, strictPort: true },
    clearScreen: false,
    logLevel: 'warn',
    plugins: [
      {
        name: 'streamcanvas-local-outputs',
        configureServer(server) {
          server.middlewares.use(OUTPUTS_PATH, (_request, response) => {
            response.setHeader('content-type', 'application/json');
            response.setHeader('cache-control', 'no-store');
            response.end(outputsJson);
          });
        },
      },
    ],
  });
  try {
    await vite.listen();
  } catch (error) {
    await vite.close();
    if ((error as Error).message.includes('already in use')) {
      throw new LocalStackError(`Port ${port} (web app) is already in use.`, 'Stop the other process, or choose another port with STREAMCANVAS_WEB_PORT=<port>.');
    }
    throw error;
  }
  return { url: `http://localhost:${port}`, close: () => vite.close() };
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
};

async function startStatic(dir: string, host: string, port: number, outputsJson: string): Promise<WebServer> {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) {
    throw new LocalStackError(`No built app in ${root}.`, 'Run `npm run build` first.');
  }
  const files = staticFiles();
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://web').pathname);
    if (path === OUTPUTS_PATH) {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(outputsJson);
      return;
    }
    const gzip = acceptsGzip(request);
    let file = normalize(join(root, path));
    let served = file.startsWith(root) ? files.read(file, gzip) : undefined;
    // Any other path is a route of the app.
    if (!served) served = files.read((file = join(root, 'index.html')), gzip)!;
    const { body, encoding } = served;
    const immutable = path.startsWith('/assets/');
    response.writeHead(200, {
      'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-length': body.length,
      vary: 'accept-encoding',
      ...(encoding ? { 'content-encoding': encoding } : {}),
    });
    response.end(body);
  });
  const actualPort = await listen(server, port, host, 'web app', 'STREAMCANVAS_WEB_PORT');
  return { url: `http://localhost:${actualPort}`, close: () => closeServer(server) };
}

const compressible = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.map']);

function acceptsGzip(request: IncomingMessage): boolean {
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
}

/**
 * The built files, read once and kept in memory, text types also gzipped once: as Amplify
 * Hosting's CDN serves them. Streamed from disk uncompressed, the viewer's 390 KB entry chunk
 * was the last of its first requests to arrive, and the page's start waited for it.
 * An entry is read again when the file's size or modification time changes (a rebuild).
 */
export function staticFiles() {
  const cache = new Map<string, { stamp: string; body: Buffer; gzipped?: Buffer }>();
  return {
    /** Undefined when there is no such file (or it is a folder). */
    read(file: string, gzip: boolean): { body: Buffer; encoding?: 'gzip' } | undefined {
      const stats = statSync(file, { throwIfNoEntry: false });
      if (!stats?.isFile()) return undefined;
      const stamp = `${stats.size}:${stats.mtimeMs}`;
      let entry = cache.get(file);
      if (entry?.stamp !== stamp) cache.set(file, (entry = { stamp, body: readFileSync(file) }));
      if (!gzip || !compressible.has(extname(file)) || entry.body.length < 1024) return { body: entry.body };
      entry.gzipped ??= gzipSync(entry.body, { level: 6 });
      return { body: entry.gzipped, encoding: 'gzip' };
    },
  };
}
