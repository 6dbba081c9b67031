import { mediaRefSchema, type MediaRef } from '../../protocol/media';
import type { TileState } from '../../protocol/realtime';

/**
 * The state of a camera or screen tile: references only (media never rides the patches),
 * how the video fits the tile, and the host's name for the "camera is off" placeholder.
 */
export interface MediaTileState extends TileState {
  /** The video publication; null while the camera is off or nothing is shared. */
  publication: MediaRef | null;
  /** Screen: the tab's audio, when the host shared it. */
  audio: MediaRef | null;
  fit: 'cover' | 'contain';
  /** Camera: mirror the host's own preview (viewers always see it unmirrored). */
  mirror: boolean;
  name: string;
}

export const initialMediaTileState = (fit: MediaTileState['fit']): MediaTileState => ({ publication: null, audio: null, fit, mirror: true, name: '' });

export function parseMediaTileState(stored: TileState, fallbackFit: MediaTileState['fit']): MediaTileState {
  const ref = (value: unknown): MediaRef | null => {
    const parsed = mediaRefSchema.safeParse(value);
    return parsed.success ? parsed.data : null;
  };
  return {
    publication: ref(stored.publication),
    audio: ref(stored.audio),
    fit: stored.fit === 'cover' || stored.fit === 'contain' ? stored.fit : fallbackFit,
    mirror: typeof stored.mirror === 'boolean' ? stored.mirror : true,
    name: typeof stored.name === 'string' ? stored.name.slice(0, 80) : '',
  };
}

/** "Ada Lovelace" or "ada.lovelace@example.com" -> "AL". */
export function initialsOf(name: string): string {
  const local = name.split('@')[0] ?? '';
  const words = local.split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? words[0]!.charAt(0) + words.at(-1)!.charAt(0) : local.slice(0, 2);
  return letters.toUpperCase();
}
