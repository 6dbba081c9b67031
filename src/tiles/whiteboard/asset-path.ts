/** Where the app serves Excalidraw's fonts (excalidraw-assets-plugin.ts copies them there). */
export const EXCALIDRAW_ASSET_BASE = '/excalidraw-assets/';

declare global {
  interface Window {
    EXCALIDRAW_ASSET_PATH?: string | string[];
  }
}

/** Must run before Excalidraw's module loads: it reads the path when it registers its fonts. */
export function pointExcalidrawAtSelfHostedAssets(): void {
  window.EXCALIDRAW_ASSET_PATH = `${window.location.origin}${EXCALIDRAW_ASSET_BASE}`;
}
