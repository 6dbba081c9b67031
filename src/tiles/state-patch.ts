import type { Json, Patch, TileState } from '../protocol/realtime';
import type { TileKind } from './tile-kind';

/**
 * Turns an editor's change into the protocol's `tile.state` patch: the kind's reducer
 * (`applyPatch`) decides the next state, and only the top-level keys whose stored value
 * changes travel. Undefined when nothing changes, so idle clicks send nothing.
 */
export function stateUpdatePatch(kind: TileKind, tileId: string, stored: TileState, set: Partial<TileState>): Patch | undefined {
  const next = kind.applyPatch(kind.parseState(stored), set) as Record<string, Json | undefined>;
  const changed: TileState = {};
  for (const [key, value] of Object.entries(next)) {
    if (value !== undefined && !sameJson(value, stored[key])) changed[key] = value;
  }
  const unset = Object.keys(stored).filter((key) => next[key] === undefined);
  if (Object.keys(changed).length === 0 && unset.length === 0) return undefined;
  return { type: 'tile.state', tileId, ...(Object.keys(changed).length ? { set: changed } : {}), ...(unset.length ? { unset } : {}) };
}

function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
