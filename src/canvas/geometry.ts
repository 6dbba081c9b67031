import { CANVAS_HEIGHT, CANVAS_WIDTH, type Frame } from '../protocol/realtime';

/**
 * Pure layout arithmetic on the logical 1920×1080 canvas: snapping to the grid, keeping
 * tiles inside the canvas and above their minimum size, keyboard steps and stacking order.
 */
export const GRID = 20;
/** Shift+arrow moves and resizes by this much. */
export const BIG_STEP = 100;

export interface Size {
  w: number;
  h: number;
}

export const CANVAS_SIZE: Size = { w: CANVAS_WIDTH, h: CANVAS_HEIGHT };

export function snap(value: number, grid = GRID): number {
  return Math.round(value / grid) * grid;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** The frame at its minimum size or more, no bigger than the canvas, and fully on it. */
export function clampFrame(frame: Frame, min: Size, canvas: Size = CANVAS_SIZE): Frame {
  const w = clamp(frame.w, Math.min(min.w, canvas.w), canvas.w);
  const h = clamp(frame.h, Math.min(min.h, canvas.h), canvas.h);
  return { ...frame, w, h, x: clamp(frame.x, 0, canvas.w - w), y: clamp(frame.y, 0, canvas.h - h) };
}

/** A drag by (dx, dy) logical pixels from where it started: snapped, then kept on the canvas. */
export function moveFrame(start: Frame, dx: number, dy: number, min: Size, grid = GRID): Frame {
  return clampFrame({ ...start, x: snap(start.x + dx, grid), y: snap(start.y + dy, grid) }, min);
}

export type ResizeHandle = 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';
export const RESIZE_HANDLES: readonly ResizeHandle[] = ['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'];

/**
 * A resize from one handle: the dragged edges snap to the grid and stop at the canvas
 * edges and at the minimum size; the opposite edges stay where they were.
 */
export function resizeFrame(start: Frame, handle: ResizeHandle, dx: number, dy: number, min: Size, grid = GRID, canvas: Size = CANVAS_SIZE): Frame {
  let left = start.x;
  let top = start.y;
  let right = start.x + start.w;
  let bottom = start.y + start.h;
  if (handle.includes('e')) right = clamp(snap(right + dx, grid), left + min.w, canvas.w);
  if (handle.includes('w')) left = clamp(snap(left + dx, grid), 0, right - min.w);
  if (handle.includes('s')) bottom = clamp(snap(bottom + dy, grid), top + min.h, canvas.h);
  if (handle.includes('n')) top = clamp(snap(top + dy, grid), 0, bottom - min.h);
  return clampFrame({ ...start, x: left, y: top, w: right - left, h: bottom - top }, min, canvas);
}

export interface KeyInput {
  key: string;
  shiftKey?: boolean;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
}

export type KeyboardTileAction =
  | { type: 'move'; frame: Frame }
  | { type: 'resize'; frame: Frame }
  | { type: 'remove' }
  | { type: 'front' };

const ARROWS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/**
 * What a key press on a focused tile does: arrows move by one grid step (Shift: bigger
 * steps); with Alt or Ctrl they resize from the bottom-right corner; Delete or Backspace
 * removes; "]" brings the tile to the front. Undefined for keys that do nothing here.
 */
export function keyboardAction(frame: Frame, input: KeyInput, min: Size): KeyboardTileAction | undefined {
  if (input.key === 'Delete' || input.key === 'Backspace') return { type: 'remove' };
  if (input.key === ']') return { type: 'front' };
  const arrow = ARROWS[input.key];
  if (!arrow || input.metaKey) return undefined;
  const step = input.shiftKey ? BIG_STEP : GRID;
  const [dx, dy] = [arrow[0] * step, arrow[1] * step];
  if (input.altKey || input.ctrlKey) {
    // Resizing keeps the top-left corner; a step smaller than the minimum stops there.
    const resized = clampFrame({ ...frame, w: snap(frame.w + dx), h: snap(frame.h + dy) }, min);
    return { type: 'resize', frame: resized };
  }
  return { type: 'move', frame: clampFrame({ ...frame, x: snap(frame.x + dx), y: snap(frame.y + dy) }, min) };
}

export function sameFrame(a: Frame, b: Frame): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h && a.z === b.z;
}

/** The z that puts a tile above all others, or undefined when it is already alone on top. */
export function frontZ(frames: ReadonlyMap<string, Frame> | Record<string, Frame>, tileId: string): number | undefined {
  const entries = frames instanceof Map ? [...frames.entries()] : Object.entries(frames);
  const own = entries.find(([id]) => id === tileId)?.[1];
  if (!own) return undefined;
  const othersMax = Math.max(0, ...entries.filter(([id]) => id !== tileId).map(([, frame]) => frame.z));
  return own.z > othersMax ? undefined : othersMax + 1;
}

export function topZ(frames: readonly Frame[]): number {
  return Math.max(0, ...frames.map((frame) => frame.z));
}

/** Space kept between a new tile and its neighbours, and from the canvas edges. */
export const PLACEMENT_GAP = 2 * GRID;

function overlaps(a: Pick<Frame, 'x' | 'y' | 'w' | 'h'>, b: Pick<Frame, 'x' | 'y' | 'w' | 'h'>, gap = 0): boolean {
  return a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;
}

/**
 * Where a new tile goes: the first free spot on the grid, top to bottom and left to right,
 * that keeps a gap to every tile (first fit); on top of everything. When no such spot exists
 * the tile cascades from the top left, on the first diagonal step whose corner no tile
 * already occupies, so it stays visibly apart from the tiles it covers.
 */
export function placeNewTile(existing: readonly Frame[], size: Size, canvas: Size = CANVAS_SIZE): Frame {
  const w = Math.min(size.w, canvas.w);
  const h = Math.min(size.h, canvas.h);
  const z = topZ(existing) + 1;
  const margin = Math.min(PLACEMENT_GAP * 2, Math.max(0, (canvas.w - w) / 2), Math.max(0, (canvas.h - h) / 2));
  for (let y = snap(margin); y + h <= canvas.h - margin + 1e-9; y += GRID) {
    for (let x = snap(margin); x + w <= canvas.w - margin + 1e-9; x += GRID) {
      const spot = { x, y, w, h };
      if (!existing.some((frame) => overlaps(spot, frame, PLACEMENT_GAP))) return { ...spot, z };
    }
  }
  return cascade(existing, w, h, z, canvas);
}

function cascade(existing: readonly Frame[], w: number, h: number, z: number, canvas: Size): Frame {
  const taken = new Set(existing.map((frame) => `${frame.x},${frame.y}`));
  const start = 4 * GRID;
  const step = 2 * GRID;
  // Diagonals side by side: (80,80), (120,120), … then (140,80), (180,120), …
  for (let column = 0; column < 20; column++) {
    for (let k = 0; ; k++) {
      const x = start + column * 3 * GRID + k * step;
      const y = start + k * step;
      if (x + w > canvas.w || y + h > canvas.h) break;
      if (!taken.has(`${x},${y}`)) return { x, y, w, h, z };
    }
  }
  return clampFrame({ x: start, y: start, w, h, z }, { w, h }, canvas);
}

/** A line the dragged tile lines up with: vertical (`x`) or horizontal (`y`), from..to along it. */
export interface Guide {
  axis: 'x' | 'y';
  at: number;
  from: number;
  to: number;
}

type Box = Pick<Frame, 'x' | 'y' | 'w' | 'h'>;
const edgesX = (box: Box) => [box.x, box.x + box.w / 2, box.x + box.w];
const edgesY = (box: Box) => [box.y, box.y + box.h / 2, box.y + box.h];

/**
 * Snaps a moving tile to the edges and centres of the other tiles and of the canvas when it
 * comes within `threshold` logical pixels (closer than the grid's pull), and returns the
 * guides to draw: every line where the result lines up exactly.
 */
export function alignToOthers(frame: Frame, others: readonly Box[], threshold: number, canvas: Size = CANVAS_SIZE): { frame: Frame; guides: Guide[] } {
  const page: Box = { x: 0, y: 0, w: canvas.w, h: canvas.h };
  const targets = [...others, page];
  const nearest = (own: number[], lines: number[]) => {
    let best: number | undefined;
    for (const a of own) for (const b of lines) if (Math.abs(b - a) <= threshold && (best === undefined || Math.abs(b - a) < Math.abs(best))) best = b - a;
    return best ?? 0;
  };
  const dx = nearest(edgesX(frame), targets.flatMap(edgesX));
  const dy = nearest(edgesY(frame), targets.flatMap(edgesY));
  const snapped = clampFrame({ ...frame, x: frame.x + dx, y: frame.y + dy }, { w: frame.w, h: frame.h }, canvas);
  return { frame: snapped, guides: guidesFor(snapped, targets) };
}

export function guidesFor(frame: Box, targets: readonly Box[]): Guide[] {
  const guides: Guide[] = [];
  const seen = new Set<string>();
  for (const target of targets) {
    for (const at of edgesX(frame)) {
      if (!edgesX(target).some((line) => Math.abs(line - at) < 0.5) || seen.has(`x${at}`)) continue;
      seen.add(`x${at}`);
      guides.push({ axis: 'x', at, from: Math.min(frame.y, target.y), to: Math.max(frame.y + frame.h, target.y + target.h) });
    }
    for (const at of edgesY(frame)) {
      if (!edgesY(target).some((line) => Math.abs(line - at) < 0.5) || seen.has(`y${at}`)) continue;
      seen.add(`y${at}`);
      guides.push({ axis: 'y', at, from: Math.min(frame.x, target.x), to: Math.max(frame.x + frame.w, target.x + target.w) });
    }
  }
  return guides;
}

/** "x 120, y 80, 480 × 280": how a tile's place is read out. */
export function describeFrame(frame: Frame): string {
  return `x ${Math.round(frame.x)}, y ${Math.round(frame.y)}, ${Math.round(frame.w)} × ${Math.round(frame.h)}`;
}
