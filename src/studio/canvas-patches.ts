import { frontZ, placeNewTile } from '../canvas/geometry';
import type { CanvasSnapshot, Frame, Patch } from '../protocol/realtime';
import type { TileKind } from '../tiles/tile-kind';

/** The host's canvas edits as protocol patches. Pure, so the studio's behaviour is testable. */

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * "clock-k3j9x2a7": readable in logs, unique enough per session, and valid for `tileIdSchema`.
 * Uses getRandomValues, which (unlike randomUUID) works on plain-http LAN addresses too.
 */
export function newTileId(kind: string, randomBytes: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const suffix = [...randomBytes(8)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
  return `${kind.slice(0, 24)}-${suffix}`;
}

export function addTilePatch(kind: TileKind, snapshot: CanvasSnapshot, tileId: string): Extract<Patch, { type: 'tile.add' }> {
  const frame = placeNewTile(
    Object.values(snapshot.tiles).map((tile) => tile.frame),
    kind.defaultSize,
  );
  return { type: 'tile.add', tileId, kind: kind.kind, frame, state: kind.initialState() };
}

/** Undefined when the tile is already alone on top: nothing to send. */
export function bringToFrontPatch(snapshot: CanvasSnapshot, tileId: string): Patch | undefined {
  const frames = Object.fromEntries(Object.entries(snapshot.tiles).map(([id, tile]) => [id, tile.frame]));
  const z = frontZ(frames, tileId);
  return z === undefined ? undefined : { type: 'tile.frame', tileId, frame: { z } };
}

/** A move or resize: only the fields that change. */
export function framePatch(tileId: string, from: Frame, to: Frame): Patch | undefined {
  const frame: Partial<Frame> = {};
  for (const field of ['x', 'y', 'w', 'h', 'z'] as const) if (from[field] !== to[field]) frame[field] = to[field];
  return Object.keys(frame).length ? { type: 'tile.frame', tileId, frame } : undefined;
}
