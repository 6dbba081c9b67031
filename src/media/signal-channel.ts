import { parseMediaSignal, type MediaSignal } from '../protocol/media';
import type { ConnectionStatus, RoomEvent } from '../realtime/room-connection';
import type { IncomingSignal, SignalChannel } from './types';

/** What media needs of a room connection (RoomConnection has it; tests pass a fake). */
export interface MediaRoom {
  subscribe(listener: (event: RoomEvent) => void): () => void;
  signal(to: string, data: MediaSignal): boolean;
  readonly status: ConnectionStatus;
  /** The session (IVS asks the HTTP API for tokens by session). */
  readonly sessionId?: string;
}

/**
 * The room as a SignalChannel: incoming signals checked against the shared schema (a server
 * message is input too), reconnects, viewers leaving and refused signals.
 */
export function roomSignalChannel(room: MediaRoom, role: 'host' | 'viewer', peerId: string): SignalChannel & { dispose(): void } {
  const signals = new Set<(signal: IncomingSignal) => void>();
  const reconnects = new Set<() => void>();
  const leaves = new Set<(connectionId: string) => void>();
  const refusals = new Set<(code: string, message: string) => void>();
  // The first 'open' after a drop is a reconnect; the room may already be open now.
  let wasOpen = room.status === 'open';
  const stop = room.subscribe((event) => {
    switch (event.type) {
      case 'signal': {
        const data = parseMediaSignal(event.data);
        if (data) for (const listener of signals) listener({ from: event.from, fromRole: event.fromRole, data });
        return;
      }
      case 'status':
        if (event.status === 'open') {
          if (wasOpen) for (const listener of reconnects) listener();
          wasOpen = true;
        }
        return;
      case 'presence':
        if (event.event === 'leave' && event.connectionId) for (const listener of leaves) listener(event.connectionId);
        return;
      case 'rejected':
        if (event.action === 'signal') for (const listener of refusals) listener(event.code, event.message);
        return;
    }
  });
  const add = <T>(set: Set<T>, listener: T) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  return {
    peerId,
    role,
    send: (to, data) => room.signal(to, data),
    onSignal: (listener) => add(signals, listener),
    onReconnect: (listener) => add(reconnects, listener),
    onLeave: (listener) => add(leaves, listener),
    onRefused: (listener) => add(refusals, listener),
    dispose: stop,
  };
}
