import { createApiRequest, type RequestOptions } from '../../api/sessions-api';
import { deckDocumentSchema, deckListSchema, deckSchema, deckUploadSchema, type DeckDocument } from '../../protocol/decks';
import { z } from 'zod';

/** The deck routes of the HTTP API, for the slides tile (the host's routes need `getAccessToken`). */
export function createDecksApi(deps: { baseUrl: string; getAccessToken?: () => Promise<string | undefined> }) {
  const request = createApiRequest(deps);
  const deckPath = (deckId: string) => `/decks/${encodeURIComponent(deckId)}`;
  return {
    create: (fileName: string, size: number, options?: RequestOptions) =>
      request({ method: 'POST', path: '/decks', auth: true, body: { fileName, size }, what: 'such route' }, deckUploadSchema, options),
    convert: (deckId: string, options?: RequestOptions) =>
      request({ method: 'POST', path: `${deckPath(deckId)}/convert`, auth: true, what: 'such deck' }, deckSchema, options),
    get: (deckId: string, options?: RequestOptions) => request({ method: 'GET', path: deckPath(deckId), auth: true, what: 'such deck' }, deckSchema, options),
    list: (options?: RequestOptions) => request({ method: 'GET', path: '/decks', auth: true, what: 'such route' }, deckListSchema, options),
    remove: (deckId: string, options?: RequestOptions) =>
      request({ method: 'DELETE', path: deckPath(deckId), auth: true, what: 'such deck' }, z.object({ deckId: z.string() }), options),
    /** Public: a session's deck, as its viewers load it. */
    sessionDeck: (sessionId: string, deckId: string, options?: RequestOptions): Promise<DeckDocument> =>
      request(
        { method: 'GET', path: `/sessions/${encodeURIComponent(sessionId)}/decks/${encodeURIComponent(deckId)}`, auth: false, what: 'such deck' },
        deckDocumentSchema,
        options,
      ),
  };
}
export type DecksApi = ReturnType<typeof createDecksApi>;

/** PUTs a file to a presigned URL, reporting progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function uploadFile(
  url: string,
  headers: Record<string, string>,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`The upload was refused (HTTP ${xhr.status}).`)));
    xhr.onerror = () => reject(new Error('The upload failed: check your connection and try again.'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
