import { useId, useState, type ReactNode } from 'react';
import type { Guide } from '../canvas/geometry';
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
  const [guides, setGuides] = useState<Guide[]>([]);
  const tiles = stackingOrder(snapshot);
  const spotlight = snapshot.canvas.spotlight;

  return (
    <div className="studio-canvas">
      <div className="studio-canvas__fit">
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
              spotlit={tileId === spotlight}
              instructionsId={instructionsId}
              commands={commands}
              others={tiles.filter(([otherId]) => otherId !== tileId).map(([, other]) => other.frame)}
              onGuides={setGuides}
              onGestureChange={setMoving}
            />
          ))}
          {guides.map((guide) => (
            <span
              key={`${guide.axis}${guide.at}`}
              className={`canvas-guide canvas-guide--${guide.axis}`}
              data-testid="alignment-guide"
              aria-hidden="true"
              style={guide.axis === 'x' ? { left: guide.at, top: guide.from, height: guide.to - guide.from } : { top: guide.at, left: guide.from, width: guide.to - guide.from }}
            />
          ))}
        </CanvasSurface>
        {overlay}
      </CanvasFrame>
      <p id={instructionsId} className="studio-canvas__help">
        <kbd>Tab</kbd> to a tile, then arrows move it (<kbd>Shift</kbd> for bigger steps), <kbd>Alt</kbd>+arrows resize, <kbd>]</kbd>{' '}
        brings it to the front, <kbd>Delete</kbd> removes it. <kbd>Ctrl</kbd>+<kbd>Z</kbd> undoes, <kbd>Shift</kbd>+<kbd>Ctrl</kbd>+<kbd>Z</kbd>{' '}
        redoes.
      </p>
      </div>
    </div>
  );
}
