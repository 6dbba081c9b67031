import { describe, expect, it } from 'vitest';
import {
  BIG_STEP,
  clampFrame,
  frontZ,
  GRID,
  keyboardAction,
  moveFrame,
  placeNewTile,
  resizeFrame,
  snap,
} from '../../../src/canvas/geometry';
import type { Frame } from '../../../src/protocol/realtime';

const min = { w: 200, h: 120 };
const frame = (overrides: Partial<Frame> = {}): Frame => ({ x: 100, y: 100, w: 480, h: 280, z: 1, ...overrides });

describe('snapping and clamping', () => {
  it('snaps to the 20 px grid', () => {
    expect(GRID).toBe(20);
    expect(snap(29)).toBe(20);
    expect(snap(30)).toBe(40);
    expect(snap(-11)).toBe(-20);
  });

  it('keeps a tile fully on the canvas and at least its minimum size', () => {
    expect(clampFrame(frame({ x: -50, y: 2000 }), min)).toMatchObject({ x: 0, y: 1080 - 280 });
    expect(clampFrame(frame({ x: 1800 }), min)).toMatchObject({ x: 1920 - 480 });
    expect(clampFrame(frame({ w: 10, h: 5 }), min)).toMatchObject({ w: 200, h: 120 });
    expect(clampFrame(frame({ w: 5000, h: 5000 }), min)).toMatchObject({ x: 0, y: 0, w: 1920, h: 1080 });
  });
});

describe('pointer moves and resizes', () => {
  it('moves by a drag, snapped, within the canvas', () => {
    expect(moveFrame(frame(), 33, -47, min)).toMatchObject({ x: 140, y: 60, w: 480, h: 280 });
    expect(moveFrame(frame(), -500, -500, min)).toMatchObject({ x: 0, y: 0 });
    expect(moveFrame(frame(), 5000, 5000, min)).toMatchObject({ x: 1440, y: 800 });
  });

  it('resizes from the bottom-right corner, snapping the dragged edges', () => {
    expect(resizeFrame(frame(), 'se', 111, 49, min)).toEqual(frame({ w: 600, h: 320 }));
  });

  it('resizes from the top-left corner, keeping the opposite edges', () => {
    const resized = resizeFrame(frame(), 'nw', -41, 58, min);
    expect(resized).toEqual(frame({ x: 60, y: 160, w: 520, h: 220 }));
    expect(resized.x + resized.w).toBe(580);
    expect(resized.y + resized.h).toBe(380);
  });

  it('stops at the minimum size and at the canvas edges', () => {
    expect(resizeFrame(frame(), 'e', -1000, 0, min)).toMatchObject({ x: 100, w: 200 });
    expect(resizeFrame(frame(), 'w', 1000, 0, min)).toMatchObject({ x: 380, w: 200 });
    expect(resizeFrame(frame(), 'n', 0, -1000, min)).toMatchObject({ y: 0, h: 380 });
    expect(resizeFrame(frame(), 's', 0, 5000, min)).toMatchObject({ y: 100, h: 980 });
  });

  it('changes only the edges of the handle used', () => {
    expect(resizeFrame(frame(), 'e', 60, 300, min)).toEqual(frame({ w: 540 }));
    expect(resizeFrame(frame(), 's', 300, 60, min)).toEqual(frame({ h: 340 }));
  });
});

describe('keyboard', () => {
  it('moves by one grid step, or a big step with Shift', () => {
    expect(keyboardAction(frame(), { key: 'ArrowRight' }, min)).toEqual({ type: 'move', frame: frame({ x: 120 }) });
    expect(keyboardAction(frame(), { key: 'ArrowUp', shiftKey: true }, min)).toEqual({ type: 'move', frame: frame({ y: 100 - BIG_STEP }) });
    expect(keyboardAction(frame({ x: 0 }), { key: 'ArrowLeft' }, min)).toEqual({ type: 'move', frame: frame({ x: 0 }) });
  });

  it('resizes with Alt or Ctrl, from the bottom-right, not below the minimum', () => {
    expect(keyboardAction(frame(), { key: 'ArrowRight', altKey: true }, min)).toEqual({ type: 'resize', frame: frame({ w: 500 }) });
    expect(keyboardAction(frame(), { key: 'ArrowDown', ctrlKey: true, shiftKey: true }, min)).toEqual({ type: 'resize', frame: frame({ h: 380 }) });
    expect(keyboardAction(frame({ w: 200 }), { key: 'ArrowLeft', altKey: true }, min)).toEqual({ type: 'resize', frame: frame({ w: 200 }) });
  });

  it('removes with Delete or Backspace and brings to front with ]', () => {
    expect(keyboardAction(frame(), { key: 'Delete' }, min)).toEqual({ type: 'remove' });
    expect(keyboardAction(frame(), { key: 'Backspace' }, min)).toEqual({ type: 'remove' });
    expect(keyboardAction(frame(), { key: ']' }, min)).toEqual({ type: 'front' });
  });

  it('leaves other keys (and Cmd+arrows, which the system uses) alone', () => {
    expect(keyboardAction(frame(), { key: 'a' }, min)).toBeUndefined();
    expect(keyboardAction(frame(), { key: 'Tab' }, min)).toBeUndefined();
    expect(keyboardAction(frame(), { key: 'ArrowLeft', metaKey: true }, min)).toBeUndefined();
  });
});

describe('stacking order', () => {
  it('puts a tile above all others, unless it already is', () => {
    const frames = { a: frame({ z: 1 }), b: frame({ z: 7 }), c: frame({ z: 3 }) };
    expect(frontZ(frames, 'a')).toBe(8);
    expect(frontZ(frames, 'b')).toBeUndefined();
    expect(frontZ({ a: frame({ z: 2 }), b: frame({ z: 2 }) }, 'a')).toBe(3); // a tie is not "on top"
    expect(frontZ(frames, 'missing')).toBeUndefined();
  });
});

describe('placing new tiles', () => {
  const overlapArea = (a: Frame, b: Frame) =>
    Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

  it('starts near the top left, then fills free space left to right, top to bottom, on top', () => {
    const size = { w: 480, h: 280 };
    const first = placeNewTile([], size);
    expect(first).toEqual({ x: 80, y: 80, w: 480, h: 280, z: 1 });
    const second = placeNewTile([first], size);
    expect(second).toEqual({ x: 600, y: 80, w: 480, h: 280, z: 2 });
    const third = placeNewTile([first, second], size);
    expect(third).toEqual({ x: 1120, y: 80, w: 480, h: 280, z: 3 });
    const fourth = placeNewTile([first, second, third], size);
    expect(fourth).toEqual({ x: 80, y: 400, w: 480, h: 280, z: 4 });
  });

  it('never covers an existing tile while there is room (the code tile that covered 79% of a clock)', () => {
    const clock: Frame = { x: 80, y: 80, w: 480, h: 280, z: 1 };
    const code = placeNewTile([clock], { w: 840, h: 600 });
    expect(overlapArea(code, clock)).toBe(0);
    expect(code).toEqual({ x: 600, y: 80, w: 840, h: 600, z: 2 });
    // A clock moved to the middle: the new tile goes around it.
    const middle: Frame = { x: 720, y: 400, w: 480, h: 280, z: 3 };
    const next = placeNewTile([middle], { w: 480, h: 280 });
    expect(overlapArea(next, middle)).toBe(0);
  });

  it('cascades visibly when the canvas is full: no two tiles share a corner', () => {
    const full: Frame[] = [{ x: 0, y: 0, w: 1920, h: 1080, z: 1 }];
    const a = placeNewTile(full, { w: 480, h: 280 });
    const b = placeNewTile([...full, a], { w: 480, h: 280 });
    expect(a).toEqual({ x: 80, y: 80, w: 480, h: 280, z: 2 });
    expect(b).toEqual({ x: 120, y: 120, w: 480, h: 280, z: 3 });
  });

  it('always returns a frame on the grid and on the canvas', () => {
    const size = { w: 480, h: 280 };
    const frames: Frame[] = [];
    for (let i = 0; i < 60; i++) frames.push(placeNewTile(frames, size));
    for (const placed of frames) {
      expect(placed.x % 20).toBe(0);
      expect(placed.y % 20).toBe(0);
      expect(placed.x + placed.w).toBeLessThanOrEqual(1920);
      expect(placed.y + placed.h).toBeLessThanOrEqual(1080);
    }
    expect(frames.at(-1)!.z).toBe(60);
  });
});
