import { describe, expect, it } from 'vitest';
import type { Tile } from '../../../src/protocol/realtime';
import { SnapshotAssembler, splitSnapshot, type SnapshotMessage } from '../../../src/protocol/snapshot-parts';

const tile = (size: number): Tile => ({ kind: 'code', frame: { x: 0, y: 0, w: 10, h: 10, z: 1 }, state: { source: 'x'.repeat(size) } });

function message(tileCount: number, tileBytes: number): SnapshotMessage {
  const tiles = Object.fromEntries(Array.from({ length: tileCount }, (_, i) => [`t${i}`, tile(tileBytes)]));
  return {
    type: 'snapshot',
    v: 1,
    sessionId: 's',
    connectionId: 'c',
    role: 'viewer',
    snapshot: { seq: 7, tiles, canvas: { live: true } },
    chat: [{ id: '1', name: 'A', text: 'hi', role: 'viewer', at: 1 }],
    viewerCount: 3,
    serverTime: 5,
    ended: false,
  };
}

const size = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

describe('splitSnapshot', () => {
  it('leaves a small snapshot whole', () => {
    const small = message(3, 100);
    expect(splitSnapshot(small)).toEqual([small]);
  });

  it('splits a large snapshot into parts under the limit that hold every tile once', () => {
    const large = message(12, 20_000);
    const parts = splitSnapshot(large, 64 * 1024);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(size(part)).toBeLessThanOrEqual(64 * 1024);
    expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i + 1));
    expect(new Set(parts.map((p) => p.parts))).toEqual(new Set([parts.length]));
    const ids = parts.flatMap((p) => Object.keys(p.snapshot.tiles));
    expect(ids.sort()).toEqual(Object.keys(large.snapshot.tiles).sort());
    expect(parts.slice(1).every((p) => p.chat.length === 0)).toBe(true);
  });
});

describe('SnapshotAssembler', () => {
  it('returns the whole snapshot once every part arrived, in any order', () => {
    const large = message(10, 20_000);
    const parts = splitSnapshot(large, 64 * 1024).reverse();
    const assembler = new SnapshotAssembler();
    const results = parts.map((p) => assembler.add(p));
    expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true);
    expect(results.at(-1)).toEqual(large);
  });

  it('drops an incomplete older snapshot when a newer one starts', () => {
    const assembler = new SnapshotAssembler();
    const older = splitSnapshot(message(10, 20_000), 64 * 1024);
    assembler.add(older[0]!);
    const newer = message(10, 20_000);
    newer.snapshot.seq = 8;
    const newerParts = splitSnapshot(newer, 64 * 1024);
    const results = newerParts.map((p) => assembler.add(p));
    expect(results.at(-1)?.snapshot.seq).toBe(8);
    expect(Object.keys(results.at(-1)!.snapshot.tiles)).toHaveLength(10);
  });

  it('passes single-part snapshots straight through', () => {
    const small = message(1, 10);
    expect(new SnapshotAssembler().add(small)).toBe(small);
  });
});
