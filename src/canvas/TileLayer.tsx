import type { CanvasSnapshot } from '../protocol/realtime';
import { TileContent } from '../tiles/TileContent';
import { useTileRegistry } from '../tiles/registry-context';
import type { ServerClock } from '../tiles/tile-kind';
import { frameStyle } from './CanvasSurface';

/**
 * The tiles of a snapshot, read-only: what viewers see. Bottom to top in document order.
 * With `onOpen`, a click, tap, Enter or Space on a tile opens it full-stage.
 */
export function TileLayer({
  snapshot,
  clock,
  onOpen,
  openHintId,
}: {
  snapshot: CanvasSnapshot;
  clock: ServerClock;
  onOpen?: (tileId: string) => void;
  /** Id of the visible hint that says how to open a tile. */
  openHintId?: string;
}) {
  const registry = useTileRegistry();
  return (
    <>
      {stackingOrder(snapshot).map(([tileId, tile]) => (
        <div
          key={tileId}
          className={onOpen ? 'canvas-tile canvas-tile--view canvas-tile--focusable' : 'canvas-tile canvas-tile--view'}
          style={frameStyle(tile.frame)}
          role="group"
          aria-label={registry.find(tile.kind)?.label ?? 'Tile'}
          aria-describedby={onOpen ? openHintId : undefined}
          data-tile-id={tileId}
          tabIndex={onOpen ? 0 : undefined}
          onClick={
            onOpen &&
            ((event) => {
              // The tile's own controls (e.g. Copy) keep their meaning.
              if (!(event.target as HTMLElement).closest('button, a, input, select, textarea')) onOpen(tileId);
            })
          }
          onKeyDown={
            onOpen &&
            ((event) => {
              if (event.target === event.currentTarget && (event.key === 'Enter' || event.key === ' ')) {
                event.preventDefault();
                onOpen(tileId);
              }
            })
          }
        >
          <TileContent tileId={tileId} tile={tile} clock={clock} />
        </div>
      ))}
    </>
  );
}

/** Tiles bottom to top (ties by id), so reading order and painting order agree. */
export function stackingOrder(snapshot: CanvasSnapshot) {
  return Object.entries(snapshot.tiles).sort(([a, ta], [b, tb]) => ta.frame.z - tb.frame.z || a.localeCompare(b));
}
