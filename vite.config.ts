import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin, type Rolldown } from 'vite';
import react from '@vitejs/plugin-react';
import { pdfjsAssets } from './src/tiles/slides/vite-pdfjs-assets.js';
import { excalidrawAssets } from './src/tiles/whiteboard/excalidraw-assets-plugin.js';

/**
 * Inlines src/boot/early-start.js into index.html, with the viewer route's chunks and styles:
 * a viewer page fetches them, the config and its room's snapshot while the app's own
 * JavaScript is still downloading, instead of one after the other. In the build, the entry's
 * script and module preloads move into that script too, after the config request: the
 * browser's preload scanner would otherwise request them first, and over HTTP/1.1 (six
 * connections to a host) the config, which the room's socket waits for, queued behind them.
 */
function earlyStart(): Plugin {
  return {
    name: 'streamcanvas-early-start',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const assets = context.bundle ? routeAssets(context.bundle, 'src/viewer/WatchPage.tsx') : [];
        let entry: string | undefined;
        const preloads: string[] = [];
        const rest = context.bundle
          ? html
              .replace(/\s*<script type="module" crossorigin src="([^"]+)"><\/script>/, (_tag, src: string) => ((entry = src), ''))
              .replace(/\s*<link rel="modulepreload" crossorigin href="([^"]+)">/g, (_tag, href: string) => (preloads.push(href), ''))
          : html;
        const script = readFileSync('src/boot/early-start.js', 'utf8');
        const assetList = { entry: entry ? [entry, ...preloads] : preloads, watch: assets };
        return {
          html: rest,
          tags: [
            { tag: 'script', children: `window.__streamcanvasRouteAssets=${JSON.stringify(assetList)};\n${script}`, injectTo: 'head-prepend' },
            // Run the app where Vite put it: once the document is parsed (#root exists), from the preloaded module.
            ...(entry ? [{ tag: 'script', attrs: { type: 'module', crossorigin: true, src: entry }, injectTo: 'body' as const }] : []),
          ],
        };
      },
    },
  };
}

/** A lazy route's chunk, the chunks it imports statically (not the entry's) and their CSS. */
function routeAssets(bundle: Rolldown.OutputBundle, facade: string): string[] {
  const chunks = Object.values(bundle).filter((file): file is Rolldown.OutputChunk => file.type === 'chunk');
  const entry = new Set(chunks.filter((chunk) => chunk.isEntry).flatMap((chunk) => [chunk.fileName, ...chunk.imports]));
  const route = chunks.find((chunk) => chunk.facadeModuleId?.replace(/\\/g, '/').endsWith(facade));
  if (!route) return [];
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const files = new Set<string>();
  const visit = (chunk: Rolldown.OutputChunk) => {
    if (files.has(chunk.fileName) || entry.has(chunk.fileName)) return;
    files.add(chunk.fileName);
    for (const css of (chunk as { viteMetadata?: { importedCss?: Set<string> } }).viteMetadata?.importedCss ?? []) files.add(css);
    for (const name of chunk.imports) {
      const imported = byName.get(name);
      if (imported) visit(imported);
    }
  };
  visit(route);
  return [...files].map((file) => `/${file}`);
}

export default defineConfig({
  plugins: [react(), earlyStart(), pdfjsAssets(), excalidrawAssets()],
  build: {
    outDir: 'dist',
    sourcemap: true,
    // The large chunks (CodeMirror, the Authenticator) load lazily, only where they are used;
    // the viewer's initial JS is measured by npm run bench and bounded by a unit test.
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // What every page runs before anything else, in one chunk beside the entry instead of
          // one per set of routes sharing it: a page's first download is then a few requests.
          groups: [{ name: 'startup', tags: ['$initial'] }],
        },
      },
    },
  },
});
