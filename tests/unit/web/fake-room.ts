import { applyPatches, emptySnapshot, type CanvasSnapshot, type ChatMessage, type Patch } from '../../../src/protocol/realtime';
import type { MediaSignal } from '../../../src/protocol/media';
import type { ConnectionStatus, RoomEvent } from '../../../src/realtime/room-connection';
import type { RoomLike } from '../../../src/realtime/room-store';
import type { ConnectRoom, RoomOptions } from '../../../src/realtime/use-room';

/**
 * A room without a socket, for component tests: records what the page sends and lets the
 * test play the server (sync, chat, reactions, status changes).
 */
export class FakeRoom implements RoomLike {
  status: ConnectionStatus = 'connecting';
  role: 'host' | 'viewer' | undefined;
  connectionId: string | undefined;
  viewerCount = 0;
  snapshot: CanvasSnapshot = emptySnapshot;
  unconfirmedCount = 0;
  readonly clock = { serverNow: () => Date.now() + this.clockOffsetMs };
  clockOffsetMs = 0;
  readonly published: Patch[] = [];
  readonly sentChat: Array<{ name: string; text: string }> = [];
  readonly sentReactions: string[] = [];
  readonly runs: Array<{ tileId: string; stdin: string }> = [];
  endRequested = false;
  closed = false;
  private listeners = new Set<(event: RoomEvent) => void>();

  constructor(readonly options: RoomOptions) {}

  subscribe(listener: (event: RoomEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(patches: Patch[]) {
    this.published.push(...patches);
    this.snapshot = applyPatches(this.snapshot, patches, this.snapshot.seq);
    this.emit({ type: 'snapshot', snapshot: this.snapshot });
  }

  chat(name: string, text: string) {
    this.sentChat.push({ name, text });
  }

  react(emoji: string) {
    this.sentReactions.push(emoji);
  }

  readonly signals: Array<{ to: string; data: MediaSignal }> = [];
  signal(to: string, data: MediaSignal) {
    this.signals.push({ to, data });
    return this.status === 'open';
  }

  runCode(tileId: string, stdin: string) {
    this.runs.push({ tileId, stdin });
  }

  end() {
    this.endRequested = true;
    this.setStatus('ended');
  }

  close() {
    this.closed = true;
  }

  // ------------------------------------------------------------ the test plays the server

  sync({ role = this.role ?? 'viewer', snapshot = this.snapshot, chat = [], viewerCount = this.viewerCount }: { role?: 'host' | 'viewer'; snapshot?: CanvasSnapshot; chat?: ChatMessage[]; viewerCount?: number } = {}) {
    this.role = role;
    this.connectionId = 'fake-connection';
    this.snapshot = snapshot;
    this.viewerCount = viewerCount;
    this.emit({ type: 'snapshot', snapshot });
    this.emit({ type: 'chatHistory', messages: chat });
    this.emit({ type: 'presence', viewerCount });
    this.setStatus('open');
  }

  /** A patch from the host, as a viewer receives it. */
  receive(patches: Patch[]) {
    this.snapshot = applyPatches(this.snapshot, patches, this.snapshot.seq + 1);
    this.emit({ type: 'snapshot', snapshot: this.snapshot });
  }

  setStatus(status: ConnectionStatus, reason?: string) {
    this.status = status;
    this.emit({ type: 'status', status, ...(reason ? { reason } : {}) });
  }

  emit(event: RoomEvent) {
    for (const listener of this.listeners) listener(event);
  }
}

/**
 * A connector that records its rooms. By default each room syncs on the next tick, as the
 * real one does once the socket opens: as host when a token getter is given, else as viewer.
 */
export function fakeConnector({ autoSync = true, snapshot }: { autoSync?: boolean; snapshot?: CanvasSnapshot } = {}) {
  const rooms: FakeRoom[] = [];
  const connect: ConnectRoom = (options) => {
    const room = new FakeRoom(options);
    rooms.push(room);
    if (autoSync) queueMicrotask(() => !room.closed && room.sync({ role: options.getToken ? 'host' : 'viewer', ...(snapshot ? { snapshot } : {}) }));
    return room;
  };
  return { connect, rooms, latest: () => rooms.at(-1)! };
}
