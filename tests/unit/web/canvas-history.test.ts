import { describe, expect, it } from 'vitest';
import { applyPatches, emptySnapshot, type CanvasSnapshot, type Patch } from '../../../src/protocol/realtime';
import { CanvasHistory, editedTiles, inversePatches, MERGE_WINDOW_MS } from '../../../src/studio/canvas-history';

const canvas: CanvasSnapshot = {
  ...emptySnapshot,
  seq: 4,
  tiles: {
    a: { kind: 'clock', frame: { x: 80, y: 80, w: 480, h: 280, z: 1 }, state: { mode: 'clock', label: 'Old' } },
    b: { kind: 'code', frame: { x: 600, y: 80, w: 840, h: 600, z: 2 }, state: { source: 'print(1)' } },
  },
  canvas: { live: true },
};

/** Undoing must restore exactly the canvas before the edit. */
function roundTrip(patches: Patch[]) {
  const after = applyPatches(canvas, patches, canvas.seq);
  const restored = applyPatches(after, inversePatches(canvas, patches), canvas.seq);
  expect(restored.tiles).toEqual(canvas.tiles);
}

describe('inverse patches', () => {
  it('undoes moves and resizes field by field', () => {
    expect(inversePatches(canvas, [{ type: 'tile.frame', tileId: 'a', frame: { x: 300 } }])).toEqual([{ type: 'tile.frame', tileId: 'a', frame: { x: 80 } }]);
    roundTrip([{ type: 'tile.frame', tileId: 'a', frame: { x: 300, w: 520, z: 9 } }]);
  });

  it('undoes an add by removing, and a removal by restoring the tile as it was', () => {
    expect(inversePatches(canvas, [{ type: 'tile.add', tileId: 'n', kind: 'clock', frame: canvas.tiles.a!.frame, state: {} }])).toEqual([
      { type: 'tile.remove', tileId: 'n' },
    ]);
    roundTrip([{ type: 'tile.remove', tileId: 'b' }]);
  });

  it('undoes state changes: changed keys get their old value, new keys are unset, unset keys come back', () => {
    const patch: Patch = { type: 'tile.state', tileId: 'a', set: { label: 'New', timeZone: 'UTC' }, unset: ['mode'] };
    expect(inversePatches(canvas, [patch])).toEqual([{ type: 'tile.state', tileId: 'a', set: { label: 'Old', mode: 'clock' }, unset: ['timeZone'] }]);
    roundTrip([patch]);
  });

  it('undoes a batch in reverse order, each step against the canvas it met', () => {
    roundTrip([
      { type: 'tile.frame', tileId: 'a', frame: { x: 200 } },
      { type: 'tile.frame', tileId: 'a', frame: { x: 400 } },
      { type: 'tile.state', tileId: 'b', set: { source: 'print(2)' } },
      { type: 'tile.remove', tileId: 'a' },
    ]);
  });

  it('leaves canvas flags (live, chat, spotlight) out of the history', () => {
    expect(inversePatches(canvas, [{ type: 'canvas.set', set: { live: false } }])).toEqual([]);
  });

  it('names the tiles a step needs to still exist', () => {
    expect(editedTiles([{ type: 'tile.frame', tileId: 'a', frame: { x: 1 } }, { type: 'tile.add', tileId: 'c', kind: 'clock', frame: canvas.tiles.a!.frame, state: {} }])).toEqual(['a']);
  });
});

describe('canvas history', () => {
  const step = (x: number, mergeKey?: string) => ({
    label: 'Move Clock',
    redo: [{ type: 'tile.frame', tileId: 'a', frame: { x } } as Patch],
    undo: [{ type: 'tile.frame', tileId: 'a', frame: { x: x - 20 } } as Patch],
    mergeKey,
  });

  it('undoes and redoes in order, and a new edit drops the redo steps', () => {
    const history = new CanvasHistory(() => 0);
    history.record(step(100));
    history.record(step(200));
    expect(history.getState()).toMatchObject({ canUndo: true, canRedo: false, undoLabel: 'Move Clock' });
    expect(history.undo()?.redo).toEqual(step(200).redo);
    expect(history.getState().canRedo).toBe(true);
    expect(history.redo()?.redo).toEqual(step(200).redo);
    history.undo();
    history.record(step(300));
    expect(history.getState().canRedo).toBe(false);
  });

  it('merges continued edits (arrow presses, typing) into one step within the window', () => {
    let now = 0;
    const history = new CanvasHistory(() => now);
    history.record(step(100, 'keys:a'));
    now += MERGE_WINDOW_MS / 2;
    history.record(step(120, 'keys:a'));
    const merged = history.undo()!;
    expect(merged.undo).toEqual([...step(120).undo, ...step(100).undo]);
    expect(history.getState().canUndo).toBe(false);
    history.redo();
    now += MERGE_WINDOW_MS * 2;
    history.record(step(140, 'keys:a'));
    history.undo();
    expect(history.getState().canUndo).toBe(true); // too late to merge: a step of its own
  });
});
