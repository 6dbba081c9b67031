import './pdfjs-node-globals.js';
import * as pdfjsWorker from 'pdfjs-dist/legacy/build/pdf.worker.mjs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DECK_LIMITS_TEXT, deckLimits } from '../../src/protocol/decks.js';
import { passwordProtectedMessage } from './file-checks.js';

/**
 * Opens a PDF with pdf.js, the same library every viewer renders it with: if it opens here,
 * viewers can show it. Reads the page count and the first page; refuses encrypted (needs a
 * password), damaged and too-long documents with a message for the host.
 */
export type PdfCheck = { ok: true; pageCount: number } | { ok: false; message: string };

// pdf.js runs its parser "in a worker"; in Node, the worker's handler runs in this thread when
// it is on globalThis, which also keeps it inside the function's bundle.
(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = pdfjsWorker;

export async function checkPdf(bytes: Uint8Array): Promise<PdfCheck> {
  // pdf.js takes ownership of (detaches) the buffer it is given, and refuses Node Buffers: hand it a plain copy.
  const task = getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  try {
    const document = await task.promise;
    if (document.numPages > deckLimits.maxPages) {
      return { ok: false, message: `This deck has ${document.numPages} pages. ${DECK_LIMITS_TEXT}.` };
    }
    if (document.numPages < 1) return { ok: false, message: 'This PDF has no pages.' };
    await document.getPage(1);
    return { ok: true, pageCount: document.numPages };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException') return { ok: false, message: passwordProtectedMessage() };
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `This PDF is damaged and cannot be shown (${detail}). Export it again and upload the new copy.` };
  } finally {
    await task.destroy();
  }
}
