import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { excalidrawAssets } from './src/tiles/whiteboard/excalidraw-assets-plugin';

export default defineConfig({
  plugins: [react(), excalidrawAssets()],
  build: {
    outDir: 'dist',
    sourcemap: true,
    // The large chunks (CodeMirror, the Authenticator) load lazily, only where they are used;
    // the viewer's initial JS is measured by npm run bench and bounded by a unit test.
    chunkSizeWarningLimit: 800,
  },
});
