import type { ConnectionStatus } from './room-connection';
import type { RoomStore } from './room-store';

/** Resolves true when the room reaches `status`, false after `timeoutMs`. */
export function waitForStatus(store: RoomStore, status: ConnectionStatus, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (store.getView().status === status) return resolve(true);
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(false);
    }, timeoutMs);
    const unsubscribe = store.subscribe(() => {
      if (store.getView().status !== status) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(true);
    });
  });
}
