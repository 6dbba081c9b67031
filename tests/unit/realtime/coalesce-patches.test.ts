import { describe, expect, it } from 'vitest';
import { coalescePatches } from '../../../src/realtime/coalesce-patches';
import { applyPatches, type CanvasSnapshot, type Frame, type Patch, type Tile } from '../../../src/protocol/realtime';

const frame: Frame = { x: 0, y: 0, w: 100, h: 100, z: 0 };
const add = (tileId: string, state: Tile['state'] = {}): Patch => ({ type: 'tile.add', tileId, kind: 'code', frame, state });
const move = (tileId: string, f: Partial<Frame>): Patch => ({ type: 'tile.frame', tileId, frame: f });
const set = (tileId: string, s: Tile['state'], unset?: string[]): Patch => ({ type: 'tile.state', tileId, set: s, ...(unset ? { unset } : {}) });
const remove = (tileId: string): Patch => ({ type: 'tile.remove', tileId });

describe('coalescePatches', () => {
  it('returns an empty list for an empty queue', () => {
    expect(coalescePatches([])).toEqual([]);
  });

  it('folds a drag of many frame patches into one', () => {
    const drag = Array.from({ length: 40 }, (_, i) => move('a', { x: i, y: 2 * i }));
    expect(coalescePatches(drag)).toEqual([move('a', { x: 39, y: 78 })]);
  });

  it('merges frame fields from consecutive patches', () => {
    expect(coalescePatches([move('a', { x: 1, w: 5 }), move('a', { x: 2 }), move('a', { h: 9 })])).toEqual([move('a', { x: 2, w: 5, h: 9 })]);
  });

  it('keeps frames of different tiles apart, and folds a tile’s frames across other tiles (last writer wins per tile)', () => {
    const queue = [move('a', { x: 1, y: 1 }), move('b', { x: 2 }), move('a', { x: 3 })];
    expect(coalescePatches(queue)).toEqual([move('a', { x: 3, y: 1 }), move('b', { x: 2 })]);
  });

  it('folds a group drag of several tiles to one frame patch per tile, ending at the last positions', () => {
    const queue = Array.from({ length: 30 }, (_, i) => ['a', 'b', 'c'].map((id, k) => move(id, { x: i * 10 + k, y: i }))).flat();
    expect(coalescePatches(queue)).toEqual([move('a', { x: 290, y: 29 }), move('b', { x: 291, y: 29 }), move('c', { x: 292, y: 29 })]);
  });

  it('does not fold a frame into an earlier patch of its tile across a state change of that tile', () => {
    const queue = [move('a', { x: 1 }), set('a', { k: 1 }), move('b', { x: 2 }), move('a', { x: 3 })];
    expect(coalescePatches(queue)).toEqual(queue);
  });

  it('folds frame and state changes into a queued add', () => {
    expect(coalescePatches([add('a', { text: 'x', lang: 'py' }), move('a', { x: 50 }), set('a', { text: 'y' }, ['lang'])])).toEqual([
      { type: 'tile.add', tileId: 'a', kind: 'code', frame: { ...frame, x: 50 }, state: { text: 'y' } },
    ]);
  });

  it('merges consecutive state sets, later keys winning', () => {
    expect(coalescePatches([set('a', { code: '1', lang: 'py' }), set('a', { code: '2' })])).toEqual([set('a', { code: '2', lang: 'py' })]);
  });

  it('does not merge state patches that unset keys', () => {
    const queue = [set('a', { code: '1' }), set('a', {}, ['code']), set('a', { code: '3' })];
    expect(coalescePatches(queue)).toEqual(queue);
  });

  it('drops everything queued for a tile before its removal', () => {
    const queue = [add('a'), move('b', { x: 1 }), move('a', { x: 2 }), set('a', { k: 1 }), { type: 'canvas.set', set: { live: true } } as Patch, remove('a')];
    expect(coalescePatches(queue)).toEqual([move('b', { x: 1 }), { type: 'canvas.set', set: { live: true } }, remove('a')]);
  });

  it('keeps patches for a tile re-added after its removal', () => {
    expect(coalescePatches([remove('a'), add('a', { v: 1 }), move('a', { x: 5 })])).toEqual([
      remove('a'),
      { type: 'tile.add', tileId: 'a', kind: 'code', frame: { ...frame, x: 5 }, state: { v: 1 } },
    ]);
  });

  it('collapses repeated removals of a tile', () => {
    expect(coalescePatches([remove('a'), add('a'), remove('a')])).toEqual([remove('a')]);
  });

  it('keeps canvas.set patches in order', () => {
    const queue: Patch[] = [
      { type: 'canvas.set', set: { live: true } },
      { type: 'canvas.set', set: { live: false } },
    ];
    expect(coalescePatches(queue)).toEqual(queue);
  });

  it('ignores undefined frame fields when merging frames', () => {
    const merged = coalescePatches([move('a', { x: 1 }), move('a', { x: undefined, y: 2 })]);
    const tiles = { a: { kind: 'code', frame, state: {} } };
    const start: CanvasSnapshot = { seq: 0, tiles, canvas: {} };
    expect(applyPatches(start, merged, 1)).toEqual(applyPatches(start, [move('a', { x: 1 }), move('a', { x: undefined, y: 2 })], 1));
  });

  it('does not mutate the queue', () => {
    const queue = [add('a', { k: 1 }), move('a', { x: 3 }), set('a', { j: 2 }, ['k']), set('b', { a: 1 }), set('b', { b: 2 }), move('c', { x: 1 }), move('c', { y: 1 }), remove('d')];
    const copy = structuredClone(queue);
    coalescePatches(queue);
    expect(queue).toEqual(copy);
  });

  it('has the same effect as the queue on generated canvases (2000 cases)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const ids = ['a', 'b', 'c'];
    const keys = ['k1', 'k2', 'k3'];
    for (let run = 0; run < 2000; run++) {
      const tiles: Record<string, Tile> = {};
      for (const id of ids) if (random() < 0.5) tiles[id] = { kind: 'clock', frame, state: { k1: 'start' } };
      const start: CanvasSnapshot = { seq: 3, tiles, canvas: {} };
      const queue: Patch[] = Array.from({ length: 1 + Math.floor(random() * 15) }, () => {
        const id = pick(ids);
        const r = random();
        if (r < 0.15) return add(id, { k2: run });
        if (r < 0.25) return remove(id);
        if (r < 0.6) return move(id, Object.fromEntries(['x', 'y', 'w'].filter(() => random() < 0.5).map((f) => [f, random() < 0.1 ? undefined : Math.floor(random() * 99)])));
        if (r < 0.9) return set(id, Object.fromEntries(keys.filter(() => random() < 0.5).map((k) => [k, run])), random() < 0.3 ? [pick(keys)] : undefined);
        return { type: 'canvas.set', set: { live: random() < 0.5 } };
      });
      const coalesced = coalescePatches(queue);
      expect(coalesced.length).toBeLessThanOrEqual(queue.length);
      expect(applyPatches(start, coalesced, 4)).toEqual(applyPatches(start, queue, 4));
    }
  });
});
