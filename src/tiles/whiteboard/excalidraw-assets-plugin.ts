import { cpSync, createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { EXCALIDRAW_ASSET_BASE } from './asset-path.js';

/**
 * Excalidraw loads its fonts from `window.EXCALIDRAW_ASSET_PATH` + `fonts/…`, and from a public
 * CDN otherwise. This plugin makes the app serve them itself: Vite's dev server answers
 * `/excalidraw-assets/fonts/…` from the package, and a build copies the folder into dist/.
 */
export function excalidrawAssets(): Plugin {
  const fontsDir = () => join(dirname(createRequire(import.meta.url).resolve('@excalidraw/excalidraw')), 'fonts');
  let outDir = 'dist';
  return {
    name: 'streamcanvas-excalidraw-assets',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(`${EXCALIDRAW_ASSET_BASE}fonts`, (request, response, next) => {
        const root = fontsDir();
        const file = normalize(join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://dev').pathname)));
        if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) return next();
        response.setHeader('content-type', 'font/woff2');
        createReadStream(file).pipe(response);
      });
    },
    writeBundle() {
      cpSync(fontsDir(), join(outDir, EXCALIDRAW_ASSET_BASE, 'fonts'), { recursive: true });
    },
  };
}
