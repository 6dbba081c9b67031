import { createContext, useContext } from 'react';
import type { Json, TileState } from '../protocol/realtime';

/**
 * Where a tile's view is shown: the live room, or a replay at some point of a session's log.
 * A kind whose state refers to data kept elsewhere (a whiteboard's elements, a deck) reads
 * what it needs as of `seq` with `sessionId` (and `connectionId`, which opens a live session's
 * replay routes); `attachments` holds what its server-side capture stored with the checkpoint.
 */
export type TilePlayback =
  | { mode: 'live' }
  | {
      mode: 'replay';
      sessionId: string;
      /** The last log entry shown. */
      seq: number;
      attachments?: Readonly<Record<string, Json>>;
      connectionId?: string;
    };

export const TilePlaybackContext = createContext<TilePlayback>({ mode: 'live' });

export function useTilePlayback(): TilePlayback {
  return useContext(TilePlaybackContext);
}

/**
 * A media reference as tiles store it (`{publicationId, source, provider}`, ARCHITECTURE.md:
 * media never rides the patches), at the top of the state or one level down. A replay has no
 * recording of it, whatever the kind declares.
 */
export function holdsMediaReference(state: TileState): boolean {
  const isReference = (value: unknown) =>
    typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).publicationId === 'string' && typeof (value as Record<string, unknown>).provider === 'string';
  return isReference(state) || Object.values(state).some(isReference);
}
