import { createContext, useContext, type ReactNode } from 'react';
import type { RoomStore } from './room-store';

/**
 * The page's room, for tiles that talk to it beyond their state (the whiteboard's element
 * stream). Undefined outside a live page (tests, previews): such tiles show a notice.
 */
const RoomContext = createContext<RoomStore | undefined>(undefined);

export function RoomProvider({ store, children }: { store: RoomStore | undefined; children: ReactNode }) {
  return <RoomContext.Provider value={store}>{children}</RoomContext.Provider>;
}

export function useRoomStore(): RoomStore | undefined {
  return useContext(RoomContext);
}
