import { useEffect, useMemo, useRef, useState } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { useAppConfig } from '../../config';
import { describeError } from '../../lib/errors';
import { Spinner } from '../../ui/Spinner';
import { TileNotice } from '../TileContent';
import { useTileSession } from '../session-context';
import type { TileViewProps } from '../tile-kind';
import { createDecksApi } from './decks-api';
import { loadDeckDocument, renderPage, type RenderedPage } from './pdf-documents';
import { SLIDE_SHOWN_EVENT_NAME } from './slide-shown';
import { pagesToPrefetch, type SlidesState } from './slides-state';
import './slides.css';


/**
 * The slide on every canvas (viewers' and the studio's): the deck's current page, rendered by
 * pdf.js at the tile's size in device pixels, so it stays sharp at any size and screen density.
 * The pages around it are rendered ahead, so a flip only copies pixels.
 */
export default function SlidesView({ state }: TileViewProps<SlidesState>) {
  if (state.status === 'ready' && state.deckId) return <DeckPage deckId={state.deckId} page={state.page} />;
  switch (state.status) {
    case 'uploading':
      return <Waiting text="The host is uploading slides…" />;
    case 'queued':
    case 'converting':
      return <Waiting text="Preparing the slides…" />;
    case 'failed':
      return <TileNotice title="These slides couldn't be prepared" text="The host can upload them again." />;
    default:
      return <TileNotice title="No slides yet" text="The host hasn't chosen a deck." />;
  }
}

function Waiting({ text }: { text: string }) {
  return (
    <div className="tile-notice slides-waiting" role="status">
      <Spinner />
      <p className="tile-notice__text">{text}</p>
    </div>
  );
}

/** The deck's PDF for this session: one request for its URL, one for the file, shared by every view of it. */
export function useDeckDocument(deckId: string): { document?: PDFDocumentProxy; error?: string; retry: () => void } {
  const session = useTileSession();
  const { httpApiUrl } = useAppConfig();
  const api = useMemo(() => createDecksApi({ baseUrl: httpApiUrl }), [httpApiUrl]);
  const [result, setResult] = useState<{ deckId: string; document?: PDFDocumentProxy; error?: string }>({ deckId });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!session) {
      setResult({ deckId, error: 'This canvas does not belong to a session.' });
      return;
    }
    let current = true;
    setResult({ deckId });
    loadDeckDocument(deckId, () => api.sessionDeck(session.sessionId, deckId).then((found) => found.url)).then(
      (document) => current && setResult({ deckId, document }),
      (error: unknown) => current && setResult({ deckId, error: errorText(error) }),
    );
    return () => {
      current = false;
    };
  }, [api, deckId, session, attempt]);
  const fresh = result.deckId === deckId ? result : { deckId };
  return { ...fresh, retry: () => setAttempt((n) => n + 1) };
}

function DeckPage({ deckId, page }: { deckId: string; page: number }) {
  const { document, error, retry } = useDeckDocument(deckId);
  if (error) {
    return (
      <div className="tile-notice">
        <p className="tile-notice__title">The slides couldn't be loaded</p>
        <p className="tile-notice__text">{error}</p>
        <button type="button" className="btn btn--secondary btn--sm" onClick={retry}>
          Try again
        </button>
      </div>
    );
  }
  if (!document) return <Waiting text="Loading the slides…" />;
  return <PageCanvas deckId={deckId} document={document} page={Math.min(page, document.numPages)} />;
}

/** Device pixels of the box the page fits into: the tile's on-screen size (after the canvas's CSS scale) times the pixel ratio. */
function useDeviceBox(ref: React.RefObject<HTMLElement | null>): { width: number; height: number } | undefined {
  const [box, setBox] = useState<{ width: number; height: number }>();
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const rect = element.getBoundingClientRect();
      const ratio = window.devicePixelRatio || 1;
      const width = Math.round(rect.width * ratio);
      const height = Math.round(rect.height * ratio);
      if (width > 0 && height > 0) setBox((old) => (old && old.width === width && old.height === height ? old : { width, height }));
    };
    measure();
    // The tile's own size does not change when the canvas is scaled to the window: watch the frame too.
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    const frame = element.closest('.canvas-frame');
    if (frame) observer.observe(frame);
    const density = window.matchMedia?.(`(resolution: ${window.devicePixelRatio}dppx)`);
    density?.addEventListener?.('change', measure);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      density?.removeEventListener?.('change', measure);
      window.removeEventListener('resize', measure);
    };
  }, [ref]);
  return box;
}

const KEPT_PAGES = 6;

function PageCanvas({ deckId, document, page }: { deckId: string; document: PDFDocumentProxy; page: number }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const box = useDeviceBox(boxRef);
  const rendered = useRef(new Map<string, Promise<RenderedPage>>());
  const [shown, setShown] = useState<RenderedPage>();
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    if (!box) return;
    let current = true;
    const cache = rendered.current;
    const keyOf = (p: number) => `${deckId}:${p}:${box.width}x${box.height}`;
    const get = (p: number) => {
      let found = cache.get(keyOf(p));
      if (!found) {
        found = renderPage(document, p, box.width, box.height);
        cache.set(keyOf(p), found);
        found.catch(() => cache.delete(keyOf(p)));
      }
      return found;
    };
    get(page).then(
      (result) => {
        if (!current) return;
        setShown(result);
        setFailure(undefined);
        // Then the neighbours, one after another, so the current page never waits behind them.
        void pagesToPrefetch(page, document.numPages).reduce((chain, p) => chain.then(() => (current ? get(p).then(() => undefined) : undefined)), Promise.resolve());
      },
      (error: unknown) => current && setFailure(errorText(error)),
    );
    // Forget pages far from here, and any rendered at another size.
    const wanted = new Set([page, ...pagesToPrefetch(page, document.numPages)].map(keyOf));
    for (const key of [...cache.keys()]) if (!wanted.has(key) && cache.size > KEPT_PAGES) cache.delete(key);
    return () => {
      current = false;
    };
  }, [box, deckId, document, page]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !shown) return;
    canvas.width = shown.canvas.width;
    canvas.height = shown.canvas.height;
    canvas.getContext('2d')?.drawImage(shown.canvas, 0, 0);
    canvas.dataset.shownPage = String(shown.page);
    canvas.dispatchEvent(new CustomEvent(SLIDE_SHOWN_EVENT_NAME, { bubbles: true, detail: { deckId, page: shown.page } }));
  }, [shown, deckId]);

  // The bitmap is exactly the page's fit in device pixels; CSS gives it the same share of the tile.
  const style = shown ? { width: `${(shown.canvas.width / shown.boxWidth) * 100}%`, height: `${(shown.canvas.height / shown.boxHeight) * 100}%` } : undefined;
  return (
    <div ref={boxRef} className="slides-view">
      {failure ? <TileNotice title="This slide couldn't be drawn" text={failure} /> : null}
      <canvas ref={canvasRef} className="slides-view__page" style={style} role="img" aria-label={`Slide ${shown?.page ?? page} of ${document.numPages}`} />
      {!shown && !failure ? <Spinner /> : null}
    </div>
  );
}

export function errorText(error: unknown): string {
  const { message, resolution } = describeError(error);
  return resolution ? `${message} ${resolution}` : message;
}
