import { useMemo, useRef, useState } from 'react';
import type { Patch, TileState } from '../protocol/realtime';
import type { RoomStore } from '../realtime/room-store';
import { useTileRegistry } from '../tiles/registry-context';
import { stateUpdatePatch } from '../tiles/state-patch';
import type { TileKind } from '../tiles/tile-kind';
import { useToast } from '../ui/Toast';
import { addTilePatch, bringToFrontPatch, newTileId, restoreTilePatch } from './canvas-patches';
import type { TileCommands } from './EditableTile';
import type { TileGeometry } from './use-tile-gesture';

/**
 * The host's canvas edits, published through the room. Every command reads the room's
 * current canvas when it runs, so handlers never act on a stale render.
 */
export function useCanvasEditing(store: RoomStore | undefined) {
  const registry = useTileRegistry();
  const toast = useToast();
  const [selectedId, setSelectedId] = useState<string>();
  const [announcement, setAnnouncement] = useState('');
  const storeRef = useRef(store);
  storeRef.current = store;

  const commands = useMemo(() => {
    const current = () => storeRef.current?.getView().snapshot;
    const publish = (...patches: Array<Patch | undefined>) => {
      const defined = patches.filter((patch): patch is Patch => patch !== undefined);
      if (defined.length) storeRef.current?.publish(defined);
    };
    const announce = (message: string) => setAnnouncement(message);

    const tileCommands: TileCommands & {
      add(kind: TileKind): void;
      updateState(tileId: string, set: Partial<TileState>): void;
    } = {
      select: setSelectedId,
      announce,
      add(kind) {
        const snapshot = current();
        if (!snapshot) return;
        const tileId = newTileId(kind.kind);
        publish(addTilePatch(kind, snapshot, tileId));
        setSelectedId(tileId);
        announce(`${kind.label} added to the canvas.`);
      },
      setGeometry(tileId, geometry: TileGeometry) {
        publish({ type: 'tile.frame', tileId, frame: geometry });
      },
      bringToFront(tileId) {
        const snapshot = current();
        if (snapshot) publish(bringToFrontPatch(snapshot, tileId));
      },
      remove(tileId) {
        const tile = current()?.tiles[tileId];
        if (!tile) return;
        const label = registry.find(tile.kind)?.label ?? 'Tile';
        publish({ type: 'tile.remove', tileId });
        setSelectedId((selected) => (selected === tileId ? undefined : selected));
        announce(`${label} removed.`);
        toast.show({
          tone: 'info',
          title: `${label} removed`,
          description: 'It is gone for your viewers too.',
          durationMs: 8000,
          action: {
            label: 'Undo',
            onClick: () => {
              publish(restoreTilePatch(tileId, tile));
              setSelectedId(tileId);
              announce(`${label} restored.`);
            },
          },
        });
      },
      updateState(tileId, set) {
        const tile = current()?.tiles[tileId];
        const kind = tile && registry.find(tile.kind);
        if (tile && kind) publish(stateUpdatePatch(kind, tileId, tile.state, set));
      },
    };
    return tileCommands;
  }, [registry, toast]);

  return { commands, selectedId, announcement };
}
