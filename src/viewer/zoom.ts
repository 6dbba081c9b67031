/**
 * Pure arithmetic of the focus view: how big a focused tile is drawn so its text is readable,
 * and how a pinch or wheel zoom keeps the point under the fingers in place.
 */
export interface Box {
  w: number;
  h: number;
}

/**
 * The smallest scale at which a tile's text is readable: tiles size text in logical pixels
 * (code is 22 px on the 1920 canvas), so 0.7 gives about 15 px on screen.
 */
export const READABLE_SCALE = 0.7;
export const MAX_ZOOM = 4;

/**
 * The logical size to lay the tile out at, and the scale to draw it with, in `space` screen
 * pixels. A tile that fits at a readable scale keeps its own size; otherwise (a phone) it is
 * laid out at the size the space has at the readable scale, so its content reflows to fit.
 */
export function focusLayout(tile: Box, space: Box): { logical: Box; scale: number } {
  if (space.w <= 0 || space.h <= 0) return { logical: tile, scale: 1 };
  const fit = Math.min(space.w / tile.w, space.h / tile.h);
  if (fit >= READABLE_SCALE) return { logical: tile, scale: fit };
  return { logical: { w: space.w / READABLE_SCALE, h: space.h / READABLE_SCALE }, scale: READABLE_SCALE };
}

export interface View {
  zoom: number;
  x: number;
  y: number;
}

export const IDENTITY: View = { zoom: 1, x: 0, y: 0 };

/** Zooms to `zoom` (clamped to 1…MAX_ZOOM) keeping the content point under `anchor` (screen px in the box) still. */
export function zoomAt(view: View, zoom: number, anchor: { x: number; y: number }, box: Box): View {
  const next = Math.min(MAX_ZOOM, Math.max(1, zoom));
  const ratio = next / view.zoom;
  return clampPan({ zoom: next, x: anchor.x - (anchor.x - view.x) * ratio, y: anchor.y - (anchor.y - view.y) * ratio }, box);
}

/** Keeps the zoomed content covering the box: no empty space can be dragged into view. */
export function clampPan(view: View, box: Box): View {
  const minX = box.w - box.w * view.zoom;
  const minY = box.h - box.h * view.zoom;
  return { zoom: view.zoom, x: Math.min(0, Math.max(minX, view.x)), y: Math.min(0, Math.max(minY, view.y)) };
}

/** A two-finger gesture: from where the fingers started to where they are now. */
export function pinch(start: View, from: [Point, Point], to: [Point, Point], box: Box): View {
  const distance = (pair: [Point, Point]) => Math.hypot(pair[0].x - pair[1].x, pair[0].y - pair[1].y) || 1;
  const mid = (pair: [Point, Point]) => ({ x: (pair[0].x + pair[1].x) / 2, y: (pair[0].y + pair[1].y) / 2 });
  const zoomed = zoomAt(start, start.zoom * (distance(to) / distance(from)), mid(from), box);
  // Then follow the midpoint, so the fingers also pan.
  const a = mid(from);
  const b = mid(to);
  return clampPan({ ...zoomed, x: zoomed.x + b.x - a.x, y: zoomed.y + b.y - a.y }, box);
}

export interface Point {
  x: number;
  y: number;
}
