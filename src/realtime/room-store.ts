import { emptySnapshot, type CanvasSnapshot, type ChatMessage, type Patch, type RejectionCode } from '../protocol/realtime';
import type { ConnectionStatus, RoomConnection, RoomEvent } from './room-connection';

/** What the UI uses of a room; `RoomConnection` is the real one, tests pass a fake. */
export type RoomLike = Pick<
  RoomConnection,
  'subscribe' | 'publish' | 'chat' | 'react' | 'end' | 'runCode' | 'close' | 'status' | 'role' | 'viewerCount' | 'snapshot' | 'unconfirmedCount' | 'connectionId'
> & { readonly clock: { serverNow(): number } };

/** Everything a page renders from a room, as one immutable value. */
export interface RoomView {
  status: ConnectionStatus;
  /** Why the room ended or was refused, in words. */
  reason?: string;
  /** True once the first snapshot arrived (the canvas is the server's, not a placeholder). */
  synced: boolean;
  /** True once a connection has been open: later drops are "reconnecting", not "connecting". */
  everOpened: boolean;
  role?: 'host' | 'viewer';
  snapshot: CanvasSnapshot;
  chat: ChatMessage[];
  viewerCount: number;
  /** Host: patches the server has not acknowledged yet. */
  unconfirmedCount: number;
}

/** Moments, not state: each is shown once (a floating emoji, a toast). */
export type RoomNotice =
  | { type: 'reaction'; emoji: string }
  | { type: 'rejected'; code: RejectionCode; message: string; action?: string };

export const initialRoomView: RoomView = {
  status: 'connecting',
  synced: false,
  everOpened: false,
  snapshot: emptySnapshot,
  chat: [],
  viewerCount: 0,
  unconfirmedCount: 0,
};

/** Chat kept in memory: enough to scroll back through a session, bounded for long ones. */
export const CHAT_KEPT = 200;

/** Merges messages by id in time order; a resync's history overlaps what is already shown. */
export function mergeChat(current: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return current as ChatMessage[];
  const known = new Set(current.map((message) => message.id));
  const added = incoming.filter((message) => !known.has(message.id));
  if (added.length === 0) return current as ChatMessage[];
  return [...current, ...added].sort((a, b) => a.at - b.at).slice(-CHAT_KEPT);
}

/**
 * Turns a room's events into one view value for `useSyncExternalStore`, and passes
 * reactions and rejections on to whoever listens for notices.
 */
export class RoomStore {
  private view: RoomView;
  private readonly listeners = new Set<() => void>();
  private readonly noticeListeners = new Set<(notice: RoomNotice) => void>();
  private readonly unsubscribe: () => void;

  constructor(readonly room: RoomLike) {
    this.view = { ...initialRoomView, status: room.status, snapshot: room.snapshot, viewerCount: room.viewerCount };
    this.unsubscribe = room.subscribe((event) => this.onEvent(event));
  }

  getView = (): RoomView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  onNotice(listener: (notice: RoomNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  publish(patches: Patch[]): void {
    this.room.publish(patches);
  }

  dispose(): void {
    this.unsubscribe();
    this.listeners.clear();
    this.noticeListeners.clear();
  }

  private onEvent(event: RoomEvent) {
    const view = this.view;
    switch (event.type) {
      case 'status':
        return this.set({
          status: event.status,
          reason: event.reason,
          everOpened: view.everOpened || event.status === 'open',
          unconfirmedCount: this.room.unconfirmedCount,
        });
      case 'snapshot':
        return this.set({
          snapshot: event.snapshot,
          role: this.room.role ?? view.role,
          unconfirmedCount: this.room.unconfirmedCount,
          synced: view.synced || this.room.role !== undefined,
        });
      case 'chat':
        return this.set({ chat: mergeChat(view.chat, [event.message]) });
      case 'chatHistory':
        return this.set({ chat: mergeChat(view.chat, event.messages), synced: true, role: this.room.role ?? view.role });
      case 'presence':
        return this.set({ viewerCount: event.viewerCount });
      case 'reaction':
        return this.notify({ type: 'reaction', emoji: event.emoji });
      case 'rejected':
        this.set({ unconfirmedCount: this.room.unconfirmedCount });
        return this.notify({ type: 'rejected', code: event.code, message: event.message, action: event.action });
      case 'signal':
        return;
    }
  }

  private set(change: Partial<RoomView>) {
    this.view = { ...this.view, ...change };
    for (const listener of this.listeners) listener();
  }

  private notify(notice: RoomNotice) {
    for (const listener of this.noticeListeners) listener(notice);
  }
}
