import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { PDFJS_ASSETS_PATH } from './pdfjs-paths';

/**
 * pdf.js for the slides tile: its worker, cMaps, standard fonts, wasm decoders and ICC profiles
 * come from the app itself. One loaded document per deck, shared by the tile and the editor's
 * thumbnails; pages are rendered at device pixels and kept for the next flip.
 */
GlobalWorkerOptions.workerSrc = workerUrl;

const documents = new Map<string, Promise<PDFDocumentProxy>>();
const KEPT_DOCUMENTS = 3;

/** The deck's document, loading it once (the URL is fetched only when it is not loaded yet). */
export function loadDeckDocument(deckId: string, documentUrl: () => Promise<string>): Promise<PDFDocumentProxy> {
  const known = documents.get(deckId);
  if (known) return known;
  const loading = documentUrl().then(
    (url) =>
      getDocument({
        url,
        // One request for the whole file: the presigned URL expires, so later range requests could fail.
        disableRange: true,
        disableStream: false,
        isEvalSupported: false,
        cMapUrl: `${PDFJS_ASSETS_PATH}cmaps/`,
        cMapPacked: true,
        standardFontDataUrl: `${PDFJS_ASSETS_PATH}standard_fonts/`,
        wasmUrl: `${PDFJS_ASSETS_PATH}wasm/`,
        iccUrl: `${PDFJS_ASSETS_PATH}iccs/`,
      }).promise,
  );
  documents.set(deckId, loading);
  // A failed load is forgotten, so the next attempt starts over; old decks make room for new ones.
  loading.catch(() => documents.delete(deckId));
  while (documents.size > KEPT_DOCUMENTS) {
    const oldest = documents.keys().next().value as string;
    const evicted = documents.get(oldest);
    documents.delete(oldest);
    void evicted?.then((document) => document.destroy()).catch(() => undefined);
  }
  return loading;
}

/** A page rendered to fit `width` × `height` device pixels (aspect kept). */
export interface RenderedPage {
  canvas: HTMLCanvasElement;
  page: number;
  boxWidth: number;
  boxHeight: number;
}

/** Renders with pdf.js into a new canvas sized to the page's fit inside the box. */
export async function renderPage(document: PDFDocumentProxy, pageNumber: number, boxWidth: number, boxHeight: number): Promise<RenderedPage> {
  const page = await document.getPage(pageNumber);
  const base = page.getViewport({ scale: 1 });
  const scale = Math.min(boxWidth / base.width, boxHeight / base.height);
  const viewport = page.getViewport({ scale });
  const canvas = window.document.createElement('canvas');
  canvas.width = Math.max(1, Math.floor(viewport.width));
  canvas.height = Math.max(1, Math.floor(viewport.height));
  await page.render({ canvas, viewport }).promise;
  return { canvas, page: pageNumber, boxWidth, boxHeight };
}
