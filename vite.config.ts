import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { pdfjsAssets } from './src/tiles/slides/vite-pdfjs-assets.js';

export default defineConfig({
  plugins: [react(), pdfjsAssets()],
  build: {
    outDir: 'dist',
    sourcemap: true,
    // The large chunks (CodeMirror, the Authenticator) load lazily, only where they are used;
    // the viewer's initial JS is measured by npm run bench and bounded by a unit test.
    chunkSizeWarningLimit: 800,
  },
});
