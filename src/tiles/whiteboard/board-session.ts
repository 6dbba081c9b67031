import { PROTOCOL_VERSION } from '../../protocol/realtime';
import { mergeElements, type BoardElement, type BoardPointer, type BoardViewport } from '../../protocol/board';
import type { BoardClientMessage, BoardServerMessage, ConnectionStatus, RoomEvent } from '../../realtime/room-connection';
import { ELEMENT_SYNC_MS, REVISION_GAP_MS, RevisionTracker, VIEW_REPEAT_MS, VIEW_SYNC_MS, changedElements, elementProblem, packBatches, toWire, type SyncableElement } from './board-sync';

/** What a board needs of the room (RoomConnection; tests pass a fake). */
export interface BoardRoom {
  readonly status: ConnectionStatus;
  subscribe(listener: (event: RoomEvent) => void): () => void;
  sendBoard?(message: BoardClientMessage): boolean;
}

export interface BoardSessionOptions {
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export type BoardEvent =
  /**
   * Elements that changed in the replica, to reconcile into a scene: from the server (`remote`:
   * a load, another host tab) or the host's own editor as it sends them (`local`).
   */
  | { type: 'elements'; elements: BoardElement[]; source: 'remote' | 'local' }
  /** The host's view and pointer, for followers. */
  | { type: 'view'; viewport?: BoardViewport; pointer?: BoardPointer | null }
  /** Download URLs of images, by file id. */
  | { type: 'files'; urls: Record<string, string> }
  /** Where the host uploads an image. */
  | { type: 'fileUploadUrl'; fileId: string; uploadUrl: string }
  /** The whole board has arrived once (or again, after a reconnect or a gap). */
  | { type: 'loaded' }
  /** Host: everything sent so far is stored, up to revision `rev`. */
  | { type: 'saved'; rev: number }
  /** Something the host should know (an element that cannot be shared, a refusal). */
  | { type: 'problem'; message: string };

/**
 * One whiteboard's replica in the browser, shared by every view of it on the page (the
 * studio's tile and the host's editor; the viewer's tile). It loads the board when the room
 * opens, merges batches by version in any order, reloads after a missed revision, and, for
 * the host, sends what changed: throttled, packed under the frame limit, resent after a
 * reconnect until acknowledged.
 */
export class BoardSession {
  /** The replica: every element the server has sent or acknowledged, by id. */
  elements = new Map<string, BoardElement>();
  loaded = false;
  /** The host's latest view, as followers should show it. */
  viewport: BoardViewport | undefined;
  pointer: BoardPointer | null = null;
  readonly fileUrls = new Map<string, string>();

  private listeners = new Set<(event: BoardEvent) => void>();
  private unsubscribe: () => void;
  private revisions = new RevisionTracker();
  private now: () => number;
  private setTimer: (run: () => void, ms: number) => unknown;
  private clearTimer: (timer: unknown) => void;
  private gapTimer: unknown;

  // Host side.
  /** Version per element id that the server has or will have (sent, acknowledged or received). */
  private known = new Map<string, number>();
  /** Versions the server acknowledged: after a reconnect, everything else is sent again. */
  private acked = new Map<string, number>();
  private inFlight = new Map<number, Array<{ id: string; version: number }>>();
  private clientSeq = 0;
  private latestScene: readonly SyncableElement[] = [];
  private elementTimer: unknown;
  private lastElementSync = -Infinity;
  private refused = new Map<string, number>();
  private pendingView: { viewport?: BoardViewport; pointer?: BoardPointer | null } | undefined;
  private viewTimer: unknown;
  private lastViewSync = -Infinity;
  private ackedRev = 0;
  /** Set once the host's editor reported a view: this page leads the board's view. */
  private leading = false;
  private keepAliveTimer: unknown;

  constructor(
    readonly boardId: string,
    private readonly room: BoardRoom,
    options: BoardSessionOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now());
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
    this.unsubscribe = room.subscribe((event) => this.onRoomEvent(event));
    if (room.status === 'open') this.load();
  }

  subscribe(listener: (event: BoardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.unsubscribe();
    this.listeners.clear();
    for (const timer of [this.gapTimer, this.elementTimer, this.viewTimer, this.keepAliveTimer]) if (timer !== undefined) this.clearTimer(timer);
  }

  // ---------------------------------------------------------------- host: sending

  /** The host's editor changed: sends the elements whose version moved, at most every ELEMENT_SYNC_MS. */
  localChange(scene: readonly SyncableElement[]): void {
    this.latestScene = scene;
    this.scheduleElements();
  }

  /** The host's view or pointer moved: sent at most every VIEW_SYNC_MS, the latest wins. */
  localView(view: { viewport?: BoardViewport; pointer?: BoardPointer | null }): void {
    if (view.viewport) this.viewport = view.viewport;
    if (view.pointer !== undefined) this.pointer = view.pointer;
    this.leading = true;
    this.emit({ type: 'view', viewport: this.viewport, pointer: this.pointer });
    this.pendingView = { ...this.pendingView, ...view };
    this.scheduleView();
  }

  /** The view channel is lossy: the leading host repeats its view now and then, and when a viewer joins. */
  private repeatView() {
    if (!this.leading || !this.viewport) return;
    this.pendingView = { viewport: this.viewport, ...this.pendingView };
    this.scheduleView();
  }

  private scheduleView() {
    if (this.viewTimer !== undefined) return;
    const wait = Math.max(0, this.lastViewSync + VIEW_SYNC_MS - this.now());
    this.viewTimer = this.setTimer(() => {
      this.viewTimer = undefined;
      this.flushView();
    }, wait);
  }

  /** Asks for an upload URL for one image (answered by a `fileUploadUrl` event). */
  requestFileUpload(file: { fileId: string; mimeType: string; size: number }): boolean {
    return this.send({
      v: PROTOCOL_VERSION,
      action: 'boardFile',
      boardId: this.boardId,
      file: file as Extract<BoardClientMessage, { action: 'boardFile' }>['file'],
    });
  }

  private scheduleElements() {
    if (this.elementTimer !== undefined) return;
    const wait = Math.max(0, this.lastElementSync + ELEMENT_SYNC_MS - this.now());
    this.elementTimer = this.setTimer(() => {
      this.elementTimer = undefined;
      this.flushElements();
    }, wait);
  }

  /** Sends every changed element now, packed under the frame limit. */
  flushElements(): void {
    if (this.room.status !== 'open' || !this.loaded) return;
    this.lastElementSync = this.now();
    const changed = changedElements(this.latestScene, this.known).filter((element) => this.refused.get(element.id) !== element.version);
    if (changed.length === 0) return;
    const wire: BoardElement[] = [];
    for (const element of changed) {
      const json = toWire(element);
      const problem = elementProblem(json);
      if (problem) {
        this.refused.set(element.id, element.version);
        this.emit({ type: 'problem', message: describeProblem(element, problem) });
        continue;
      }
      wire.push(json);
    }
    const { batches, oversized } = packBatches(wire);
    for (const element of oversized) {
      this.refused.set(element.id, element.version);
      this.emit({ type: 'problem', message: describeProblem(element, 'is too large to share') });
    }
    for (const batch of batches) {
      const clientSeq = ++this.clientSeq;
      const sent = this.send({ v: PROTOCOL_VERSION, action: 'boardUpdate', boardId: this.boardId, clientSeq, elements: batch });
      if (!sent) return;
      this.inFlight.set(clientSeq, batch.map(({ id, version }) => ({ id, version })));
      for (const element of batch) this.known.set(element.id, element.version);
      this.elements = mergeElements(this.elements, batch);
      this.emit({ type: 'elements', elements: batch, source: 'local' });
    }
  }

  private flushView() {
    if (!this.pendingView || this.room.status !== 'open') return;
    this.lastViewSync = this.now();
    const { viewport, pointer } = this.pendingView;
    this.pendingView = undefined;
    this.send({
      v: PROTOCOL_VERSION,
      action: 'boardView',
      boardId: this.boardId,
      ...(viewport ? { viewport } : {}),
      ...(pointer !== undefined ? { pointer } : {}),
      rev: this.ackedRev,
    });
    if (this.keepAliveTimer !== undefined) this.clearTimer(this.keepAliveTimer);
    this.keepAliveTimer = this.setTimer(() => {
      this.keepAliveTimer = undefined;
      this.repeatView();
    }, VIEW_REPEAT_MS);
  }

  private send(message: BoardClientMessage): boolean {
    return this.room.sendBoard?.(message) ?? false;
  }

  // ---------------------------------------------------------------- receiving

  private onRoomEvent(event: RoomEvent) {
    if (event.type === 'status') {
      if (event.status === 'open') this.onOpen();
      return;
    }
    if (event.type === 'presence' && event.event === 'join') return this.repeatView();
    if (event.type === 'rejected') return this.onRejected(event);
    if (event.type !== 'board' || event.message.boardId !== this.boardId) return;
    this.onBoardMessage(event.message);
  }

  /** After every (re)connect: reload the board, and resend what the server never acknowledged. */
  private onOpen() {
    this.repeatView();
    for (const batch of this.inFlight.values()) for (const { id } of batch) this.forget(id);
    this.inFlight.clear();
    this.load();
  }

  private forget(id: string) {
    const acked = this.acked.get(id);
    if (acked === undefined) this.known.delete(id);
    else this.known.set(id, acked);
  }

  private load() {
    this.send({ v: PROTOCOL_VERSION, action: 'boardLoad', boardId: this.boardId });
  }

  private partsByRev = new Map<number, Set<number>>();

  private onBoardMessage(message: BoardServerMessage) {
    const now = this.now();
    switch (message.type) {
      case 'board':
        this.receive(message.elements, message.files);
        this.revisions.seen(message.rev, now, { applied: true });
        break;
      case 'boardSnapshot': {
        this.receive(message.elements, message.files);
        const parts = this.partsByRev.get(message.rev) ?? new Set<number>();
        parts.add(message.part);
        this.partsByRev.set(message.rev, parts);
        if (parts.size < message.parts) return;
        this.partsByRev.delete(message.rev);
        this.revisions.loaded(message.rev, now);
        const first = !this.loaded;
        this.loaded = true;
        this.emit({ type: 'loaded' });
        // The host's edits made before the board arrived go out now.
        if (first || this.latestScene.length) this.scheduleElements();
        break;
      }
      case 'boardAck': {
        const batch = this.inFlight.get(message.clientSeq);
        this.inFlight.delete(message.clientSeq);
        for (const { id, version } of batch ?? []) if ((this.acked.get(id) ?? 0) < version) this.acked.set(id, version);
        this.ackedRev = Math.max(this.ackedRev, message.rev);
        this.revisions.seen(message.rev, now, { applied: true });
        if (this.inFlight.size === 0) this.emit({ type: 'saved', rev: this.ackedRev });
        break;
      }
      case 'boardView':
        if (message.viewport) this.viewport = message.viewport;
        if (message.pointer !== undefined) this.pointer = message.pointer;
        if (message.rev !== undefined) this.revisions.seen(message.rev, now, { applied: false });
        this.emit({ type: 'view', viewport: this.viewport, pointer: this.pointer });
        break;
      case 'boardFileUrl':
        this.emit({ type: 'fileUploadUrl', fileId: message.fileId, uploadUrl: message.uploadUrl });
        return;
    }
    this.watchGap();
  }

  private receive(incoming: BoardElement[], files: Record<string, string> | undefined) {
    const before = this.elements;
    this.elements = mergeElements(before, incoming);
    const changed = incoming.filter((element) => this.elements.get(element.id) === element && before.get(element.id) !== element);
    for (const element of changed) {
      if ((this.known.get(element.id) ?? 0) < element.version) this.known.set(element.id, element.version);
      if ((this.acked.get(element.id) ?? 0) < element.version) this.acked.set(element.id, element.version);
    }
    if (files) {
      for (const [fileId, url] of Object.entries(files)) this.fileUrls.set(fileId, url);
      this.emit({ type: 'files', urls: files });
    }
    if (changed.length) this.emit({ type: 'elements', elements: changed, source: 'remote' });
  }

  /** A revision is missing: give it REVISION_GAP_MS to arrive, then reload the whole board. */
  private watchGap() {
    const since = this.revisions.behindSince;
    if (since === undefined || this.gapTimer !== undefined) return;
    this.gapTimer = this.setTimer(() => {
      this.gapTimer = undefined;
      if (this.revisions.behindSince !== undefined && this.now() - this.revisions.behindSince >= REVISION_GAP_MS) this.load();
      else this.watchGap();
    }, Math.max(0, since + REVISION_GAP_MS - this.now()));
  }

  private onRejected(event: Extract<RoomEvent, { type: 'rejected' }>) {
    if (event.action !== 'boardUpdate' || event.clientSeq === undefined) return;
    const batch = this.inFlight.get(event.clientSeq);
    if (!batch) return;
    this.inFlight.delete(event.clientSeq);
    if (event.code === 'internal' || event.code === 'busy') {
      // Not the elements' fault: they go out again with the next change.
      for (const { id } of batch) this.forget(id);
      this.scheduleElements();
      return;
    }
    // Refused for what they are (too large for the board, invalid): not sent again at this version.
    for (const { id, version } of batch) {
      this.refused.set(id, version);
      this.forget(id);
    }
  }

  private emit(event: BoardEvent) {
    for (const listener of this.listeners) {
      // A view that cannot show an event must not stall the replica: the board still loads and saves.
      try {
        listener(event);
      } catch (error) {
        console.error('A whiteboard view could not apply a board update.', error);
      }
    }
  }
}

function describeProblem(element: SyncableElement, problem: string): string {
  const what = element.type === 'freedraw' ? 'A freehand stroke' : element.type === 'image' ? 'An image' : `A ${element.type}`;
  return `${what} on the whiteboard cannot be shared with viewers (${problem}). It stays on your screen only; shorten or simplify it.`;
}
