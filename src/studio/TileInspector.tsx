import { Suspense, useMemo } from 'react';
import { describeFrame } from '../canvas/geometry';
import type { Tile, TileState } from '../protocol/realtime';
import type { ServerClock, TileKind } from '../tiles/tile-kind';
import { Button } from '../ui/Button';
import { BringToFrontIcon, LayoutIcon, TrashIcon } from '../ui/icons';
import { Skeleton } from '../ui/Spinner';

/** The selected tile's controls: its kind's editor, plus stacking and removal. */
export function TileInspector({
  selected,
  clock,
  isOnTop,
  onUpdate,
  onRunCode,
  onBringToFront,
  onRemove,
}: {
  selected: { tileId: string; tile: Tile; kind: TileKind | undefined } | undefined;
  clock: ServerClock;
  isOnTop: boolean;
  onUpdate: (tileId: string, set: Partial<TileState>) => void;
  onRunCode: (tileId: string, stdin: string) => void;
  onBringToFront: (tileId: string) => void;
  onRemove: (tileId: string) => void;
}) {
  if (!selected) {
    return (
      <section className="panel inspector" aria-labelledby="inspector-title">
        <header className="panel__header">
          <h2 id="inspector-title" className="panel__title">
            Tile settings
          </h2>
        </header>
        <div className="panel__empty">
          <LayoutIcon className="panel__empty-icon" />
          <p>Select a tile on the canvas to change it.</p>
        </div>
      </section>
    );
  }

  const { tileId, tile, kind } = selected;
  return (
    <section className="panel inspector" aria-labelledby="inspector-title">
      <header className="panel__header">
        <h2 id="inspector-title" className="panel__title">
          {kind?.Icon ? <kind.Icon className="btn__icon" /> : null}
          {kind?.label ?? 'Unknown tile'}
        </h2>
        <span className="panel__meta">{describeFrame(tile.frame)}</span>
      </header>
      <div className="panel__body">
        {kind ? (
          <Suspense fallback={<EditorSkeleton />}>
            <KindEditor kind={kind} tileId={tileId} tile={tile} clock={clock} onUpdate={onUpdate} onRunCode={onRunCode} />
          </Suspense>
        ) : (
          <p className="muted">This kind of tile can't be edited in this version of StreamCanvas.</p>
        )}
      </div>
      <footer className="panel__footer">
        <Button size="sm" icon={<BringToFrontIcon className="btn__icon" />} disabled={isOnTop} onClick={() => onBringToFront(tileId)}>
          Bring to front
        </Button>
        <Button size="sm" variant="danger-outline" icon={<TrashIcon className="btn__icon" />} onClick={() => onRemove(tileId)}>
          Remove tile
        </Button>
      </footer>
    </section>
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

function EditorSkeleton() {
  return (
    <div className="stack" role="status" aria-label="Loading the tile's settings">
      <Skeleton style={{ height: '2.5rem' }} />
      <Skeleton style={{ height: '2.5rem' }} />
      <Skeleton style={{ height: '2.5rem', width: '60%' }} />
    </div>
  );
}
