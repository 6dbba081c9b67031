import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import type { Plugin } from 'vite';
import { PDFJS_ASSET_DIRS, PDFJS_ASSETS_PATH } from './pdfjs-paths.js';

/**
 * Serves pdf.js's data files from the app itself (dev server) and copies them into the build
 * (`dist/pdfjs/…`), so slides render with no request leaving the app's origin.
 */
export function pdfjsAssets(): Plugin {
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return {
    name: 'streamcanvas-pdfjs-assets',
    configureServer(server) {
      server.middlewares.use(PDFJS_ASSETS_PATH, (request, response, next) => {
        const relative = normalize(decodeURIComponent((request.url ?? '').split('?')[0] ?? '')).replace(/^[/\\]+/, '');
        const [dir] = relative.split(/[/\\]/);
        const file = join(root, relative);
        if (!PDFJS_ASSET_DIRS.includes(dir as (typeof PDFJS_ASSET_DIRS)[number]) || relative.includes('..') || !statSync(file, { throwIfNoEntry: false })?.isFile()) return next();
        if (file.endsWith('.wasm')) response.setHeader('content-type', 'application/wasm');
        createReadStream(file).pipe(response);
      });
    },
    generateBundle() {
      for (const dir of PDFJS_ASSET_DIRS) {
        for (const name of readdirSync(join(root, dir))) {
          if (name.includes('LICENSE')) continue;
          this.emitFile({ type: 'asset', fileName: `${PDFJS_ASSETS_PATH.slice(1)}${dir}/${name}`, source: readFileSync(join(root, dir, name)) });
        }
      }
    },
  };
}
