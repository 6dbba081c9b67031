import { Component, Suspense, useEffect, useId, useMemo, useState, type ErrorInfo, type ReactNode } from 'react';
import { clampFrame } from '../canvas/geometry';
import { CANVAS_HEIGHT, CANVAS_WIDTH, type Frame, type Tile, type TileState } from '../protocol/realtime';
import { tileTitle, type ServerClock, type TileKind } from '../tiles/tile-kind';
import { Button } from '../ui/Button';
import { AlertIcon, BringToFrontIcon, CloseIcon, SpotlightIcon, TrashIcon } from '../ui/icons';
import { Skeleton } from '../ui/Spinner';
import type { TileGeometry } from './use-tile-gesture';

/** The selected tile's controls: its place, its kind's editor, spotlight, stacking and removal. */
export function TileInspector({
  selected,
  clock,
  isOnTop,
  spotlit,
  onUpdate,
  onRunCode,
  onSetFrame,
  onSpotlight,
  onBringToFront,
  onRemove,
  onClose,
}: {
  selected: { tileId: string; tile: Tile; kind: TileKind | undefined };
  clock: ServerClock;
  isOnTop: boolean;
  spotlit: boolean;
  onUpdate: (tileId: string, set: Partial<TileState>) => void;
  onRunCode: (tileId: string, stdin: string) => void;
  onSetFrame: (tileId: string, frame: Partial<TileGeometry>) => void;
  onSpotlight: (tileId: string | null) => void;
  onBringToFront: (tileId: string) => void;
  onRemove: (tileId: string) => void;
  onClose: () => void;
}) {
  const { tileId, tile, kind } = selected;
  const title = kind ? tileTitle(kind, kind.parseState(tile.state)) : 'Unknown tile';
  return (
    <section className={kind?.wideEditor ? 'panel inspector inspector--wide' : 'panel inspector'} aria-labelledby="inspector-title">
      <header className="panel__header">
        <h2 id="inspector-title" className="panel__title">
          {kind?.Icon ? <kind.Icon className="btn__icon" /> : null}
          {title}
        </h2>
        <Button size="sm" variant="ghost" aria-label="Close tile settings" icon={<CloseIcon className="btn__icon" />} onClick={onClose} />
      </header>
      <div className="panel__body">
        <FrameFields frame={tile.frame} minSize={kind?.minSize ?? { w: 40, h: 40 }} onChange={(frame) => onSetFrame(tileId, frame)} />
        {kind ? (
          <EditorBoundary key={tileId} onRetry={() => kind.Editor.preload?.()}>
            <Suspense fallback={<EditorSkeleton />}>
              <KindEditor kind={kind} tileId={tileId} tile={tile} clock={clock} onUpdate={onUpdate} onRunCode={onRunCode} />
            </Suspense>
          </EditorBoundary>
        ) : (
          <p className="muted">This kind of tile can't be edited in this version of StreamCanvas.</p>
        )}
      </div>
      <footer className="panel__footer">
        <Button
          size="sm"
          variant={spotlit ? 'primary' : 'secondary'}
          aria-pressed={spotlit}
          icon={<SpotlightIcon className="btn__icon" />}
          title="Show this tile full-stage to every viewer"
          onClick={() => onSpotlight(spotlit ? null : tileId)}
        >
          Spotlight
        </Button>
        <Button size="sm" icon={<BringToFrontIcon className="btn__icon" />} disabled={isOnTop} onClick={() => onBringToFront(tileId)}>
          Bring to front
        </Button>
        <Button size="sm" variant="danger-outline" icon={<TrashIcon className="btn__icon" />} onClick={() => onRemove(tileId)}>
          Remove
        </Button>
      </footer>
    </section>
  );
}

/** Empty state of the inspector column, shown while no tile is selected. */
export function NoTileSelected() {
  return (
    <p className="inspector__empty muted">Select a tile on the canvas to change it; its settings appear here.</p>
  );
}

const FIELDS = [
  { key: 'x', label: 'X' },
  { key: 'y', label: 'Y' },
  { key: 'w', label: 'W', name: 'Width' },
  { key: 'h', label: 'H', name: 'Height' },
] as const;

/** Exact position and size in logical canvas pixels; applied on Enter or when a field is left. */
function FrameFields({ frame, minSize, onChange }: { frame: Frame; minSize: { w: number; h: number }; onChange: (frame: Partial<TileGeometry>) => void }) {
  const id = useId();
  const [drafts, setDrafts] = useState<Partial<Record<keyof TileGeometry, string>>>({});
  const commit = (key: keyof TileGeometry) => {
    const draft = drafts[key];
    setDrafts((current) => ({ ...current, [key]: undefined }));
    if (draft === undefined || draft.trim() === '') return;
    const value = Math.round(Number(draft));
    if (!Number.isFinite(value)) return;
    const next = clampFrame({ ...frame, [key]: value }, minSize);
    const change: Partial<TileGeometry> = {};
    for (const field of ['x', 'y', 'w', 'h'] as const) if (next[field] !== frame[field]) change[field] = next[field];
    if (Object.keys(change).length) onChange(change);
  };
  const max = { x: CANVAS_WIDTH - frame.w, y: CANVAS_HEIGHT - frame.h, w: CANVAS_WIDTH, h: CANVAS_HEIGHT };
  const min = { x: 0, y: 0, w: minSize.w, h: minSize.h };
  return (
    <fieldset className="frame-fields">
      <legend className="field__label">Position and size (canvas pixels)</legend>
      {FIELDS.map((field) => (
        <div key={field.key} className="frame-fields__field">
          <label htmlFor={`${id}-${field.key}`} title={'name' in field ? field.name : undefined}>
            {field.label}
          </label>
          <input
            id={`${id}-${field.key}`}
            className="input frame-fields__input"
            type="number"
            inputMode="numeric"
            aria-label={'name' in field ? field.name : field.label}
            min={min[field.key]}
            max={max[field.key]}
            step={1}
            value={drafts[field.key] ?? String(frame[field.key])}
            onChange={(event) => setDrafts((current) => ({ ...current, [field.key]: event.target.value }))}
            onBlur={() => commit(field.key)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') commit(field.key);
              if (event.key === 'Escape') setDrafts((current) => ({ ...current, [field.key]: undefined }));
            }}
          />
        </div>
      ))}
    </fieldset>
  );
}

function KindEditor({
  kind,
  tileId,
  tile,
  clock,
  onUpdate,
  onRunCode,
}: {
  kind: TileKind;
  tileId: string;
  tile: Tile;
  clock: ServerClock;
  onUpdate: (tileId: string, set: Partial<TileState>) => void;
  onRunCode: (tileId: string, stdin: string) => void;
}) {
  const { Editor } = kind;
  const state = useMemo(() => kind.parseState(tile.state), [kind, tile.state]);
  return (
    <Editor tileId={tileId} state={state} clock={clock} update={(set) => onUpdate(tileId, set)} runCode={(stdin) => onRunCode(tileId, stdin)} />
  );
}

/**
 * A tile's editor that fails to load (its chunk could not be downloaded, e.g. offline) or to
 * render stays inside the inspector, with a retry; the canvas, chat and unsent work are untouched.
 */
class EditorBoundary extends Component<{ onRetry: () => Promise<unknown> | undefined; children: ReactNode }, { error: unknown }> {
  override state = { error: undefined as unknown };

  static getDerivedStateFromError(error: unknown) {
    return { error: error ?? new Error('Unknown error') };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('StreamCanvas tile editor error', error, info.componentStack);
  }

  private retry = () => {
    // Starts a new download (a failed one is not remembered), then renders the editor again.
    void this.props.onRetry()?.catch(() => undefined);
    this.setState({ error: undefined });
  };

  override render() {
    if (this.state.error === undefined) return this.props.children;
    const message = this.state.error instanceof Error ? this.state.error.message : String(this.state.error);
    const chunk = /dynamically imported module|Importing a module script failed|Failed to fetch|error loading/i.test(message);
    return (
      <div className="notice notice--error inspector__failed" role="alert">
        <AlertIcon className="btn__icon" />
        <div>
          <p>
            {chunk
              ? "This tile's settings couldn't be downloaded. Check your connection, then try again."
              : "This tile's settings couldn't be shown."}{' '}
            The canvas and your changes are safe.
          </p>
          <Button size="sm" onClick={this.retry}>
            Try again
          </Button>
          <RetryOnReconnect onOnline={this.retry} />
        </div>
      </div>
    );
  }
}

/** Tries again by itself when the browser reports its connection is back. */
function RetryOnReconnect({ onOnline }: { onOnline: () => void }) {
  useEffect(() => {
    window.addEventListener('online', onOnline);
    return () => window.removeEventListener('online', onOnline);
  }, [onOnline]);
  return null;
}

function EditorSkeleton() {
  return (
    <div className="stack" role="status" aria-label="Loading the tile's settings">
      <Skeleton style={{ height: '2.5rem' }} />
      <Skeleton style={{ height: '2.5rem' }} />
      <Skeleton style={{ height: '2.5rem', width: '60%' }} />
    </div>
  );
}
