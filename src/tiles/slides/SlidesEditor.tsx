import { useCallback, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore, type DragEvent, type KeyboardEvent } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { useAppConfig } from '../../config';
import { getAccessToken } from '../../config/amplify';
import { DECK_FILE_ACCEPT, DECK_LIMITS_TEXT, type Deck } from '../../protocol/decks';
import { Button } from '../../ui/Button';
import { Spinner } from '../../ui/Spinner';
import type { TileEditorProps } from '../tile-kind';
import { createDecksApi, uploadFile, type DecksApi } from './decks-api';
import { dismissUpload, fileProblem, startUpload, subscribeUploads, uploadJobOf, type UploadPhase } from './deck-upload';
import { renderPage } from './pdf-documents';
import { navigationForKey, stepPage, type SlidesState } from './slides-state';
import { errorText, useDeckDocument } from './SlidesView';
import './slides.css';

/**
 * The host's controls for a slides tile: upload (pick or drop), the conversion's progress, page
 * navigation (buttons, keys, a page number, thumbnails) and My decks. Loaded only in the studio.
 */
export default function SlidesEditor({ tileId, state, update }: TileEditorProps<SlidesState>) {
  const { httpApiUrl } = useAppConfig();
  const api = useMemo(() => createDecksApi({ baseUrl: httpApiUrl, getAccessToken }), [httpApiUrl]);
  const job = useSyncExternalStore(subscribeUploads, () => uploadJobOf(tileId)?.phase);
  const [decksVersion, setDecksVersion] = useState(0);
  const [localError, setLocalError] = useState<string>();
  const stateRef = useRef(state);
  stateRef.current = state;

  const go = useCallback(
    (page: number | undefined) => {
      if (page !== undefined) update({ page });
    },
    [update],
  );

  const upload = (file: File) => {
    setLocalError(undefined);
    const problem = fileProblem(file);
    if (problem) return setLocalError(problem);
    if (job && job.step !== 'ready' && job.step !== 'failed') return setLocalError('A file is already being prepared for this tile. Wait until it is ready.');
    startUpload(api, tileId, file, stateRef.current, update, uploadFile);
  };

  useEffect(() => {
    if (job?.step === 'ready') setDecksVersion((n) => n + 1);
  }, [job?.step]);

  // Presentation clickers send Page Up / Page Down: they flip wherever the focus is, except in a text field.
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if ((event.key !== 'PageDown' && event.key !== 'PageUp') || isEditable(event.target)) return;
      const page = stepPage(stateRef.current, event.key === 'PageDown' ? 'next' : 'previous');
      if (page !== undefined) {
        event.preventDefault();
        go(page);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [go]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (isEditable(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
    const step = navigationForKey(event.key, event.shiftKey);
    if (!step || (event.key === ' ' && event.target instanceof HTMLButtonElement)) return;
    event.preventDefault();
    go(stepPage(state, step));
  };

  return (
    <div className="slides-editor" tabIndex={-1} onKeyDown={onKeyDown} aria-label="Slides controls" role="group">
      {state.status === 'ready' && state.deckId ? <Navigator state={state} go={go} /> : null}
      <UploadArea
        hasDeck={state.status === 'ready'}
        job={job}
        error={localError}
        onFile={upload}
        onCancel={() => uploadJobOf(tileId)?.cancel()}
        onDismiss={() => dismissUpload(tileId)}
      />
      <MyDecks
        api={api}
        version={decksVersion}
        currentDeckId={state.deckId}
        onShow={(deck) => update({ deckId: deck.deckId, pageCount: deck.pageCount ?? 0, page: 1, status: 'ready' })}
        onDeleted={(deckId) => {
          if (stateRef.current.deckId === deckId) update({ deckId: '', pageCount: 0, page: 1, status: 'empty' });
        }}
      />
    </div>
  );
}

function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function Navigator({ state, go }: { state: SlidesState; go: (page: number | undefined) => void }) {
  const inputId = useId();
  const [draft, setDraft] = useState(String(state.page));
  useEffect(() => setDraft(String(state.page)), [state.page]);
  const jump = () => {
    const page = Number(draft);
    if (Number.isInteger(page) && page >= 1 && page <= state.pageCount) go(page === state.page ? undefined : page);
    else setDraft(String(state.page));
  };
  return (
    <section className="stack" aria-label="Slide navigation">
      <div className="slides-nav">
        <Button size="sm" onClick={() => go(stepPage(state, 'previous'))} disabled={state.page <= 1} aria-keyshortcuts="ArrowLeft PageUp">
          ‹ Previous
        </Button>
        <Button size="sm" variant="primary" onClick={() => go(stepPage(state, 'next'))} disabled={state.page >= state.pageCount} aria-keyshortcuts="ArrowRight PageDown">
          Next ›
        </Button>
        <span className="slides-nav__page">
          <label htmlFor={inputId}>Slide</label>
          <input
            id={inputId}
            className="input"
            inputMode="numeric"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onBlur={jump}
            onKeyDown={(event) => {
              if (event.key === 'Enter') jump();
            }}
            aria-describedby={`${inputId}-of`}
          />
          <span id={`${inputId}-of`}>of {state.pageCount}</span>
        </span>
      </div>
      <p className="muted" style={{ fontSize: 'var(--text-xs)' }}>
        ← → (or Page Up / Page Down) flip while these controls have the focus; a presentation clicker works anywhere.
      </p>
      <Thumbnails deckId={state.deckId} page={state.page} go={go} />
    </section>
  );
}

function Thumbnails({ deckId, page, go }: { deckId: string; page: number; go: (page: number | undefined) => void }) {
  const { document, error } = useDeckDocument(deckId);
  const stripRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    stripRef.current?.querySelector<HTMLElement>('[aria-current="true"]')?.scrollIntoView({ block: 'nearest', inline: 'center' });
  }, [page, document]);
  if (error) return <p className="slides-error">{error}</p>;
  if (!document) return <Spinner />;
  return (
    <div ref={stripRef} className="slides-thumbs" role="list" aria-label="Slides">
      {Array.from({ length: document.numPages }, (_, index) => index + 1).map((number) => (
        <div role="listitem" key={number}>
          <button
            type="button"
            className="slides-thumb"
            aria-current={number === page}
            aria-label={`Show slide ${number}`}
            onClick={() => go(number === page ? undefined : number)}
          >
            <Thumbnail document={document} page={number} />
            <span className="slides-thumb__number">{number}</span>
          </button>
        </div>
      ))}
    </div>
  );
}

/** Renders once it scrolls into view: a 300-page deck does not render 300 pages up front. */
function Thumbnail({ document, page }: { document: PDFDocumentProxy; page: number }) {
  const holder = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    let cancelled = false;
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      observer.disconnect();
      const ratio = window.devicePixelRatio || 1;
      void renderPage(document, page, 120 * ratio, 68 * ratio).then((rendered) => {
        if (cancelled) return;
        rendered.canvas.style.width = `${rendered.canvas.width / ratio}px`;
        element.replaceChildren(rendered.canvas);
      }, () => undefined);
    });
    observer.observe(element);
    return () => {
      cancelled = true;
      observer.disconnect();
    };
  }, [document, page]);
  return <span ref={holder} aria-hidden="true" />;
}

function UploadArea({
  hasDeck,
  job,
  error,
  onFile,
  onCancel,
  onDismiss,
}: {
  hasDeck: boolean;
  job: UploadPhase | undefined;
  error: string | undefined;
  onFile: (file: File) => void;
  onCancel: () => void;
  onDismiss: () => void;
}) {
  const inputId = useId();
  const [over, setOver] = useState(false);
  const busy = job && job.step !== 'ready' && job.step !== 'failed';
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file && !busy) onFile(file);
  };
  return (
    <section className="stack" aria-label={hasDeck ? 'Replace the deck' : 'Upload a deck'}>
      <div
        className={over ? 'slides-drop slides-drop--over' : 'slides-drop'}
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        {busy ? (
          <UploadProgress phase={job} onCancel={onCancel} />
        ) : (
          <>
            <p>{hasDeck ? 'Show another file: drop it here, or' : 'Drop a PDF or PowerPoint file here, or'}</p>
            <label className="btn btn--secondary btn--sm" htmlFor={inputId}>
              Choose a file…
            </label>
            <input
              id={inputId}
              type="file"
              accept={DECK_FILE_ACCEPT}
              className="sr-only"
              data-testid="slides-file-input"
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = '';
                if (file) onFile(file);
              }}
            />
            <p className="muted" style={{ fontSize: 'var(--text-xs)' }}>
              .pdf, .pptx, .ppt or .odp. {DECK_LIMITS_TEXT}.
            </p>
          </>
        )}
      </div>
      {error ? (
        <p className="slides-error" role="alert">
          {error}
        </p>
      ) : null}
      {job?.step === 'failed' ? (
        <div className="slides-error" role="alert">
          <p>
            <strong>{job.fileName}</strong>: {job.message}
          </p>
          <Button size="sm" variant="ghost" onClick={onDismiss}>
            Dismiss
          </Button>
        </div>
      ) : null}
    </section>
  );
}

function UploadProgress({ phase, onCancel }: { phase: UploadPhase; onCancel: () => void }) {
  const label =
    phase.step === 'uploading'
      ? `Uploading ${phase.fileName}… ${Math.round(phase.fraction * 100)}%`
      : phase.step === 'queued'
        ? `${phase.fileName}: waiting for the converter…`
        : `Converting ${phase.fileName}…`;
  return (
    <div className="stack slides-progress" role="status" aria-live="polite">
      <div className="slides-status">
        {phase.step === 'uploading' ? null : <Spinner />}
        <span data-testid="slides-upload-status">{label}</span>
      </div>
      {phase.step === 'uploading' ? <progress className="slides-progress" max={1} value={phase.fraction} aria-label="Upload progress" /> : null}
      {phase.step === 'uploading' ? (
        <Button size="sm" variant="ghost" onClick={onCancel}>
          Cancel upload
        </Button>
      ) : null}
    </div>
  );
}

function MyDecks({
  api,
  version,
  currentDeckId,
  onShow,
  onDeleted,
}: {
  api: DecksApi;
  version: number;
  currentDeckId: string;
  onShow: (deck: Deck) => void;
  onDeleted: (deckId: string) => void;
}) {
  const [decks, setDecks] = useState<Deck[]>();
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState<string>();
  const [deleting, setDeleting] = useState<string>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    api.list({ signal: controller.signal }).then(
      (list) => {
        setDecks(list.decks.filter((deck) => deck.status === 'ready'));
        setError(undefined);
      },
      (failure: unknown) => !controller.signal.aborted && setError(errorText(failure)),
    );
    return () => controller.abort();
  }, [api, version, reload]);

  const remove = async (deck: Deck) => {
    setDeleting(deck.deckId);
    try {
      await api.remove(deck.deckId);
      onDeleted(deck.deckId);
      setDecks((list) => list?.filter((d) => d.deckId !== deck.deckId));
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setDeleting(undefined);
      setConfirming(undefined);
    }
  };

  return (
    <section className="stack" aria-labelledby="my-decks-title">
      <h3 id="my-decks-title" className="field__label">
        My decks
      </h3>
      {error ? (
        <p className="slides-error" role="alert">
          {error}{' '}
          <Button size="sm" variant="ghost" onClick={() => setReload((n) => n + 1)}>
            Retry
          </Button>
        </p>
      ) : null}
      {!decks && !error ? <Spinner /> : null}
      {decks && decks.length === 0 ? <p className="muted">Decks you upload stay here, to show again in later sessions.</p> : null}
      {decks && decks.length > 0 ? (
        <ul className="slides-decks">
          {decks.map((deck) => (
            <li key={deck.deckId}>
              <span className="slides-decks__name" title={deck.name}>
                {deck.name} <span className="muted">· {deck.pageCount} slides</span>
              </span>
              {confirming === deck.deckId ? (
                <>
                  <Button size="sm" variant="danger" busy={deleting === deck.deckId} onClick={() => void remove(deck)}>
                    Delete for good
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => setConfirming(undefined)}>
                    Keep
                  </Button>
                </>
              ) : (
                <>
                  <Button size="sm" disabled={deck.deckId === currentDeckId} onClick={() => onShow(deck)} aria-label={`Show ${deck.name}`}>
                    {deck.deckId === currentDeckId ? 'Showing' : 'Show'}
                  </Button>
                  <Button size="sm" variant="danger-outline" onClick={() => setConfirming(deck.deckId)} aria-label={`Delete ${deck.name}`}>
                    Delete
                  </Button>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
