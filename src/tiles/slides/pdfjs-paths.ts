/** Where the app serves pdf.js's data files (cMaps, standard fonts, wasm decoders, ICC profiles); never a CDN. */
export const PDFJS_ASSETS_PATH = '/pdfjs/';
export const PDFJS_ASSET_DIRS = ['cmaps', 'standard_fonts', 'wasm', 'iccs'] as const;
