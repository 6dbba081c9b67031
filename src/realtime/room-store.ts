import { emptySnapshot, type CanvasSnapshot, type ChatMessage, type Patch, type RejectionCode } from '../protocol/realtime';
import type { ConnectionStatus, RoomConnection, RoomEvent } from './room-connection';

/** What the UI uses of a room; `RoomConnection` is the real one, tests pass a fake. */
export type RoomLike = Pick<
  RoomConnection,
  'subscribe' | 'publish' | 'chat' | 'react' | 'signal' | 'end' | 'runCode' | 'close' | 'status' | 'role' | 'viewerCount' | 'snapshot' | 'unconfirmedCount' | 'connectionId'
> &
  Partial<Pick<RoomConnection, 'sendBoard'>> & { readonly clock: { serverNow(): number } };

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
  /** False after the browser reported going offline, until it reports being back: a socket can look open meanwhile. */
  online: boolean;
  /**
   * True while the host's changes have waited longer than STALL_MS without any ack: the socket
   * may look open while nothing gets through (a network that dropped without closing it).
   */
  stalled: boolean;
  /** This page's chat messages the server has not echoed back yet, oldest first. */
  pendingChat: PendingChat[];
}

/** How long unconfirmed changes may wait before the connection counts as stalled. */
export const STALL_MS = 4000;

/**
 * A message on its way: `waiting` for a connection, `sending` (sent, not yet echoed by the
 * server), or `failed` (refused, or never confirmed) with the reason; failed ones can be retried.
 */
export interface PendingChat {
  localId: number;
  name: string;
  text: string;
  status: 'waiting' | 'sending' | 'failed';
  reason?: string;
}

/**
 * Where the store learns that the browser went offline or came back. Only the events count:
 * `navigator.onLine` is also false on a machine whose only network is loopback (a local
 * stack, the e2e namespace), where everything works.
 */
export interface OnlineSource {
  subscribe(onChange: (online: boolean) => void): () => void;
}

export const browserOnline: OnlineSource = {
  subscribe(onChange) {
    if (typeof window === 'undefined') return () => undefined;
    const online = () => onChange(true);
    const offline = () => onChange(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  },
};

/** A sent message the server has not echoed after this long is shown as failed, with Retry. */
export const CHAT_CONFIRM_TIMEOUT_MS = 15_000;

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
  online: true,
  stalled: false,
  pendingChat: [],
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
  private readonly unsubscribeOnline: () => void;
  private nextChatId = 1;
  private readonly chatTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  private lastUnconfirmed = 0;

  constructor(
    readonly room: RoomLike,
    private readonly onlineSource: OnlineSource = browserOnline,
  ) {
    this.view = { ...initialRoomView, status: room.status, snapshot: room.snapshot, viewerCount: room.viewerCount };
    this.unsubscribe = room.subscribe((event) => this.onEvent(event));
    this.unsubscribeOnline = onlineSource.subscribe((online) => {
      this.set({ online });
      this.sendWaitingChat();
    });
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

  /**
   * Sends a chat message, or keeps it until the connection is back. It shows as pending
   * until the server echoes it, and as failed (with Retry) if refused or never confirmed.
   */
  sendChat(name: string, text: string): void {
    const message: PendingChat = { localId: this.nextChatId++, name, text, status: 'waiting' };
    this.set({ pendingChat: [...this.view.pendingChat, message] });
    this.sendWaitingChat();
  }

  retryChat(localId: number): void {
    this.updateChat(localId, { status: 'waiting', reason: undefined });
    this.sendWaitingChat();
  }

  discardChat(localId: number): void {
    this.clearChatTimer(localId);
    this.set({ pendingChat: this.view.pendingChat.filter((message) => message.localId !== localId) });
  }

  dispose(): void {
    this.unsubscribe();
    this.unsubscribeOnline();
    for (const timer of this.chatTimers.values()) clearTimeout(timer);
    this.chatTimers.clear();
    clearTimeout(this.stallTimer);
    this.listeners.clear();
    this.noticeListeners.clear();
  }

  private onEvent(event: RoomEvent) {
    const view = this.view;
    switch (event.type) {
      case 'status':
        this.set({
          status: event.status,
          reason: event.reason,
          everOpened: view.everOpened || event.status === 'open',
          unconfirmedCount: this.room.unconfirmedCount,
        });
        return this.sendWaitingChat();
      case 'snapshot':
        return this.set({
          snapshot: event.snapshot,
          role: this.room.role ?? view.role,
          unconfirmedCount: this.room.unconfirmedCount,
          synced: view.synced || this.room.role !== undefined,
        });
      case 'chat':
        return this.set({ chat: mergeChat(view.chat, [event.message]), pendingChat: this.confirmChat(event.message) });
      case 'chatHistory':
        return this.set({ chat: mergeChat(view.chat, event.messages), synced: true, role: this.room.role ?? view.role });
      case 'presence':
        return this.set({ viewerCount: event.viewerCount });
      case 'reaction':
        return this.notify({ type: 'reaction', emoji: event.emoji });
      case 'rejected':
        this.set({ unconfirmedCount: this.room.unconfirmedCount });
        if (event.action === 'chat') this.failOldestSending(event.message);
        return this.notify({ type: 'rejected', code: event.code, message: event.message, action: event.action });
      case 'signal':
      case 'board':
        return;
    }
  }

  /** Watches how long changes wait for the server; see `stalled`. */
  private watchUnconfirmed() {
    const count = this.view.unconfirmedCount;
    const progressed = count < this.lastUnconfirmed;
    this.lastUnconfirmed = count;
    if (count === 0 || progressed) {
      // An ack arrived: the connection works (a long drag keeps changes pending, and acked).
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      if (this.view.stalled) {
        this.view = { ...this.view, stalled: false };
        this.sendWaitingChat();
      }
      if (count === 0) return;
    }
    this.stallTimer ??= setTimeout(() => {
      this.stallTimer = undefined;
      if (this.view.unconfirmedCount > 0) this.set({ stalled: true });
    }, STALL_MS);
  }

  private sendWaitingChat() {
    if (this.room.status !== 'open' || !this.view.online || this.view.stalled) return;
    for (const message of this.view.pendingChat) {
      if (message.status !== 'waiting') continue;
      this.room.chat(message.name, message.text);
      this.updateChat(message.localId, { status: 'sending' });
      this.clearChatTimer(message.localId);
      this.chatTimers.set(
        message.localId,
        setTimeout(() => {
          this.chatTimers.delete(message.localId);
          const current = this.view.pendingChat.find((other) => other.localId === message.localId);
          if (current?.status === 'sending') this.updateChat(message.localId, { status: 'failed', reason: 'The server did not confirm it.' });
        }, CHAT_CONFIRM_TIMEOUT_MS),
      );
    }
  }

  /** The server's echo of one of ours: the oldest sending message with the same name and text. */
  private confirmChat(message: ChatMessage): PendingChat[] {
    const pending = this.view.pendingChat;
    if (message.role !== this.room.role) return pending;
    const mine = pending.find((other) => other.status !== 'waiting' && other.name === message.name && other.text === message.text);
    if (!mine) return pending;
    this.clearChatTimer(mine.localId);
    return pending.filter((other) => other !== mine);
  }

  private failOldestSending(reason: string) {
    const sending = this.view.pendingChat.find((message) => message.status === 'sending');
    if (!sending) return;
    this.clearChatTimer(sending.localId);
    this.updateChat(sending.localId, { status: 'failed', reason });
  }

  private updateChat(localId: number, change: Partial<PendingChat>) {
    this.set({ pendingChat: this.view.pendingChat.map((message) => (message.localId === localId ? { ...message, ...change } : message)) });
  }

  private clearChatTimer(localId: number) {
    clearTimeout(this.chatTimers.get(localId));
    this.chatTimers.delete(localId);
  }

  private set(change: Partial<RoomView>) {
    this.view = { ...this.view, ...change };
    if ('unconfirmedCount' in change) this.watchUnconfirmed();
    for (const listener of this.listeners) listener();
  }

  private notify(notice: RoomNotice) {
    for (const listener of this.noticeListeners) listener(notice);
  }
}
