import type { Patch } from '../protocol/realtime';

/**
 * Folds a queue of patches into fewer with the same effect, so a drag that produced 40
 * frame patches while offline is sent as one: later frames and state keys win.
 */
export function coalescePatches(patches: readonly Patch[]): Patch[] {
  const out: Patch[] = [];
  for (const patch of patches) {
    const last = out[out.length - 1];
    if (last && patch.type === 'tile.frame' && last.type === 'tile.frame' && last.tileId === patch.tileId) {
      out[out.length - 1] = { ...last, frame: { ...last.frame, ...definedOnly(patch.frame) } };
    } else if (last && patch.type === 'tile.frame' && last.type === 'tile.add' && last.tileId === patch.tileId) {
      out[out.length - 1] = { ...last, frame: { ...last.frame, ...definedOnly(patch.frame) } };
    } else if (last && patch.type === 'tile.state' && last.type === 'tile.state' && last.tileId === patch.tileId && !last.unset && !patch.unset) {
      out[out.length - 1] = { ...last, set: { ...last.set, ...patch.set } };
    } else if (last && patch.type === 'tile.state' && last.type === 'tile.add' && last.tileId === patch.tileId) {
      const state = { ...last.state, ...patch.set };
      for (const key of patch.unset ?? []) delete state[key];
      out[out.length - 1] = { ...last, state };
    } else if (patch.type === 'tile.remove') {
      // Nothing queued for a tile matters once it is removed.
      for (let i = out.length - 1; i >= 0; i--) {
        const queued = out[i]!;
        if ('tileId' in queued && queued.tileId === patch.tileId) out.splice(i, 1);
      }
      out.push(patch);
    } else {
      out.push(patch);
    }
  }
  return out;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
