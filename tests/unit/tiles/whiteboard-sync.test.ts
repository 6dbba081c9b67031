import { describe, expect, it, vi } from 'vitest';
import { MAX_CLIENT_MESSAGE_BYTES, parseClientMessage, type ServerMessage } from '../../../src/protocol/realtime';
import { boardElementSchema, elementBytes, isOrderKey, isSafeLink, mergeElements, orderByIndex, supersedes, type BoardElement } from '../../../src/protocol/board';
import { splitBoardSnapshot } from '../../../src/protocol/board-parts';
import type { BoardClientMessage, RoomEvent } from '../../../src/realtime/room-connection';
import { BoardSession, type BoardEvent } from '../../../src/tiles/whiteboard/board-session';
import { ELEMENT_SYNC_MS, REVISION_GAP_MS, RevisionTracker, UPDATE_ENVELOPE_BYTES, changedElements, packBatches } from '../../../src/tiles/whiteboard/board-sync';
import { followView, viewCenter } from '../../../src/tiles/whiteboard/follow';
import { parseWhiteboardState, initialWhiteboardState } from '../../../src/tiles/whiteboard/whiteboard-state';
import { board, freedraw, rectangle } from '../../support/board-elements';

describe('whiteboard delta', () => {
  it('sends only syncable elements whose version moved since last sent', () => {
    const known = new Map([['a', 1], ['b', 2]]);
    const scene = [rectangle('a'), rectangle('b', { version: 3 }), rectangle('c'), { ...rectangle('embed'), type: 'embeddable' }];
    expect(changedElements(scene, known).map((e) => e.id)).toEqual(['b', 'c']);
    expect(changedElements(board(2000), new Map(board(2000).map((e) => [e.id, e.version])))).toEqual([]);
  });
});

describe('whiteboard packing', () => {
  it('keeps every message under the 32 KB frame, whatever the mix', () => {
    const elements = [...board(700), ...Array.from({ length: 20 }, (_, i) => freedraw(`f${i}`, 400))];
    const { batches, oversized } = packBatches(elements);
    expect(oversized).toEqual([]);
    expect(batches.flat()).toEqual(elements);
    for (const batch of batches) {
      const message = JSON.stringify({ v: 1, action: 'boardUpdate', boardId: 'b'.repeat(64), clientSeq: Number.MAX_SAFE_INTEGER, elements: batch });
      expect(new TextEncoder().encode(message).length).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_BYTES);
      expect(batch.length).toBeLessThanOrEqual(500);
    }
  });

  it('sets aside an element too large for one message', () => {
    const { batches, oversized } = packBatches([rectangle('a'), freedraw('huge', 3000)]);
    expect(batches).toEqual([[rectangle('a')]]);
    expect(oversized.map((e) => e.id)).toEqual(['huge']);
    expect(elementBytes(oversized[0]) > MAX_CLIENT_MESSAGE_BYTES - UPDATE_ENVELOPE_BYTES).toBe(true);
  });

  it('splits a big stored board into snapshot parts under 96 KB with each part’s image URLs', () => {
    const elements = [...board(2000), rectangle('img', { type: 'image', fileId: 'f1' })];
    const parts = splitBoardSnapshot({ type: 'boardSnapshot', v: 1, boardId: 'b', rev: 9, elements, files: { f1: 'http://x/f1', unused: 'http://x/u' }, part: 1, parts: 1 });
    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) expect(new TextEncoder().encode(JSON.stringify(part)).length).toBeLessThanOrEqual(96 * 1024);
    expect(parts.flatMap((p) => p.elements)).toEqual(elements);
    expect(parts.filter((p) => p.files).map((p) => p.files)).toEqual([{ f1: 'http://x/f1' }]);
    expect(parts.map((p) => [p.part, p.parts])).toEqual(parts.map((_, i) => [i + 1, parts.length]));
  });
});

describe('whiteboard reconciliation', () => {
  it('the higher version wins, then the lower versionNonce (Excalidraw’s rule)', () => {
    expect(supersedes(rectangle('a', { version: 2 }), rectangle('a'))).toBe(true);
    expect(supersedes(rectangle('a'), rectangle('a', { version: 2 }))).toBe(false);
    expect(supersedes(rectangle('a', { versionNonce: 1 }), rectangle('a', { versionNonce: 5 }))).toBe(true);
    expect(supersedes(rectangle('a', { versionNonce: 5 }), rectangle('a', { versionNonce: 1 }))).toBe(false);
  });

  it('out-of-order and duplicated batches end in the same board, tombstones included', () => {
    const batches = [
      [rectangle('a', { version: 1 }), rectangle('b', { version: 1 })],
      [rectangle('a', { version: 2, x: 20 })],
      [rectangle('b', { version: 2, isDeleted: true })],
      [rectangle('a', { version: 3, x: 30 }), rectangle('c', { version: 1 })],
    ];
    const expected = mergeElements(new Map(), batches.flat());
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1, 1, 2], [3, 3, 0, 0, 2, 1]];
    for (const order of orders) {
      const result = order.reduce((replica, i) => mergeElements(replica, batches[i]!), new Map<string, BoardElement>());
      expect(result).toEqual(expected);
    }
    expect(expected.get('a')?.x).toBe(30);
    // A deletion is a tombstone: it stays, so an older copy arriving late cannot bring the element back.
    expect(mergeElements(expected, [rectangle('b', { version: 1 })]).get('b')?.isDeleted).toBe(true);
    // Undo of a deletion is a newer version.
    expect(mergeElements(expected, [rectangle('b', { version: 3 })]).get('b')?.isDeleted).toBe(false);
  });

  it('knows Excalidraw’s fractional index keys', () => {
    for (const key of ['a0', 'a1', 'a0V', 'aZz', 'b10', 'Zz', 'zzzzzzzzzzzzzzzzzzzzzzzzzzz', 'a00001']) expect(isOrderKey(key), key).toBe(true);
    for (const key of ['a', 'a10', 'b1', 'Z', '0a', 'A00000000000000000000000000']) expect(isOrderKey(key), key).toBe(false);
  });

  it('orders by fractional index, ties by id', () => {
    expect(orderByIndex([rectangle('b', { index: 'a1' }), rectangle('a', { index: 'a1' }), rectangle('c', { index: 'a0V' })]).map((e) => e.id)).toEqual(['c', 'a', 'b']);
  });
});

describe('whiteboard element validation', () => {
  it('accepts Excalidraw’s elements and refuses what viewers or storage cannot take', () => {
    expect(boardElementSchema.safeParse(rectangle('a')).success).toBe(true);
    expect(boardElementSchema.safeParse(freedraw('f', 300)).success).toBe(true);
    expect(boardElementSchema.safeParse({ ...rectangle('t'), type: 'text', text: 'héllo 👋', originalText: 'héllo 👋' }).success).toBe(true);
    for (const bad of [
      { ...rectangle('a'), x: Number.NaN },
      { ...rectangle('a'), y: 1e-200 },
      { ...rectangle('a'), link: 'javascript:alert(1)' },
      { ...rectangle('a'), link: 'data:text/html,<script>' },
      { ...rectangle('a'), text: '\ud800' },
      { ...rectangle('a'), version: 0 },
      { ...rectangle('a'), index: 'not an index!' },
      // Base 62, but not keys Excalidraw can order (its scene would throw on them).
      { ...rectangle('a'), index: 'a01010' },
      { ...rectangle('a'), index: 'b1' },
      { ...rectangle('a'), index: '0a' },
      { ...rectangle('a'), type: 'iframe' },
      { ...rectangle('a'), customData: { constructor: 1 } },
      { ...rectangle('a'), points: [[0, 1, 2]] },
      { ...rectangle('a'), id: 'a b' },
    ]) {
      expect(boardElementSchema.safeParse(bad).success, JSON.stringify(bad).slice(0, 80)).toBe(false);
    }
    expect(isSafeLink('https://example.com/x')).toBe(true);
    expect(isSafeLink('mailto:a@example.com')).toBe(true);
    expect(isSafeLink('JavaScript:alert(1)')).toBe(false);
  });

  it('a boardUpdate naming a bad element is refused with the element’s path', () => {
    const result = parseClientMessage(JSON.stringify({ v: 1, action: 'boardUpdate', boardId: 'board-0001', clientSeq: 4, elements: [rectangle('a'), { ...rectangle('b'), width: Infinity }] }));
    expect(result).toMatchObject({ ok: false, code: 'bad_message', action: 'boardUpdate', clientSeq: 4 });
  });

  it('tile state is only a board reference; garbage gives no board', () => {
    const state = initialWhiteboardState();
    expect(parseWhiteboardState(state)).toEqual(state);
    expect(parseWhiteboardState({ boardId: '../../etc', rev: -1 })).toEqual({ boardId: '' });
    expect(parseWhiteboardState(null)).toEqual({ boardId: '' });
    expect(parseWhiteboardState({ boardId: state.boardId, rev: 7 })).toEqual({ ...state, rev: 7 });
  });
});

describe('following the host', () => {
  it('shows a follower the host’s visible scene, centred and contained, whatever its size', () => {
    const host = { scrollX: -500, scrollY: -200, zoom: 2, width: 1200, height: 600 };
    const hostCenter = viewCenter({ scrollX: host.scrollX, scrollY: host.scrollY, zoom: host.zoom }, host.width, host.height);
    for (const [width, height] of [[960, 540], [400, 700], [1920, 1080]] as const) {
      const view = followView(host, width, height);
      const center = viewCenter(view, width, height);
      expect(center.x).toBeCloseTo(hostCenter.x, 6);
      expect(center.y).toBeCloseTo(hostCenter.y, 6);
      expect(Math.min((width / view.zoom) / (host.width / host.zoom), (height / view.zoom) / (host.height / host.zoom))).toBeCloseTo(1, 6);
    }
  });
});

describe('revision gaps', () => {
  it('notices a missing revision, and forgets it once it arrives or the board is reloaded', () => {
    const revisions = new RevisionTracker();
    revisions.loaded(3, 0);
    revisions.seen(5, 10, { applied: true });
    expect(revisions.behindSince).toBe(10);
    revisions.seen(4, 20, { applied: true });
    expect(revisions.behindSince).toBeUndefined();
    expect(revisions.contiguous).toBe(5);
    revisions.seen(9, 30, { applied: false });
    expect(revisions.behindSince).toBe(30);
    revisions.loaded(9, 40);
    expect(revisions.behindSince).toBeUndefined();
  });
});

/** A room without a socket: records what the board sends and lets the test play the server. */
class FakeBoardRoom {
  status: 'open' | 'reconnecting' = 'open';
  readonly sent: BoardClientMessage[] = [];
  private listeners = new Set<(event: RoomEvent) => void>();
  subscribe(listener: (event: RoomEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  sendBoard(message: BoardClientMessage) {
    if (this.status !== 'open') return false;
    this.sent.push(structuredClone(message));
    return true;
  }
  emit(event: RoomEvent) {
    for (const listener of this.listeners) listener(event);
  }
  server(message: Extract<RoomEvent, { type: 'board' }>['message']) {
    this.emit({ type: 'board', message });
  }
  updates() {
    return this.sent
      .filter((m): m is Extract<BoardClientMessage, { action: 'boardUpdate' }> => m.action === 'boardUpdate')
      .map((m) => ({ ...m, elements: m.elements as BoardElement[] }));
  }
}

function setup() {
  let now = 1000;
  const timers: Array<{ at: number; run: () => void }> = [];
  const room = new FakeBoardRoom();
  const session = new BoardSession('board-0001', room, {
    now: () => now,
    setTimer: (run, ms) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => timers.splice(timers.indexOf(timer as (typeof timers)[number]), 1),
  });
  const events: BoardEvent[] = [];
  session.subscribe((event) => events.push(event));
  const advance = (ms: number) => {
    now += ms;
    for (const timer of [...timers].sort((a, b) => a.at - b.at)) {
      if (timer.at <= now && timers.includes(timer)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.run();
      }
    }
  };
  const snapshot = (rev: number, elements: BoardElement[] = []) =>
    room.server({ type: 'boardSnapshot', v: 1, boardId: 'board-0001', rev, elements, part: 1, parts: 1 });
  return { room, session, events, advance, snapshot };
}

describe('board session', () => {
  it('loads the board when the room is open, and sends nothing before it has', () => {
    const { room, session, snapshot, advance } = setup();
    expect(room.sent).toEqual([{ v: 1, action: 'boardLoad', boardId: 'board-0001' }]);
    session.localChange([rectangle('a')]);
    advance(ELEMENT_SYNC_MS);
    expect(room.updates()).toEqual([]);
    snapshot(0);
    advance(ELEMENT_SYNC_MS);
    expect(room.updates().map((m) => m.elements.map((e) => e.id))).toEqual([['a']]);
  });

  it('throttles a growing stroke to one message per interval, with the latest version', () => {
    const { room, session, snapshot, advance } = setup();
    snapshot(0);
    for (let points = 2; points <= 40; points++) {
      session.localChange([freedraw('s', points, { version: points })]);
      advance(10);
    }
    advance(ELEMENT_SYNC_MS);
    const sent = room.updates().map((m) => m.elements[0]!.version);
    expect(sent.length).toBeLessThanOrEqual(Math.ceil((39 * 10) / ELEMENT_SYNC_MS) + 2);
    expect(sent.at(-1)).toBe(40);
    expect([...sent].sort((a, b) => a - b)).toEqual(sent);
  });

  it('after a reconnect, resends what the server never acknowledged, and reloads', () => {
    const { room, session, snapshot, advance } = setup();
    snapshot(0);
    session.localChange([rectangle('a'), rectangle('b')]);
    advance(ELEMENT_SYNC_MS);
    const first = room.updates()[0]!;
    room.server({ type: 'boardAck', v: 1, boardId: 'board-0001', clientSeq: first.clientSeq, rev: 1 });
    session.localChange([rectangle('a', { version: 2 }), rectangle('b')]);
    advance(ELEMENT_SYNC_MS);
    expect(room.updates()).toHaveLength(2);
    // The socket drops before that second batch is acknowledged.
    room.status = 'reconnecting';
    room.emit({ type: 'status', status: 'reconnecting' });
    room.status = 'open';
    room.emit({ type: 'status', status: 'open' });
    expect(room.sent.at(-1)).toEqual({ v: 1, action: 'boardLoad', boardId: 'board-0001' });
    snapshot(1, [rectangle('a'), rectangle('b')]);
    advance(ELEMENT_SYNC_MS);
    expect(room.updates().at(-1)?.elements.map((e) => [e.id, e.version])).toEqual([['a', 2]]);
  });

  it('does not echo what it received, and merges remote batches in any order', () => {
    const { room, session, snapshot, events, advance } = setup();
    snapshot(0);
    room.server({ type: 'board', v: 1, boardId: 'board-0001', rev: 2, elements: [rectangle('x', { version: 4 })], at: 0 });
    room.server({ type: 'board', v: 1, boardId: 'board-0001', rev: 1, elements: [rectangle('x', { version: 3 })], at: 0 });
    expect(session.elements.get('x')?.version).toBe(4);
    expect(events.filter((e) => e.type === 'elements').map((e) => (e as { elements: BoardElement[] }).elements.map((x) => x.version))).toEqual([[4]]);
    session.localChange([rectangle('x', { version: 4 })]);
    advance(ELEMENT_SYNC_MS);
    expect(room.updates()).toEqual([]);
  });

  it('a view that fails to apply a part does not keep the board from loading', () => {
    const { room, session, events } = setup();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    session.subscribe((event) => {
      if (event.type === 'elements') throw new Error('cannot draw');
    });
    const part = (n: number) => room.server({ type: 'boardSnapshot', v: 1, boardId: 'board-0001', rev: 3, elements: [rectangle(`p${n}`)], part: n, parts: 2 });
    part(1);
    part(2);
    expect(session.loaded).toBe(true);
    expect(session.elements.size).toBe(2);
    expect(events.map((e) => e.type)).toContain('loaded');
    expect(errors).toHaveBeenCalledTimes(2);
    errors.mockRestore();
  });

  it('reloads the board when a revision stays missing', () => {
    const { room, snapshot, advance } = setup();
    snapshot(2);
    room.server({ type: 'board', v: 1, boardId: 'board-0001', rev: 4, elements: [rectangle('y')], at: 0 });
    const loads = () => room.sent.filter((m) => m.action === 'boardLoad').length;
    expect(loads()).toBe(1);
    advance(REVISION_GAP_MS);
    expect(loads()).toBe(2);
    snapshot(4);
    room.server({ type: 'board', v: 1, boardId: 'board-0001', rev: 5, elements: [rectangle('z')], at: 0 });
    advance(REVISION_GAP_MS * 2);
    expect(loads()).toBe(2);
  });

  it('does not resend elements the server refused for what they are; tells the host about ones too large to share', () => {
    const { room, session, snapshot, events, advance } = setup();
    snapshot(0);
    session.localChange([rectangle('a'), freedraw('huge', 3000)]);
    advance(ELEMENT_SYNC_MS);
    const update = room.updates()[0]!;
    expect(update.elements.map((e) => e.id)).toEqual(['a']);
    expect(events.some((e) => e.type === 'problem' && /freehand stroke/.test(e.message))).toBe(true);
    room.emit({ type: 'rejected', code: 'board_too_large', message: 'full', action: 'boardUpdate', clientSeq: update.clientSeq });
    session.localChange([rectangle('a'), freedraw('huge', 3000)]);
    advance(ELEMENT_SYNC_MS * 3);
    expect(room.updates()).toHaveLength(1);
  });

  it('the leading host repeats its view when a viewer joins', () => {
    const { room, session, snapshot, advance } = setup();
    snapshot(0);
    session.localView({ viewport: { scrollX: 1, scrollY: 2, zoom: 1, width: 800, height: 600 } });
    advance(100);
    const views = () => room.sent.filter((m) => m.action === 'boardView');
    expect(views()).toHaveLength(1);
    room.emit({ type: 'presence', viewerCount: 1, event: 'join', connectionId: 'v' });
    advance(100);
    expect(views()).toHaveLength(2);
    expect(views()[1]).toMatchObject({ viewport: { scrollX: 1 } });
  });
});

// The server message type the session handles must stay in the protocol's union.
export type _Checked = Extract<ServerMessage, { type: 'boardSnapshot' }>;
