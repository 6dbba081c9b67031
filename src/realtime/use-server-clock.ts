import { useMemo } from 'react';
import type { ServerClock } from '../tiles/tile-kind';
import type { RoomStore } from './room-store';

/** The server-time estimate tiles compute from; the device clock until a room is connected. */
export function useServerClock(store: RoomStore | undefined): ServerClock {
  return useMemo(() => ({ now: () => (store ? store.room.clock.serverNow() : Date.now()) }), [store]);
}
