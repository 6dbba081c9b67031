import type { ServerMessage, Tile } from './realtime';
import { emptyMap } from './storable-json';

/**
 * API Gateway delivers at most 128 KB per message, while a stored canvas may be larger.
 * A big snapshot travels in parts, each holding some of the tiles; the client puts them
 * back together before using any.
 */
export type SnapshotMessage = Extract<ServerMessage, { type: 'snapshot' }>;

/** Parts stay well under API Gateway's 128 KB limit. */
export const MAX_SNAPSHOT_PART_BYTES = 96 * 1024;

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

export function splitSnapshot(message: SnapshotMessage, maxBytes = MAX_SNAPSHOT_PART_BYTES): SnapshotMessage[] {
  if (bytes(message) <= maxBytes) return [message];
  const overhead = bytes({ ...message, snapshot: { ...message.snapshot, tiles: {} }, part: 999, parts: 999 });
  // Maps without a prototype: a tile id is only ever a key.
  const groups: Array<Record<string, Tile>> = [emptyMap()];
  let size = overhead;
  for (const [tileId, tile] of Object.entries(message.snapshot.tiles)) {
    const tileBytes = bytes({ [tileId]: tile });
    if (size + tileBytes > maxBytes && Object.keys(groups.at(-1)!).length > 0) {
      groups.push(emptyMap());
      size = overhead - bytes(message.chat);
    }
    groups.at(-1)![tileId] = tile;
    size += tileBytes;
  }
  return groups.map((tiles, index) => ({
    ...message,
    // Chat history rides with the first part only.
    chat: index === 0 ? message.chat : [],
    snapshot: { ...message.snapshot, tiles },
    part: index + 1,
    parts: groups.length,
  }));
}

/** Collects the parts of one snapshot; returns the whole message once the last part arrives. */
export class SnapshotAssembler {
  private parts: SnapshotMessage[] = [];

  add(message: SnapshotMessage): SnapshotMessage | undefined {
    if (!message.parts || message.parts <= 1) {
      this.parts = [];
      return message;
    }
    // A part of a newer snapshot drops an incomplete older one.
    if (this.parts.length && this.parts[0]!.snapshot.seq !== message.snapshot.seq) this.parts = [];
    this.parts.push(message);
    if (this.parts.length < message.parts) return undefined;
    const ordered = [...this.parts].sort((a, b) => (a.part ?? 0) - (b.part ?? 0));
    this.parts = [];
    const first = ordered[0]!;
    const { part: _part, parts: _parts, ...whole } = first;
    return {
      ...whole,
      chat: ordered.flatMap((p) => p.chat),
      snapshot: { ...first.snapshot, tiles: Object.assign(emptyMap<Tile>(), ...ordered.map((p) => p.snapshot.tiles)) },
    };
  }
}
