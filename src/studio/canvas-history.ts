import { applyPatch, type CanvasSnapshot, type Json, type Patch } from '../protocol/realtime';

/**
 * Undo and redo of the host's canvas edits. An edit is the patches it published plus the
 * patches that put the canvas back, computed from the canvas just before it. Undoing
 * publishes those through the same path as any edit, so viewers follow.
 */
export interface HistoryEntry {
  /** What the edit did, for buttons and announcements: "Move Clock". */
  label: string;
  redo: Patch[];
  undo: Patch[];
  /** Consecutive edits with the same key within MERGE_WINDOW_MS become one step (typing, arrow presses). */
  mergeKey?: string;
  at: number;
}

export const MERGE_WINDOW_MS = 1500;
/** Steps kept; the oldest go first. */
export const HISTORY_LIMIT = 100;

/** The patches that turn the canvas after `patches` back into `before`. Canvas flags are not edits and are left alone. */
export function inversePatches(before: CanvasSnapshot, patches: readonly Patch[]): Patch[] {
  const inverse: Patch[] = [];
  let current = before;
  for (const patch of patches) {
    const undo = inverseOf(current, patch);
    if (undo) inverse.unshift(undo);
    current = applyPatch(current, patch);
  }
  return inverse;
}

function inverseOf(canvas: CanvasSnapshot, patch: Patch): Patch | undefined {
  switch (patch.type) {
    case 'tile.add':
    case 'tile.remove': {
      const old = canvas.tiles[patch.tileId];
      if (old) return { type: 'tile.add', tileId: patch.tileId, kind: old.kind, frame: old.frame, state: old.state };
      return patch.type === 'tile.add' ? { type: 'tile.remove', tileId: patch.tileId } : undefined;
    }
    case 'tile.frame': {
      const old = canvas.tiles[patch.tileId];
      if (!old) return undefined;
      const frame: Partial<typeof old.frame> = {};
      for (const field of ['x', 'y', 'w', 'h', 'z'] as const) if (patch.frame[field] !== undefined) frame[field] = old.frame[field];
      return { type: 'tile.frame', tileId: patch.tileId, frame };
    }
    case 'tile.state': {
      const old = canvas.tiles[patch.tileId];
      if (!old) return undefined;
      const set: Record<string, Json> = {};
      const unset: string[] = [];
      for (const key of [...Object.keys(patch.set ?? {}), ...(patch.unset ?? [])]) {
        if (Object.hasOwn(old.state, key)) set[key] = old.state[key]!;
        else if (!unset.includes(key)) unset.push(key);
      }
      return {
        type: 'tile.state',
        tileId: patch.tileId,
        ...(Object.keys(set).length ? { set } : {}),
        ...(unset.length ? { unset } : {}),
      };
    }
    case 'canvas.set':
      return undefined;
  }
}

/** The tiles an entry's patches edit in place (frame or state): they must still exist to apply. */
export function editedTiles(patches: readonly Patch[]): string[] {
  return [...new Set(patches.flatMap((patch) => (patch.type === 'tile.frame' || patch.type === 'tile.state' ? [patch.tileId] : [])))];
}

export interface HistoryState {
  canUndo: boolean;
  canRedo: boolean;
  undoLabel?: string;
  redoLabel?: string;
}

export class CanvasHistory {
  private past: HistoryEntry[] = [];
  private future: HistoryEntry[] = [];
  private state: HistoryState = { canUndo: false, canRedo: false };
  private readonly listeners = new Set<() => void>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** A new edit: merged into the last one when it continues it, and the redo steps are dropped. */
  record(entry: Omit<HistoryEntry, 'at'>): void {
    if (entry.redo.length === 0) return;
    const at = this.now();
    const last = this.past.at(-1);
    if (last && entry.mergeKey && last.mergeKey === entry.mergeKey && at - last.at <= MERGE_WINDOW_MS && this.future.length === 0) {
      // The merged step undoes to before the first edit and redoes to after the last.
      this.past[this.past.length - 1] = { ...last, redo: [...last.redo, ...entry.redo], undo: [...entry.undo, ...last.undo], at };
    } else {
      this.past.push({ ...entry, at });
      if (this.past.length > HISTORY_LIMIT) this.past.shift();
    }
    this.future = [];
    this.changed();
  }

  /** The step to undo, moved to the redo side; the caller publishes its `undo` patches. */
  undo(): HistoryEntry | undefined {
    const entry = this.past.pop();
    if (entry) this.future.push(entry);
    this.changed();
    return entry;
  }

  redo(): HistoryEntry | undefined {
    const entry = this.future.pop();
    if (entry) this.past.push({ ...entry, mergeKey: undefined });
    this.changed();
    return entry;
  }

  /** Drops a step that can no longer apply (its tile was removed elsewhere). */
  discardFuture(entry: HistoryEntry): void {
    this.future = this.future.filter((other) => other !== entry);
    this.changed();
  }

  discardPast(entry: HistoryEntry): void {
    this.past = this.past.filter((other) => other !== entry);
    this.changed();
  }

  /** The last step, if it is the given one (e.g. a toast's Undo for a removal). */
  isLast(predicate: (entry: HistoryEntry) => boolean): boolean {
    const last = this.past.at(-1);
    return last !== undefined && predicate(last);
  }

  getState = (): HistoryState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed() {
    const undo = this.past.at(-1);
    const redo = this.future.at(-1);
    this.state = { canUndo: !!undo, canRedo: !!redo, undoLabel: undo?.label, redoLabel: redo?.label };
    for (const listener of this.listeners) listener();
  }
}
