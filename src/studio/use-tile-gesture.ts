import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { alignToOthers, guidesFor, moveFrame, resizeFrame, sameFrame, type Guide, type ResizeHandle, type Size } from '../canvas/geometry';
import { CANVAS_WIDTH, type Frame } from '../protocol/realtime';
import { createThrottle, type Throttle } from './frame-throttle';

export type TileGeometry = Pick<Frame, 'x' | 'y' | 'w' | 'h'>;

interface Gesture {
  pointerId: number;
  mode: 'move' | ResizeHandle;
  startX: number;
  startY: number;
  start: Frame;
  last: Frame;
  /** Screen pixels per logical pixel, measured when the gesture starts. */
  scale: number;
  moved: boolean;
  sentAny: boolean;
  throttle: Throttle<Frame>;
  /** The guides last reported, so unchanged ones cause no render. */
  guidesKey: string;
}

/** Screen pixels a pointer must travel before a press becomes a drag (so clicks only select). */
const DRAG_THRESHOLD_PX = 3;
/** How close (in screen pixels) an edge or centre must come to another's to snap to it. */
const ALIGN_THRESHOLD_PX = 6;

/**
 * Pointer moves and resizes of one tile. The tile follows the pointer locally at full frame
 * rate (`preview`), while `publish` receives throttled frames during the gesture and always
 * the exact final frame at the end. Escape cancels and puts the tile back.
 */
export function useTileGesture({
  frame,
  minSize,
  publish,
  commit,
  others = [],
  onGuides,
}: {
  frame: Frame;
  minSize: Size;
  publish: (geometry: TileGeometry) => void;
  /** The gesture ended somewhere new: one undo step from `from` to `to`. */
  commit?: (from: Frame, to: Frame) => void;
  /** The other tiles, to line up with while moving. */
  others?: readonly Frame[];
  /** The alignment guides to draw, or an empty list. */
  onGuides?: (guides: Guide[]) => void;
}) {
  const [preview, setPreview] = useState<Frame>();
  const gesture = useRef<Gesture | undefined>(undefined);
  const publishRef = useRef(publish);
  publishRef.current = publish;

  useEffect(() => () => gesture.current?.throttle.cancel(), []);

  function onPointerDown(event: ReactPointerEvent<HTMLElement>) {
    if (event.button !== 0 || gesture.current) return;
    const handle = (event.target as HTMLElement).closest<HTMLElement>('[data-handle]')?.dataset.handle as ResizeHandle | undefined;
    const surface = event.currentTarget.closest('.canvas-surface');
    const scale = surface ? surface.getBoundingClientRect().width / CANVAS_WIDTH : 1;
    event.currentTarget.setPointerCapture?.(event.pointerId);
    gesture.current = {
      pointerId: event.pointerId,
      mode: handle ?? 'move',
      startX: event.clientX,
      startY: event.clientY,
      start: frame,
      last: frame,
      scale: scale > 0 ? scale : 1,
      moved: false,
      sentAny: false,
      guidesKey: '',
      throttle: createThrottle<Frame>((next) => {
        if (gesture.current) gesture.current.sentAny = true;
        publishRef.current(geometryOf(next));
      }),
    };
  }

  function onPointerMove(event: ReactPointerEvent<HTMLElement>) {
    const g = gesture.current;
    if (!g || event.pointerId !== g.pointerId) return;
    const screenDx = event.clientX - g.startX;
    const screenDy = event.clientY - g.startY;
    if (!g.moved && Math.hypot(screenDx, screenDy) < DRAG_THRESHOLD_PX) return;
    g.moved = true;
    const dx = screenDx / g.scale;
    const dy = screenDy / g.scale;
    let next = g.mode === 'move' ? moveFrame(g.start, dx, dy, minSize) : resizeFrame(g.start, g.mode, dx, dy, minSize);
    let guides: Guide[];
    if (g.mode === 'move') ({ frame: next, guides } = alignToOthers(next, others, ALIGN_THRESHOLD_PX / g.scale));
    else guides = guidesFor(next, others);
    const guidesKey = guides.map((guide) => `${guide.axis}${guide.at}:${guide.from}-${guide.to}`).join(' ');
    if (guidesKey !== g.guidesKey) {
      g.guidesKey = guidesKey;
      onGuides?.(guides);
    }
    if (sameFrame(next, g.last)) return;
    g.last = next;
    setPreview(next);
    g.throttle.push(next);
  }

  function end(event: ReactPointerEvent<HTMLElement>) {
    const g = gesture.current;
    if (!g || event.pointerId !== g.pointerId) return;
    gesture.current = undefined;
    event.currentTarget.releasePointerCapture?.(event.pointerId);
    if (g.sentAny || !sameFrame(g.last, g.start)) g.throttle.finish(g.last);
    else g.throttle.cancel();
    if (!sameFrame(g.last, g.start)) commit?.(g.start, g.last);
    setPreview(undefined);
    onGuides?.([]);
  }

  /** Escape during a drag: back to where it started, for viewers too. */
  function cancel(): boolean {
    const g = gesture.current;
    if (!g) return false;
    gesture.current = undefined;
    if (g.sentAny) g.throttle.finish(g.start);
    else g.throttle.cancel();
    setPreview(undefined);
    onGuides?.([]);
    return true;
  }

  return {
    /** The frame to draw: the gesture's while one runs, else the canvas's. */
    frame: preview ?? frame,
    active: preview !== undefined,
    handlers: { onPointerDown, onPointerMove, onPointerUp: end, onPointerCancel: end },
    cancel,
  };
}

export function geometryOf(frame: Frame): TileGeometry {
  return { x: frame.x, y: frame.y, w: frame.w, h: frame.h };
}
