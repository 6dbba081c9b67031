import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { describeFrame } from '../canvas/geometry';
import type { Frame, Patch, TileState } from '../protocol/realtime';
import type { RoomStore } from '../realtime/room-store';
import { useTileRegistry } from '../tiles/registry-context';
import { stateUpdatePatch } from '../tiles/state-patch';
import type { TileKind } from '../tiles/tile-kind';
import { useToast } from '../ui/Toast';
import { addTilePatch, bringToFrontPatch, framePatch, newTileId } from './canvas-patches';
import { CanvasHistory, editedTiles, inversePatches, type HistoryEntry } from './canvas-history';
import type { TileCommands } from './EditableTile';
import type { TileGeometry } from './use-tile-gesture';

export interface CanvasCommands extends TileCommands {
  add(kind: TileKind): void;
  updateState(tileId: string, set: Partial<TileState>): void;
  /** Sets x, y, w and/or h exactly (the inspector's fields); one undo step. */
  setFrame(tileId: string, frame: Partial<TileGeometry>): void;
  /** Shows one tile full-stage to every viewer, or clears the spotlight. */
  spotlight(tileId: string | null): void;
  undo(): void;
  redo(): void;
}

/**
 * The host's canvas edits, published through the room, with undo and redo. Every command
 * reads the room's current canvas when it runs, so handlers never act on a stale render.
 */
export function useCanvasEditing(store: RoomStore | undefined) {
  const registry = useTileRegistry();
  const toast = useToast();
  const [selectedId, setSelectedId] = useState<string>();
  const [announcement, setAnnouncement] = useState('');
  const storeRef = useRef(store);
  storeRef.current = store;
  const [history] = useState(() => new CanvasHistory());
  const historyState = useSyncExternalStore(history.subscribe, history.getState, history.getState);

  const commands = useMemo(() => {
    const current = () => storeRef.current?.getView().snapshot;
    const labelOf = (tileId: string) => {
      const tile = current()?.tiles[tileId];
      return (tile && registry.find(tile.kind)?.label) ?? 'Tile';
    };
    const publish = (...patches: Array<Patch | undefined>) => {
      const defined = patches.filter((patch): patch is Patch => patch !== undefined);
      if (defined.length) storeRef.current?.publish(defined);
      return defined;
    };
    /** Publishes an edit and records how to take it back. */
    const edit = (label: string, patches: Array<Patch | undefined>, mergeKey?: string) => {
      const before = current();
      if (!before) return;
      const redo = publish(...patches);
      if (redo.length) history.record({ label, redo, undo: inversePatches(before, redo), mergeKey });
    };
    const announce = (message: string) => setAnnouncement(message);

    /** Applies one side of a step, if every tile it edits still exists. */
    const replay = (entry: HistoryEntry, patches: Patch[], verb: 'Undid' | 'Redid') => {
      const snapshot = current();
      const missing = editedTiles(patches).filter((tileId) => !snapshot?.tiles[tileId]);
      if (missing.length) {
        toast.show({ tone: 'info', title: `Can't ${verb === 'Undid' ? 'undo' : 'redo'} “${entry.label}”`, description: 'That tile is no longer on the canvas.' });
        return false;
      }
      publish(...patches);
      // Keep the spotlight on a tile that exists.
      const spot = current()?.canvas.spotlight;
      if (spot && !current()?.tiles[spot]) publish({ type: 'canvas.set', set: { spotlight: null } });
      const restored = patches.find((patch) => patch.type === 'tile.add');
      if (restored?.type === 'tile.add') setSelectedId(restored.tileId);
      announce(`${verb} ${entry.label}.`);
      return true;
    };

    const canvasCommands: CanvasCommands = {
      select: setSelectedId,
      announce,
      add(kind) {
        const snapshot = current();
        if (!snapshot) return;
        const tileId = newTileId(kind.kind);
        edit(`Add ${kind.label}`, [addTilePatch(kind, snapshot, tileId)]);
        setSelectedId(tileId);
        announce(`${kind.label} added to the canvas.`);
      },
      setGeometry(tileId, geometry: TileGeometry) {
        publish({ type: 'tile.frame', tileId, frame: geometry });
      },
      commitGeometry(tileId, from: Frame, to: Frame, how) {
        const redo = framePatch(tileId, from, to);
        const undo = framePatch(tileId, to, from);
        if (!redo || !undo) return;
        // The gesture has published the final frame already; only the step is recorded.
        if (how === 'keyboard') publish(redo);
        const label = `${from.w === to.w && from.h === to.h ? 'Move' : 'Resize'} ${labelOf(tileId)}`;
        history.record({ label, redo: [redo], undo: [undo], mergeKey: how === 'keyboard' ? `keys:${tileId}:${label}` : undefined });
      },
      setFrame(tileId, geometry) {
        const tile = current()?.tiles[tileId];
        if (!tile) return;
        const patch = framePatch(tileId, tile.frame, { ...tile.frame, ...geometry });
        edit(`${geometry.w !== undefined || geometry.h !== undefined ? 'Resize' : 'Move'} ${labelOf(tileId)}`, [patch]);
        const after = current()?.tiles[tileId];
        if (patch && after) announce(`${labelOf(tileId)}: ${describeFrame(after.frame)}.`);
      },
      bringToFront(tileId) {
        const snapshot = current();
        if (snapshot) edit(`Bring ${labelOf(tileId)} to front`, [bringToFrontPatch(snapshot, tileId)]);
      },
      remove(tileId) {
        const snapshot = current();
        const tile = snapshot?.tiles[tileId];
        if (!snapshot || !tile) return;
        const label = labelOf(tileId);
        edit(`Remove ${label}`, [{ type: 'tile.remove', tileId }]);
        if (snapshot.canvas.spotlight === tileId) publish({ type: 'canvas.set', set: { spotlight: null } });
        setSelectedId((selected) => (selected === tileId ? undefined : selected));
        announce(`${label} removed.`);
        const isThisRemoval = (entry: HistoryEntry) => entry.redo.some((patch) => patch.type === 'tile.remove' && patch.tileId === tileId);
        toast.show({
          tone: 'info',
          title: `${label} removed`,
          description: 'It is gone for your viewers too. Ctrl+Z brings it back.',
          durationMs: 8000,
          action: {
            label: 'Undo',
            onClick: () => {
              if (history.isLast(isThisRemoval)) canvasCommands.undo();
            },
          },
        });
      },
      updateState(tileId, set) {
        const tile = current()?.tiles[tileId];
        const kind = tile && registry.find(tile.kind);
        if (!tile || !kind) return;
        const patch = stateUpdatePatch(kind, tileId, tile.state, set);
        if (kind.undoableState === false) {
          publish(patch);
          return;
        }
        const keys = [...Object.keys(patch?.type === 'tile.state' ? (patch.set ?? {}) : {})].sort().join(',');
        edit(`Change ${kind.label}`, [patch], `state:${tileId}:${keys}`);
      },
      spotlight(tileId) {
        publish({ type: 'canvas.set', set: { spotlight: tileId } });
        announce(tileId ? `${labelOf(tileId)} is in the spotlight for every viewer.` : 'Spotlight off: viewers see the whole canvas.');
      },
      undo() {
        const entry = history.undo();
        if (entry && !replay(entry, entry.undo, 'Undid')) history.discardFuture(entry);
      },
      redo() {
        const entry = history.redo();
        if (entry && !replay(entry, entry.redo, 'Redid')) history.discardPast(entry);
      },
    };
    return canvasCommands;
  }, [registry, toast, history]);

  // Ctrl/Cmd+Z undoes, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redoes, except where text is edited:
  // there the field's own undo applies.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || !(event.ctrlKey || event.metaKey) || event.altKey || isTextEntry(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === 'z' && !event.shiftKey) commands.undo();
      else if ((key === 'z' && event.shiftKey) || (key === 'y' && !event.shiftKey)) commands.redo();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [commands]);

  return { commands, selectedId, announcement, history: historyState };
}

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'range', 'color'].includes(target.type);
}
