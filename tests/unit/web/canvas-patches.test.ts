import { describe, expect, it } from 'vitest';
import { applyPatch, emptySnapshot, tileIdSchema, type CanvasSnapshot } from '../../../src/protocol/realtime';
import { addTilePatch, bringToFrontPatch, framePatch, newTileId } from '../../../src/studio/canvas-patches';
import { clockTile } from '../../../src/tiles/clock/clock-tile';

describe('canvas patches', () => {
  it('gives new tiles unique, protocol-valid ids', () => {
    const ids = new Set(Array.from({ length: 500 }, () => newTileId('clock')));
    expect(ids.size).toBe(500);
    for (const id of ids) {
      expect(tileIdSchema.safeParse(id).success).toBe(true);
      expect(id).toMatch(/^clock-[a-z0-9]{8}$/);
    }
  });

  it('adds a tile with the kind defaults, beside the others and on top', () => {
    const snapshot: CanvasSnapshot = {
      ...emptySnapshot,
      tiles: { a: { kind: 'clock', frame: { x: 80, y: 80, w: 480, h: 280, z: 4 }, state: {} } },
    };
    const patch = addTilePatch(clockTile, snapshot, 'clock-new');
    // First fit: right of the existing clock, a 40 px gap apart.
    expect(patch).toMatchObject({ type: 'tile.add', tileId: 'clock-new', kind: 'clock', frame: { x: 600, y: 80, w: 480, h: 280, z: 5 } });
    expect(clockTile.parseState(patch.state)).toEqual(patch.state);
  });

  it('brings a tile to the front only when it is not already there', () => {
    const snapshot: CanvasSnapshot = {
      ...emptySnapshot,
      tiles: {
        a: { kind: 'clock', frame: { x: 0, y: 0, w: 480, h: 280, z: 1 }, state: {} },
        b: { kind: 'clock', frame: { x: 0, y: 0, w: 480, h: 280, z: 2 }, state: {} },
      },
    };
    expect(bringToFrontPatch(snapshot, 'a')).toEqual({ type: 'tile.frame', tileId: 'a', frame: { z: 3 } });
    expect(bringToFrontPatch(snapshot, 'b')).toBeUndefined();
  });

  it('describes a move with only the fields that changed', () => {
    const from = { x: 0, y: 0, w: 480, h: 280, z: 1 };
    expect(framePatch('t', from, { ...from, x: 20 })).toEqual({ type: 'tile.frame', tileId: 't', frame: { x: 20 } });
    expect(framePatch('t', from, from)).toBeUndefined();
  });
});
