import { DECK_FILE_ACCEPT, DECK_LIMITS_TEXT, deckFormatOfFileName, deckLimits, deckStallMs, type Deck } from '../../protocol/decks';
import type { DecksApi } from './decks-api';
import { errorText } from './SlidesView';
import type { SlidesState } from './slides-state';

/**
 * One upload into a slides tile: the PUT with progress, then the server's conversion, polled
 * until the deck is ready or has failed. It lives outside the editor, so selecting another
 * tile (which unmounts the editor) neither stops it nor loses its outcome.
 */
export type UploadPhase =
  | { step: 'uploading'; fileName: string; fraction: number }
  | { step: 'queued' | 'converting'; fileName: string }
  | { step: 'ready'; fileName: string; deck: Deck }
  | { step: 'failed'; fileName: string; message: string };

export interface UploadJob {
  readonly tileId: string;
  phase: UploadPhase;
  cancel(): void;
}

const jobs = new Map<string, UploadJob>();
const listeners = new Set<() => void>();
const POLL_MS = 1000;

export function uploadJobOf(tileId: string): UploadJob | undefined {
  return jobs.get(tileId);
}

export function subscribeUploads(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function dismissUpload(tileId: string): void {
  const job = jobs.get(tileId);
  if (job && (job.phase.step === 'ready' || job.phase.step === 'failed')) {
    jobs.delete(tileId);
    notify();
  }
}

function notify() {
  for (const listener of listeners) listener();
}

/** Why the browser will not even try this file, or undefined. The server checks all of it again. */
export function fileProblem(file: { name: string; size: number }): string | undefined {
  if (!deckFormatOfFileName(file.name)) {
    return `StreamCanvas shows PDF and PowerPoint files (${DECK_FILE_ACCEPT.replaceAll(',', ', ')}). Export other formats as a PDF.`;
  }
  if (file.size === 0) return 'This file is empty. Choose the file again.';
  if (file.size > deckLimits.maxBytes) return `This file is ${(file.size / 1024 / 1024).toFixed(1)} MB. ${DECK_LIMITS_TEXT}.`;
  return undefined;
}

/**
 * Uploads `file` into the tile. `publish` changes the tile's state for everyone: the statuses
 * while the deck is prepared (only when the tile shows no deck yet, so a deck being presented
 * stays up while its replacement uploads), and the deck once it is ready.
 */
export function startUpload(
  api: DecksApi,
  tileId: string,
  file: File,
  shownState: SlidesState,
  publish: (set: Partial<SlidesState>) => void,
  upload: (url: string, headers: Record<string, string>, file: Blob, onProgress: (fraction: number) => void, signal: AbortSignal) => Promise<void>,
): UploadJob {
  const controller = new AbortController();
  const showProgress = shownState.status !== 'ready';
  const job: UploadJob = {
    tileId,
    phase: { step: 'uploading', fileName: file.name, fraction: 0 },
    cancel: () => controller.abort(),
  };
  jobs.set(tileId, job);
  notify();
  const set = (phase: UploadPhase) => {
    job.phase = phase;
    notify();
  };

  void (async () => {
    let deckId: string | undefined;
    try {
      const problem = fileProblem(file);
      if (problem) throw new Error(problem);
      const created = await api.create(file.name, file.size, { signal: controller.signal });
      deckId = created.deck.deckId;
      if (showProgress) publish({ deckId, pageCount: 0, page: 1, status: 'uploading' });
      await upload(created.upload.url, created.upload.headers, file, (fraction) => set({ step: 'uploading', fileName: file.name, fraction }), controller.signal);
      let deck = await api.convert(deckId, { signal: controller.signal });
      const giveUpAt = Date.now() + deckStallMs.processing + 30_000;
      let published: string | undefined;
      while (deck.status === 'queued' || deck.status === 'converting') {
        set({ step: deck.status, fileName: file.name });
        if (showProgress && published !== deck.status) publish({ status: deck.status });
        published = deck.status;
        if (Date.now() > giveUpAt) throw new Error('The conversion is taking far too long. Upload the file again, or export it as a PDF and upload that.');
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        if (controller.signal.aborted) throw new DOMException('Cancelled', 'AbortError');
        deck = await api.get(deckId, { signal: controller.signal });
      }
      if (deck.status !== 'ready' || !deck.pageCount) throw new Error(deck.error ?? 'The file could not be prepared.');
      publish({ deckId, pageCount: deck.pageCount, page: 1, status: 'ready' });
      set({ step: 'ready', fileName: file.name, deck });
    } catch (error) {
      const cancelled = error instanceof DOMException && error.name === 'AbortError';
      if (showProgress && deckId) publish(cancelled ? { deckId: '', pageCount: 0, page: 1, status: 'empty' } : { status: 'failed' });
      set({ step: 'failed', fileName: file.name, message: cancelled ? 'The upload was cancelled.' : errorText(error) });
    }
  })();
  return job;
}
