import { useId, useState, type ReactNode } from 'react';
import { CanvasFrame, CanvasHint } from '../canvas/CanvasFrame';
import { CanvasSurface } from '../canvas/CanvasSurface';
import { stackingOrder } from '../canvas/TileLayer';
import type { CanvasSnapshot } from '../protocol/realtime';
import { useTileRegistry } from '../tiles/registry-context';
import type { ServerClock } from '../tiles/tile-kind';
import { LayoutIcon } from '../ui/icons';
import { Spinner } from '../ui/Spinner';
import { EditableTile, type TileCommands } from './EditableTile';

/**
 * The host's canvas: every tile as viewers see it, editable by pointer and keyboard.
 * Until a tile is added it shows how to start.
 */
export function StudioCanvas({
  snapshot,
  clock,
  selectedId,
  commands,
  loading = false,
  overlay,
}: {
  snapshot: CanvasSnapshot;
  clock: ServerClock;
  selectedId: string | undefined;
  commands: TileCommands;
  /** True until the room's first snapshot: the canvas is not known yet. */
  loading?: boolean;
  /** Drawn over the canvas in screen space (floating reactions). */
  overlay?: ReactNode;
}) {
  const registry = useTileRegistry();
  const instructionsId = useId();
  const [moving, setMoving] = useState(false);
  const tiles = stackingOrder(snapshot);

  return (
    <div className="studio-canvas">
      <CanvasFrame
        label="Canvas"
        overlay={
          loading ? (
            <CanvasHint icon={<Spinner />} title="Connecting to your canvas…" text="Your tiles appear in a moment." />
          ) : tiles.length === 0 ? (
            <CanvasHint
              icon={<LayoutIcon />}
              title="Add tiles from the palette"
              text="Tiles appear here exactly as your viewers will see them. Drag to move, pull the handles to resize."
            />
          ) : undefined
        }
      >
        <CanvasSurface
          onPointerDown={(event) => {
            if (event.target === event.currentTarget) commands.select(undefined);
          }}
        >
          <div className={moving ? 'canvas-grid canvas-grid--visible' : 'canvas-grid'} aria-hidden="true" />
          {tiles.map(([tileId, tile]) => (
            <EditableTile
              key={tileId}
              tileId={tileId}
              tile={tile}
              kind={registry.find(tile.kind)}
              clock={clock}
              selected={tileId === selectedId}
              instructionsId={instructionsId}
              commands={commands}
              onGestureChange={setMoving}
            />
          ))}
        </CanvasSurface>
        {overlay}
      </CanvasFrame>
      <p id={instructionsId} className="studio-canvas__help">
        <kbd>Tab</kbd> to a tile, then <kbd>←</kbd>
        <kbd>→</kbd>
        <kbd>↑</kbd>
        <kbd>↓</kbd> move it (<kbd>Shift</kbd> for bigger steps), <kbd>Alt</kbd>+arrows resize, <kbd>]</kbd> brings it to the
        front and <kbd>Delete</kbd> removes it.
      </p>
    </div>
  );
}
