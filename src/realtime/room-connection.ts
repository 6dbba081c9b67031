import {
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_PATCHES_PER_MESSAGE,
  PROTOCOL_VERSION,
  applyPatches,
  emptySnapshot,
  type CanvasSnapshot,
  type ChatMessage,
  type ClientMessage,
  type Json,
  type Patch,
  type RejectionCode,
  type ServerMessage,
} from '../protocol/realtime';
import type { MediaSignal } from '../protocol/media';
import { SnapshotAssembler } from '../protocol/snapshot-parts';
import type { BroadcastMessage } from '../protocol/live-events';
import type { BroadcastSource } from './broadcast-source';
import { coalescePatches } from './coalesce-patches';
import { ClockOffset } from './clock-offset';
import { nextBackoffMs } from './backoff';
import { minBatchIntervalMs } from './publish-rate';

/**
 * The browser's side of a room: one WebSocket that reconnects with backoff and jitter,
 * keeps a replica of the canvas in sequence order, resyncs from the stored snapshot on a
 * gap or after reconnecting, and (for the host) queues patches while offline. When the
 * backend has an Event API, messages for the whole session arrive on a subscription to the
 * session's channel (`broadcast`) and the socket carries the rest (docs/protocol.md).
 */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'ended' | 'refused' | 'closed';

export type RoomEvent =
  | { type: 'status'; status: ConnectionStatus; reason?: string }
  | { type: 'snapshot'; snapshot: CanvasSnapshot }
  | { type: 'chat'; message: ChatMessage }
  | { type: 'chatHistory'; messages: ChatMessage[] }
  | { type: 'reaction'; emoji: string }
  | { type: 'presence'; viewerCount: number; event?: 'join' | 'leave'; connectionId?: string }
  | { type: 'signal'; from: string; fromRole: 'host' | 'viewer' | 'sfu'; data: MediaSignal }
  | { type: 'rejected'; code: RejectionCode; message: string; action?: string; clientSeq?: number }
  /** Whiteboard messages, unsequenced: the whiteboard tile (src/tiles/whiteboard/) handles them. */
  | { type: 'board'; message: BoardServerMessage };

export type BoardServerMessage = Extract<ServerMessage, { type: 'board' | 'boardAck' | 'boardSnapshot' | 'boardView' | 'boardFileUrl' }>;
export type BoardClientMessage = Extract<ClientMessage, { action: 'boardUpdate' | 'boardLoad' | 'boardView' | 'boardFile' }>;

export interface RoomConnectionOptions {
  webSocketUrl: string;
  sessionId: string;
  /** The host's access token; viewers connect without one. */
  getToken?: () => Promise<string | undefined>;
  /** Asked after a refused handshake, since browsers do not see the HTTP status: is the session still open? */
  checkSession?: () => Promise<'active' | 'ended' | 'missing'>;
  WebSocketImpl?: typeof WebSocket;
  /** The session's broadcasts, when the backend publishes them through an Event API. */
  broadcast?: BroadcastSource;
  /**
   * How long after the socket opens the broadcast subscription may take to be live before the
   * room counts it as down and catches up by snapshot meanwhile. The first snapshot never waits
   * for it: it is asked for at once, and again once the subscription is live.
   */
  broadcastWaitMs?: number;
  /** How long a gap in the sequence may stay open before resyncing from the snapshot. */
  gapTimeoutMs?: number;
  /** Keeps API Gateway's 10-minute idle timeout away, and refreshes the clock offset. */
  heartbeatMs?: number;
  /**
   * Host only: how long the sequence must stay quiet before the host pings, which makes the
   * server send the head's seq to every viewer (a `beacon`), so one that missed the last
   * message notices without waiting for the next.
   */
  quietPingMs?: number;
  random?: () => number;
}

type Listener = (event: RoomEvent) => void;

/** A refused sync is asked again after this long (the server refills 1 sync per 2 s). */
export const SYNC_RETRY_MS = 2000;

/**
 * While the broadcast subscription is down, nothing tells a viewer what it misses (beacons
 * travel on it too), so it asks for the snapshot now and then: every 5 s, or less often for a
 * large audience so that all of them together ask at most 200 times a second (each sync is a
 * consistent read of the session's head item; docs/scale.md).
 */
export const BROADCAST_DOWN_SYNC_MS = 5000;
const BROADCAST_DOWN_SYNCS_PER_SECOND = 200;

/** What may arrive on the broadcast channel; anything else there is ignored. */
const broadcastTypes = new Set<string>(['patch', 'chat', 'reaction', 'beacon', 'ended'] satisfies BroadcastMessage['type'][]);

export class RoomConnection {
  status: ConnectionStatus = 'connecting';
  role: 'host' | 'viewer' | undefined;
  connectionId: string | undefined;
  viewerCount = 0;
  readonly clock = new ClockOffset();
  /** The canvas as the server has sequenced it, plus (for the host) patches not yet acknowledged. */
  snapshot: CanvasSnapshot = emptySnapshot;

  private socket: WebSocket | undefined;
  private listeners = new Set<Listener>();
  private confirmed: CanvasSnapshot = emptySnapshot;
  private buffered = new Map<number, Extract<ServerMessage, { type: 'patch' | 'chat' | 'ack' }>>();
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private resyncTimer: ReturnType<typeof setTimeout> | undefined;
  /** The highest seq a beacon announced: confirmed below it means something was missed. */
  private headSeq = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private synced = false;
  private stopped = false;
  private pending: Patch[] = [];
  private inFlight: { clientSeq: number; patches: Patch[] } | undefined;
  private clientSeq = 0;
  private afterSettled: Array<() => void> = [];
  private snapshotParts = new SnapshotAssembler();
  /** When the last batch left, and the timer that sends the next one once the audience's rate allows. */
  private lastBatchAt = -Infinity;
  private batchTimer: ReturnType<typeof setTimeout> | undefined;
  private broadcastReady = false;
  private unsubscribeBroadcast: (() => void) | undefined;
  private broadcastAttempt = 0;
  private broadcastTimer: ReturnType<typeof setTimeout> | undefined;
  private syncWaitTimer: ReturnType<typeof setTimeout> | undefined;
  private catchUpTimer: ReturnType<typeof setTimeout> | undefined;
  /** The subscription starts after the first snapshot, so joining does not wait for (or compete with) it. */
  private broadcastStarted = false;
  /** A sync is on its way (at most one: the server refuses a repeat meanwhile). */
  private syncInFlight = false;
  /** Whether that sync left while the subscription was live, and whether the canvas comes from such a one. */
  private syncSentLive = false;
  private snapshotLive = false;
  /** The socket's first snapshot starts the quick clock samples. */
  private clockSampled = false;

  constructor(private readonly options: RoomConnectionOptions) {
    void this.open();
  }

  get sessionId(): string {
    return this.options.sessionId;
  }

  /** The broadcast subscription is live and the canvas comes from a snapshot asked for since: nothing published can slip between them. */
  get broadcastLive(): boolean {
    return this.broadcastReady && this.snapshotLive && !this.syncInFlight;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Host only: applies at once locally, sends in order, survives disconnections. */
  publish(patches: Patch[]): void {
    if (patches.length === 0) return;
    this.pending.push(...patches);
    this.snapshot = applyPatches(this.snapshot, patches, this.snapshot.seq);
    this.emit({ type: 'snapshot', snapshot: this.snapshot });
    this.flush();
  }

  /** Patches waiting for the server: shown as "saving" or "offline" in the UI. */
  get unconfirmedCount(): number {
    return this.pending.length + (this.inFlight?.patches.length ?? 0);
  }

  chat(name: string, text: string): void {
    this.sendNow({ v: PROTOCOL_VERSION, action: 'chat', name, text });
  }

  react(emoji: string): void {
    this.sendNow({ v: PROTOCOL_VERSION, action: 'react', emoji } as ClientMessage);
  }

  /** WebRTC signalling to the host, a viewer's connection or the SFU; false when the socket is not open. */
  signal(to: string, data: MediaSignal): boolean {
    if (this.socket?.readyState !== 1) return false;
    this.sendNow({ v: PROTOCOL_VERSION, action: 'signal', to, data });
    return true;
  }

  end(): void {
    this.sendNow({ v: PROTOCOL_VERSION, action: 'end' });
  }

  /**
   * Sends a whiteboard action now if the room is open (synced); false otherwise, and the
   * whiteboard sends again after the next `open` status. Board messages are not queued here:
   * the board keeps its own record of what the server has acknowledged.
   */
  sendBoard(message: BoardClientMessage): boolean {
    if (!this.synced || this.socket?.readyState !== 1) return false;
    this.sendNow(message);
    return true;
  }

  /** Runs a code tile once every edit made before it has reached the server, so the latest code runs. */
  runCode(tileId: string, stdin: string): void {
    this.afterSettled.push(() => this.sendNow({ v: PROTOCOL_VERSION, action: 'runCode', tileId, stdin }));
    this.settle();
  }

  close(): void {
    this.stopped = true;
    this.clearTimers();
    this.stopBroadcast();
    this.socket?.close(1000, 'Closed by the client');
    this.setStatus('closed');
  }

  // ------------------------------------------------------------------ connection

  private async open() {
    if (this.stopped) return;
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const query = new URLSearchParams({ sessionId: this.options.sessionId });
    try {
      const token = await this.options.getToken?.();
      if (token) query.set('token', token);
    } catch {
      // Without a fresh token the host connects as a viewer would be refused; retry later.
    }
    if (this.stopped) return;
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const socket = new Impl(`${this.options.webSocketUrl}?${query}`);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.synced = false;
      this.clockSampled = false;
      // At once, whatever the subscription's state: the canvas paints from this snapshot, and
      // what is published before the subscription is live comes with the next one (onBroadcastReady).
      this.requestSync();
      this.expectBroadcast();
      this.startHeartbeat();
    };
    socket.onmessage = (event) => this.receive(String(event.data));
    // A failed connection also fires close, which is where recovery happens.
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.syncInFlight = false;
      this.clearTimers();
      if (this.inFlight) {
        // Unacknowledged work goes back to the front of the queue; every patch is idempotent.
        this.pending.unshift(...this.inFlight.patches);
        this.inFlight = undefined;
      }
      if (this.stopped || this.status === 'ended') return;
      void this.afterClose(opened);
    };
  }

  private async afterClose(wasOpen: boolean) {
    if (!wasOpen && this.options.checkSession) {
      const state = await this.options.checkSession().catch(() => 'active' as const);
      if (state === 'ended') return this.finish('ended', 'The host ended this session.');
      if (state === 'missing') return this.finish('refused', 'This session does not exist.');
    }
    this.attempt++;
    this.setStatus('reconnecting');
    this.reconnectTimer = setTimeout(() => void this.open(), nextBackoffMs(this.attempt, this.options.random ?? Math.random));
  }

  private finish(status: 'ended' | 'refused', reason: string) {
    this.stopped = true;
    this.clearTimers();
    this.stopBroadcast();
    this.setStatus(status, reason);
  }

  // ------------------------------------------------------------------ the broadcast channel

  private subscribeBroadcast() {
    const source = this.options.broadcast;
    if (!source || this.stopped) return;
    this.unsubscribeBroadcast = source.subscribe(this.options.sessionId, {
      message: (message) => {
        const type = (message as { type?: unknown } | null)?.type;
        if (typeof type === 'string' && broadcastTypes.has(type)) this.handle(message as BroadcastMessage);
      },
      ready: () => this.onBroadcastReady(),
      interrupted: () => this.onBroadcastDown(),
      refused: () => void this.onBroadcastLost(true),
      failed: () => void this.onBroadcastLost(false),
    });
  }

  /**
   * Live (again): whatever was published while it was not is only in the snapshot, so ask for
   * one now; or, with a sync already on its way (read perhaps before this), once it is answered.
   */
  private onBroadcastReady() {
    this.broadcastAttempt = 0;
    this.broadcastReady = true;
    clearTimeout(this.syncWaitTimer);
    clearTimeout(this.catchUpTimer);
    this.syncWaitTimer = this.catchUpTimer = undefined;
    if (this.socket?.readyState === 1 && !this.syncInFlight) this.requestSync();
  }

  /** Down (dropped, failed or refused for a live session): catch up by snapshot until it is live again. */
  private onBroadcastDown() {
    this.broadcastReady = false;
    this.snapshotLive = false;
    if (this.catchUpTimer || this.stopped) return;
    const everyMs = Math.max(BROADCAST_DOWN_SYNC_MS, (this.viewerCount / BROADCAST_DOWN_SYNCS_PER_SECOND) * 1000);
    // Equal jitter, so a crowd that lost the Event API together does not ask together.
    const delay = everyMs / 2 + (this.options.random ?? Math.random)() * (everyMs / 2);
    this.catchUpTimer = setTimeout(() => {
      this.catchUpTimer = undefined;
      if (this.broadcastReady || this.stopped) return;
      if (this.socket?.readyState === 1 && this.synced) this.requestSync();
      this.onBroadcastDown();
    }, delay);
  }

  /** Refused: the session may have ended (asked like a refused socket); otherwise tries again with backoff. */
  private async onBroadcastLost(refused: boolean) {
    this.onBroadcastDown();
    this.stopBroadcast();
    if (this.stopped) return;
    if (refused && this.options.checkSession) {
      const state = await this.options.checkSession().catch(() => 'active' as const);
      if (this.stopped) return;
      if (state === 'ended' || state === 'missing') {
        this.socket?.close(1000, 'Session ended');
        return this.finish(state === 'ended' ? 'ended' : 'refused', state === 'ended' ? 'The host ended this session.' : 'This session does not exist.');
      }
    }
    this.broadcastAttempt++;
    clearTimeout(this.broadcastTimer);
    this.broadcastTimer = setTimeout(() => this.subscribeBroadcast(), nextBackoffMs(this.broadcastAttempt, this.options.random ?? Math.random));
  }

  private stopBroadcast() {
    clearTimeout(this.broadcastTimer);
    this.broadcastTimer = undefined;
    this.unsubscribeBroadcast?.();
    this.unsubscribeBroadcast = undefined;
  }

  /** Not live broadcastWaitMs after the socket opened: counted as down, so the room catches up by snapshot meanwhile. */
  private expectBroadcast() {
    if (!this.options.broadcast || this.broadcastReady) return;
    clearTimeout(this.syncWaitTimer);
    this.syncWaitTimer = setTimeout(() => {
      this.syncWaitTimer = undefined;
      this.onBroadcastDown();
    }, this.options.broadcastWaitMs ?? 3000);
  }

  private startHeartbeat() {
    this.heartbeat = setInterval(() => this.ping(), this.options.heartbeatMs ?? 60_000);
  }

  /**
   * A few quick samples give a good clock offset. They start once the socket's first snapshot
   * is in (itself a sample), so they do not keep the server busy while a viewer waits for it.
   */
  private sampleClock() {
    if (this.clockSampled) return;
    this.clockSampled = true;
    this.ping();
    for (const delay of [150, 400, 900]) setTimeout(() => this.ping(), delay);
  }

  private ping() {
    if (this.status === 'open' || this.socket?.readyState === 1) {
      this.sendNow({ v: PROTOCOL_VERSION, action: 'ping', clientTime: Date.now() });
    }
  }

  private requestSync() {
    if (this.socket?.readyState !== 1) return;
    this.syncInFlight = true;
    this.syncSentLive = this.broadcastReady;
    this.sendNow({ v: PROTOCOL_VERSION, action: 'sync', clientTime: Date.now() });
  }

  // ------------------------------------------------------------------ receiving

  private receive(raw: string) {
    let message: ServerMessage;
    try {
      message = JSON.parse(raw) as ServerMessage;
    } catch {
      return;
    }
    this.handle(message);
  }

  private handle(message: ServerMessage) {
    switch (message.type) {
      case 'snapshot': {
        const whole = this.snapshotParts.add(message);
        return whole ? this.onSnapshot(whole) : undefined;
      }
      case 'patch':
      case 'chat':
      case 'ack':
        return this.onSequenced(message);
      case 'pong':
        this.clock.addSample(message.clientTime, message.serverTime, Date.now());
        return;
      case 'beacon':
        this.headSeq = Math.max(this.headSeq, message.seq);
        if (this.synced) this.drain();
        return;
      case 'reaction':
        return this.emit({ type: 'reaction', emoji: message.emoji });
      case 'presence':
        this.viewerCount = message.viewerCount;
        return this.emit({ type: 'presence', viewerCount: message.viewerCount, event: message.event, connectionId: message.connectionId });
      case 'signal':
        return this.emit({ type: 'signal', from: message.from, fromRole: message.fromRole, data: message.data });
      case 'ended':
        this.socket?.close(1000, 'Session ended');
        return this.finish('ended', 'The host ended this session.');
      case 'error':
        return this.onRejected(message);
      case 'board':
      case 'boardAck':
      case 'boardSnapshot':
      case 'boardView':
      case 'boardFileUrl':
        return this.emit({ type: 'board', message });
    }
  }

  private onSnapshot(message: Extract<ServerMessage, { type: 'snapshot' }>) {
    this.syncInFlight = false;
    this.role = message.role;
    this.connectionId = message.connectionId;
    this.viewerCount = message.viewerCount;
    if (message.clientTime !== undefined) this.clock.addSample(message.clientTime, message.serverTime, Date.now());
    if (message.ended) {
      this.socket?.close(1000, 'Session ended');
      return this.finish('ended', 'The host ended this session.');
    }
    // A snapshot read before messages this client has already applied must not roll them back.
    if (message.snapshot.seq >= this.confirmed.seq) this.confirmed = message.snapshot;
    for (const seq of [...this.buffered.keys()]) if (seq <= this.confirmed.seq) this.buffered.delete(seq);
    this.rebase();
    this.emit({ type: 'chatHistory', messages: message.chat });
    this.emit({ type: 'presence', viewerCount: message.viewerCount });
    this.synced = true;
    this.setStatus('open');
    this.drain();
    this.flush();
    this.snapshotLive = this.syncSentLive;
    // Read before the subscription was live: ask again, for what was published in between.
    if (this.broadcastReady && !this.snapshotLive) this.requestSync();
    this.sampleClock();
    if (this.options.broadcast && !this.broadcastStarted) {
      this.broadcastStarted = true;
      this.subscribeBroadcast();
    }
  }

  /** Applies sequenced messages strictly in order; a gap waits briefly, then resyncs. */
  private onSequenced(message: Extract<ServerMessage, { type: 'patch' | 'chat' | 'ack' }>) {
    if (this.role === 'host') {
      clearTimeout(this.quietTimer);
      this.quietTimer = setTimeout(() => this.ping(), this.options.quietPingMs ?? 2000);
    }
    if (message.type === 'ack') {
      if (this.inFlight?.clientSeq === message.clientSeq) {
        const { patches } = this.inFlight;
        this.inFlight = undefined;
        // The host's own batch becomes part of the confirmed canvas at its sequence number…
        if (message.seq > this.confirmed.seq) this.buffered.set(message.seq, { type: 'patch', v: 1, seq: message.seq, patches, at: Date.now() });
        // …unless its broadcast copy came first and already put it there: only the pending count changed.
        else this.rebase();
        this.flush();
      }
    } else {
      this.buffered.set(message.seq, message);
    }
    if (this.synced) this.drain();
  }

  private drain() {
    let next = this.buffered.get(this.confirmed.seq + 1);
    let changed = false;
    while (next) {
      this.buffered.delete(next.seq);
      if (next.type === 'patch') {
        this.confirmed = applyPatches(this.confirmed, next.patches, next.seq);
        changed = true;
      } else {
        this.confirmed = { ...this.confirmed, seq: next.seq };
        if (next.type === 'chat') this.emit({ type: 'chat', message: next.message });
      }
      next = this.buffered.get(this.confirmed.seq + 1);
    }
    for (const seq of [...this.buffered.keys()]) if (seq <= this.confirmed.seq) this.buffered.delete(seq);
    if (changed) this.rebase();
    if (this.behind() && !this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        if (this.behind()) this.requestSync();
      }, this.options.gapTimeoutMs ?? 1000);
    } else if (!this.behind() && this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    }
  }

  /** Whether messages are missing: a gap before buffered ones, or a beacon announced a later seq. */
  private behind(): boolean {
    return this.buffered.size > 0 || this.headSeq > this.confirmed.seq;
  }

  /** The visible canvas: confirmed state with the host's unconfirmed patches on top. */
  private rebase() {
    const unconfirmed = [...(this.inFlight?.patches ?? []), ...this.pending];
    this.snapshot = applyPatches(this.confirmed, unconfirmed, this.confirmed.seq);
    this.emit({ type: 'snapshot', snapshot: this.snapshot });
  }

  private onRejected(message: Extract<ServerMessage, { type: 'error' }>) {
    if (message.action === 'sync') {
      // Refused (rate limit, or a snapshot already on its way): ask again later if still needed.
      this.syncInFlight = false;
      clearTimeout(this.resyncTimer);
      this.resyncTimer = setTimeout(() => {
        this.resyncTimer = undefined;
        if (!this.synced || this.behind() || (this.broadcastReady && !this.snapshotLive)) this.requestSync();
      }, SYNC_RETRY_MS);
      return;
    }
    if (this.inFlight && refusesBatch(message, this.inFlight.clientSeq)) {
      // The server refused this batch: drop it and show the server's truth.
      this.inFlight = undefined;
      this.requestSync();
    }
    this.emit({ type: 'rejected', code: message.code, message: message.message, action: message.action, clientSeq: message.clientSeq });
  }

  // ------------------------------------------------------------------ sending

  /** Sends the actions that wait for the host's queue once it is empty and confirmed. */
  private settle() {
    if (this.inFlight || this.pending.length > 0 || !this.synced || this.socket?.readyState !== 1) return;
    for (const action of this.afterSettled.splice(0)) action();
  }

  private flush() {
    if (this.pending.length === 0) this.settle();
    if (this.inFlight || this.pending.length === 0 || !this.synced || this.socket?.readyState !== 1) return;
    // Larger audiences get fewer batches (publish-rate.ts); what piles up meanwhile is folded below.
    const wait = this.lastBatchAt + minBatchIntervalMs(this.viewerCount) - Date.now();
    if (wait > 0) {
      this.batchTimer ??= setTimeout(() => {
        this.batchTimer = undefined;
        this.flush();
      }, wait);
      return;
    }
    const queue = coalescePatches(this.pending);
    const batch: Patch[] = [];
    let size = 200;
    while (queue.length && batch.length < MAX_PATCHES_PER_MESSAGE) {
      const patchSize = new TextEncoder().encode(JSON.stringify(queue[0])).length + 1;
      if (size + patchSize > MAX_CLIENT_MESSAGE_BYTES && batch.length > 0) break;
      if (size + patchSize > MAX_CLIENT_MESSAGE_BYTES) {
        queue.shift();
        this.emit({ type: 'rejected', code: 'too_large', message: 'A change was too large to send and was dropped.', action: 'publishState' });
        continue;
      }
      size += patchSize;
      batch.push(queue.shift()!);
    }
    this.pending = queue;
    if (batch.length === 0) return;
    this.inFlight = { clientSeq: ++this.clientSeq, patches: batch };
    this.lastBatchAt = Date.now();
    this.sendNow({ v: PROTOCOL_VERSION, action: 'publishState', clientSeq: this.clientSeq, patches: batch });
  }

  private sendNow(message: ClientMessage) {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(message));
  }

  private setStatus(status: ConnectionStatus, reason?: string) {
    if (this.status === status) return;
    this.status = status;
    this.emit({ type: 'status', status, ...(reason ? { reason } : {}) });
  }

  private emit(event: RoomEvent) {
    for (const listener of this.listeners) listener(event);
  }

  private clearTimers() {
    clearInterval(this.heartbeat);
    clearTimeout(this.gapTimer);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.quietTimer);
    clearTimeout(this.resyncTimer);
    clearTimeout(this.batchTimer);
    clearTimeout(this.syncWaitTimer);
    clearTimeout(this.catchUpTimer);
    this.heartbeat = this.gapTimer = this.reconnectTimer = this.quietTimer = this.resyncTimer = this.batchTimer = this.syncWaitTimer = this.catchUpTimer = undefined;
  }
}

/**
 * Whether an error refuses the batch in flight. It names the batch by clientSeq; but an
 * error without one (a frame the server could not read) that names no other action may be
 * the batch's only answer, and waiting for an ack that never comes would stall the queue.
 * Dropping and resyncing is always safe: the snapshot shows whether the batch landed.
 */
function refusesBatch(message: Extract<ServerMessage, { type: 'error' }>, inFlightSeq: number): boolean {
  if (message.action !== undefined && message.action !== 'publishState') return false;
  return message.clientSeq === undefined || message.clientSeq === inFlightSeq;
}
