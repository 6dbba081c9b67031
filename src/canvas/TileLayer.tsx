import type { CanvasSnapshot } from '../protocol/realtime';
import { TileContent } from '../tiles/TileContent';
import { useTileRegistry } from '../tiles/registry-context';
import type { ServerClock } from '../tiles/tile-kind';
import { frameStyle } from './CanvasSurface';

/** The tiles of a snapshot, read-only: what viewers see. Bottom to top in document order. */
export function TileLayer({ snapshot, clock }: { snapshot: CanvasSnapshot; clock: ServerClock }) {
  const registry = useTileRegistry();
  return (
    <>
      {stackingOrder(snapshot).map(([tileId, tile]) => (
        <div
          key={tileId}
          className="canvas-tile canvas-tile--view"
          style={frameStyle(tile.frame)}
          role="group"
          aria-label={registry.find(tile.kind)?.label ?? 'Tile'}
          data-tile-id={tileId}
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
