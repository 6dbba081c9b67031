import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type PointerEvent as ReactPointerEvent } from 'react';
import type { Tile } from '../protocol/realtime';
import { TileContent } from '../tiles/TileContent';
import { useTileRegistry } from '../tiles/registry-context';
import { tileTitle, type ServerClock } from '../tiles/tile-kind';
import { CloseIcon, ZoomInIcon, ZoomOutIcon } from '../ui/icons';
import { clampPan, focusLayout, IDENTITY, pinch, zoomAt, type Box, type Point, type View } from './zoom';

/**
 * One tile on the whole stage, at a readable size: the viewer's own choice (a click or tap
 * on a tile) or the host's spotlight. Pinch, Ctrl+wheel or the buttons zoom further; Esc or
 * "Back to canvas" returns. The tile is the same view the canvas shows, laid out at a size
 * where its text is readable (on a phone it reflows to the screen's shape).
 */
export default function TileFocusView({
  tileId,
  tile,
  clock,
  spotlight,
  onClose,
}: {
  tileId: string;
  tile: Tile;
  clock: ServerClock;
  /** Shown because the host put it in the spotlight. */
  spotlight: boolean;
  onClose: () => void;
}) {
  const kind = useTileRegistry().find(tile.kind);
  const title = kind ? tileTitle(kind, kind.parseState(tile.state)) : 'Tile';
  const stage = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const box = useBoxSize(stage);
  const { logical, scale } = focusLayout({ w: tile.frame.w, h: tile.frame.h }, box);
  const [view, setView] = useState<View>(IDENTITY);
  const pointers = useRef(new Map<number, Point>());
  const gesture = useRef<{ start: View; from: Point[] } | undefined>(undefined);

  // Keyboard users land on the way back; Esc closes (the page's Escape, wherever focus is).
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeButton.current?.focus({ preventScroll: true });
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      if (previous?.isConnected) previous.focus({ preventScroll: true });
    };
  }, [onClose]);

  // A new tile or a new size starts unzoomed.
  useEffect(() => setView(IDENTITY), [tileId, box.w, box.h]);

  const local = (event: { clientX: number; clientY: number }): Point => {
    const rect = stage.current!.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };
  const restartGesture = () => {
    gesture.current = pointers.current.size ? { start: view, from: [...pointers.current.values()] } : undefined;
  };

  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (event.pointerType === 'mouse') return; // mice zoom with the wheel and the buttons
    pointers.current.set(event.pointerId, local(event));
    restartGesture();
  };
  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (!pointers.current.has(event.pointerId) || !gesture.current) return;
    pointers.current.set(event.pointerId, local(event));
    const now = [...pointers.current.values()];
    const { start, from } = gesture.current;
    if (now.length >= 2 && from.length >= 2) {
      event.preventDefault();
      setView(pinch(start, [from[0]!, from[1]!], [now[0]!, now[1]!], box));
    } else if (now.length === 1 && from.length === 1 && start.zoom > 1) {
      // One finger pans a zoomed tile.
      setView(clampPan({ ...start, x: start.x + now[0]!.x - from[0]!.x, y: start.y + now[0]!.y - from[0]!.y }, box));
    }
  };
  const onPointerEnd = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (!pointers.current.delete(event.pointerId)) return;
    restartGesture();
  };

  // Ctrl+wheel is how trackpads report a pinch; the page must not zoom instead.
  useEffect(() => {
    const element = stage.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      if (!event.ctrlKey) return;
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      setView((current) => zoomAt(current, current.zoom * Math.exp(-event.deltaY / 200), { x: event.clientX - rect.left, y: event.clientY - rect.top }, { w: rect.width, h: rect.height }));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  const zoomBy = (factor: number) => setView((current) => zoomAt(current, current.zoom * factor, { x: box.w / 2, y: box.h / 2 }, box));
  // The zoom moves the whole stage; the tile sits centred in it at its readable scale.
  const zoomer: CSSProperties = { transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})` };
  const sizer: CSSProperties = { width: logical.w * scale, height: logical.h * scale };
  const content: CSSProperties = { width: logical.w, height: logical.h, transform: `scale(${scale})` };

  return (
    <section className="tile-focus" role="region" aria-label={`${title}, full stage`} data-testid="tile-focus" data-zoom={view.zoom.toFixed(2)}>
      <header className="tile-focus__bar">
        <button ref={closeButton} type="button" className="tile-focus__back" onClick={onClose} aria-keyshortcuts="Escape">
          <CloseIcon className="btn__icon" aria-hidden="true" />
          Back to canvas
          <kbd>Esc</kbd>
        </button>
        <p className="tile-focus__title">
          {spotlight ? <span className="tile-focus__spotlight">Spotlight</span> : null}
          {title}
        </p>
        <div className="tile-focus__zoom" role="group" aria-label="Zoom">
          <button type="button" className="tile-focus__zoom-button" aria-label="Zoom out" disabled={view.zoom <= 1} onClick={() => zoomBy(1 / 1.5)}>
            <ZoomOutIcon className="btn__icon" aria-hidden="true" />
          </button>
          <span className="tile-focus__zoom-level" aria-live="polite">
            {Math.round(view.zoom * 100)}%
          </span>
          <button type="button" className="tile-focus__zoom-button" aria-label="Zoom in" disabled={view.zoom >= 4} onClick={() => zoomBy(1.5)}>
            <ZoomInIcon className="btn__icon" aria-hidden="true" />
          </button>
        </div>
      </header>
      <div
        ref={stage}
        className="tile-focus__stage"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerEnd}
        onPointerCancel={onPointerEnd}
      >
        <div className="tile-focus__zoomer" style={zoomer}>
          <div className="tile-focus__sizer" style={sizer}>
            <div className="tile-focus__tile canvas-tile" style={content} data-tile-id={tileId}>
              <TileContent tileId={tileId} tile={tile} clock={clock} />
            </div>
          </div>
        </div>
      </div>
    </section>
  );
}

function useBoxSize(ref: { current: HTMLElement | null }): Box {
  const [box, setBox] = useState<Box>({ w: 0, h: 0 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setBox({ w: element.clientWidth, h: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return box;
}
