import { Suspense, lazy, useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { CanvasFrame, CanvasHint } from '../canvas/CanvasFrame';
import { CanvasSurface } from '../canvas/CanvasSurface';
import { TileLayer } from '../canvas/TileLayer';
import type { RoomView } from '../realtime/room-store';
import type { ServerClock } from '../tiles/tile-kind';
import { BroadcastIcon } from '../ui/icons';
import { Spinner } from '../ui/Spinner';
import { FIRST_TILE_MARK } from './first-tile-mark';

// Only when a tile is opened: the focus view and its zoom stay out of the first download.
const TileFocusView = lazy(() => import('./TileFocusView'));

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
  const hintId = useId();
  const focus = useFocusedTile(view);
  const focusedTile = live && focus.tileId ? view.snapshot.tiles[focus.tileId] : undefined;

  return (
    <>
      <CanvasFrame label={`Canvas of ${title}`} overlay={live ? (tileCount === 0 ? <EmptyCanvas /> : undefined) : <Waiting view={view} paused={wasLive.current} />}>
        {live ? (
          <CanvasSurface>
            <TileLayer snapshot={view.snapshot} clock={clock} onOpen={focus.open} openHintId={hintId} />
          </CanvasSurface>
        ) : null}
        {overlay}
      </CanvasFrame>
      {live && tileCount > 0 ? (
        <p id={hintId} className="watch__hint">
          Click or tap a tile to see it full-stage<span className="watch__hint-keys">; <kbd>Esc</kbd> returns</span>.
        </p>
      ) : null}
      {focusedTile && focus.tileId ? (
        <Suspense fallback={null}>
          <TileFocusView tileId={focus.tileId} tile={focusedTile} clock={clock} spotlight={focus.spotlight} onClose={focus.close} />
        </Suspense>
      ) : null}
    </>
  );
}

/**
 * Which tile is full-stage: the one the viewer opened, else the host's spotlight unless this
 * viewer closed it. A new spotlight from the host replaces the viewer's choice.
 */
function useFocusedTile(view: RoomView) {
  const spotlight = view.snapshot.canvas.spotlight ?? undefined;
  const [own, setOwn] = useState<string>();
  const [dismissed, setDismissed] = useState<string>();
  const lastSpotlight = useRef(spotlight);
  if (lastSpotlight.current !== spotlight) {
    lastSpotlight.current = spotlight;
    if (own !== undefined) setOwn(undefined);
    if (dismissed !== undefined) setDismissed(undefined);
  }
  const fromHost = own === undefined && spotlight !== undefined && spotlight !== dismissed && view.snapshot.tiles[spotlight] !== undefined;
  const tileId = own !== undefined && view.snapshot.tiles[own] ? own : fromHost ? spotlight : undefined;
  const close = useCallback(() => {
    setOwn(undefined);
    setDismissed(spotlight);
  }, [spotlight]);
  return { tileId, spotlight: tileId !== undefined && tileId === spotlight, open: setOwn, close };
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
