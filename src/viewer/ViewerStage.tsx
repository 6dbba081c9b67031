import { useEffect, useRef, type ReactNode } from 'react';
import { CanvasFrame, CanvasHint } from '../canvas/CanvasFrame';
import { CanvasSurface } from '../canvas/CanvasSurface';
import { TileLayer } from '../canvas/TileLayer';
import type { RoomView } from '../realtime/room-store';
import type { ServerClock } from '../tiles/tile-kind';
import { BroadcastIcon } from '../ui/icons';
import { Spinner } from '../ui/Spinner';
import { FIRST_TILE_MARK } from './first-tile-mark';


/**
 * The viewer's canvas: a waiting screen until the host goes live, then the host's layout,
 * read-only and scaled to the window.
 */
export function ViewerStage({ title, view, clock, overlay }: { title: string; view: RoomView; clock: ServerClock; overlay?: ReactNode }) {
  const live = view.synced && view.snapshot.canvas.live === true;
  const wasLive = useRef(false);
  if (live) wasLive.current = true;
  const tileCount = Object.keys(view.snapshot.tiles).length;
  useFirstTileMark(live && tileCount > 0);

  return (
    <CanvasFrame label={`Canvas of ${title}`} overlay={live ? (tileCount === 0 ? <EmptyCanvas /> : undefined) : <Waiting view={view} paused={wasLive.current} />}>
      {live ? (
        <CanvasSurface>
          <TileLayer snapshot={view.snapshot} clock={clock} />
        </CanvasSurface>
      ) : null}
      {overlay}
    </CanvasFrame>
  );
}

function Waiting({ view, paused }: { view: RoomView; paused: boolean }) {
  if (paused) {
    return <CanvasHint icon={<BroadcastIcon />} title="The host paused the broadcast" text="The canvas comes back here as soon as they go live again." />;
  }
  return (
    <CanvasHint
      icon={<Spinner />}
      title="Waiting for the host…"
      text={view.synced ? 'The canvas appears here as soon as the host goes live. Keep this page open.' : 'Connecting to the session…'}
    />
  );
}

function EmptyCanvas() {
  return <CanvasHint title="The canvas is empty" text="The host hasn't added anything yet." />;
}

function useFirstTileMark(visible: boolean) {
  const marked = useRef(false);
  useEffect(() => {
    if (!visible || marked.current) return;
    marked.current = true;
    // After the next paint: the moment a viewer actually sees the tile.
    requestAnimationFrame(() => setTimeout(() => performance.mark?.(FIRST_TILE_MARK), 0));
  }, [visible]);
}
