import type { Patch } from '../protocol/realtime';

/**
 * Folds a queue of patches into fewer with the same effect, so a drag that produced 40 frame
 * patches while offline, or while the host waited for its next send slot (publish-rate.ts), is
 * sent as one: per tile, the last writer of each frame field and state key wins. A patch merges
 * into the latest queued patch of its tile even when other tiles' patches came in between, since
 * patches of different tiles (and canvas flags) do not affect each other.
 */
export function coalescePatches(patches: readonly Patch[]): Patch[] {
  const out: Patch[] = [];
  for (const patch of patches) {
    if (patch.type === 'canvas.set') {
      out.push(patch);
      continue;
    }
    if (patch.type === 'tile.remove') {
      // Nothing queued for a tile matters once it is removed.
      for (let i = out.length - 1; i >= 0; i--) {
        const queued = out[i]!;
        if ('tileId' in queued && queued.tileId === patch.tileId) out.splice(i, 1);
      }
      out.push(patch);
      continue;
    }
    const at = latestFor(out, patch.tileId);
    const last = at >= 0 ? out[at] : undefined;
    if (last && patch.type === 'tile.frame' && (last.type === 'tile.frame' || last.type === 'tile.add')) {
      out[at] = { ...last, frame: { ...last.frame, ...definedOnly(patch.frame) } } as Patch;
    } else if (last && patch.type === 'tile.state' && last.type === 'tile.state' && !last.unset && !patch.unset) {
      out[at] = { ...last, set: { ...last.set, ...patch.set } };
    } else if (last && patch.type === 'tile.state' && last.type === 'tile.add') {
      const state = { ...last.state, ...patch.set };
      for (const key of patch.unset ?? []) delete state[key];
      out[at] = { ...last, state };
    } else {
      out.push(patch);
    }
  }
  return out;
}

function latestFor(queue: readonly Patch[], tileId: string): number {
  for (let i = queue.length - 1; i >= 0; i--) {
    const queued = queue[i]!;
    if ('tileId' in queued && queued.tileId === tileId) return i;
  }
  return -1;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
