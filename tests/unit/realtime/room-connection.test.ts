import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BROADCAST_DOWN_SYNC_MS, RoomConnection, type RoomConnectionOptions, type RoomEvent } from '../../../src/realtime/room-connection';
import type { BroadcastHandlers, BroadcastSource } from '../../../src/realtime/broadcast-source';
import { minBatchIntervalMs } from '../../../src/realtime/publish-rate';
import type { CanvasSnapshot, ChatMessage, ClientMessage, Frame, Patch, ServerMessage } from '../../../src/protocol/realtime';

// ---------------------------------------------------------------- a fake browser WebSocket

type SentMessage = ClientMessage & { clientSeq?: number; patches?: Patch[] };

/** Makes a WebSocket class whose instances the test drives: open, receive, drop. */
function fakeWebSocketClass() {
  const sockets: FakeSocket[] = [];
  class FakeSocket {
    readyState = 0;
    readonly sent: SentMessage[] = [];
    closedByClient: { code?: number; reason?: string } | undefined;
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    onclose: ((event: { code: number }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;

    constructor(readonly url: string) {
      sockets.push(this);
    }
    send(data: string) {
      if (this.readyState !== 1) throw new Error('InvalidStateError: send before open');
      this.sent.push(JSON.parse(data) as SentMessage);
    }
    close(code?: number, reason?: string) {
      if (this.readyState >= 2) return;
      this.closedByClient = { code, reason };
      this.readyState = 2;
      // Browsers dispatch the close event later, as a task.
      setTimeout(() => this.finishClose(code ?? 1005), 0);
    }
    // ---- driven by the test
    open() {
      this.readyState = 1;
      this.onopen?.({});
    }
    receive(message: ServerMessage) {
      this.onmessage?.({ data: JSON.stringify(message) });
    }
    receiveRaw(data: string) {
      this.onmessage?.({ data });
    }
    /** The network or the server closes the socket. */
    drop(code = 1006) {
      this.finishClose(code);
    }
    private finishClose(code: number) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.onclose?.({ code });
    }
    sentOf<A extends ClientMessage['action']>(action: A) {
      return this.sent.filter((m) => m.action === action) as Array<Extract<SentMessage, { action: A }>>;
    }
  }
  return { FakeSocket, sockets };
}

// ---------------------------------------------------------------- helpers

const frame: Frame = { x: 0, y: 0, w: 100, h: 100, z: 0 };
const add = (tileId: string, state: Record<string, string | number> = {}): Patch => ({ type: 'tile.add', tileId, kind: 'code', frame, state });
const move = (tileId: string, x: number): Patch => ({ type: 'tile.frame', tileId, frame: { x } });
const snapshotAt = (seq: number, tiles: CanvasSnapshot['tiles'] = {}): CanvasSnapshot => ({ seq, tiles, canvas: {} });

function snapshotMessage(snapshot: CanvasSnapshot, extra: Partial<Extract<ServerMessage, { type: 'snapshot' }>> = {}): ServerMessage {
  return {
    type: 'snapshot',
    v: 1,
    sessionId: 'session-1',
    connectionId: 'conn-1',
    role: 'viewer',
    snapshot,
    chat: [],
    viewerCount: 3,
    serverTime: Date.now(),
    ended: false,
    ...extra,
  };
}
const patchMessage = (seq: number, patches: Patch[]): ServerMessage => ({ type: 'patch', v: 1, seq, patches, at: 0 });
const chatMessage = (seq: number, text: string): ServerMessage => ({
  type: 'chat',
  v: 1,
  seq,
  message: { id: `m${seq}`, name: 'Ada', text, role: 'viewer', at: 0 } satisfies ChatMessage,
});

async function settle(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
}

function setup(options: Partial<RoomConnectionOptions> = {}) {
  const { FakeSocket, sockets } = fakeWebSocketClass();
  const events: RoomEvent[] = [];
  const room = new RoomConnection({
    webSocketUrl: 'wss://live.example/prod',
    sessionId: 'session-1',
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    random: () => 0,
    ...options,
  });
  room.subscribe((event) => events.push(event));
  const socket = () => {
    const last = sockets.at(-1);
    if (!last) throw new Error('no socket was opened');
    return last;
  };
  const ofType = <T extends RoomEvent['type']>(type: T) => events.filter((e) => e.type === type) as Array<Extract<RoomEvent, { type: T }>>;
  return { room, sockets, socket, events, ofType };
}

/** Opens the connection and delivers the first snapshot. */
async function connected(options: Partial<RoomConnectionOptions> = {}, snapshot = snapshotAt(5), role: 'host' | 'viewer' = 'viewer') {
  const t = setup(options);
  await settle();
  t.socket().open();
  t.socket().receive(snapshotMessage(snapshot, { role }));
  return t;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

// ---------------------------------------------------------------- connecting and syncing

describe('RoomConnection: connecting', () => {
  it('connects with the session id, without a token for viewers', async () => {
    const t = setup();
    expect(t.room.status).toBe('connecting');
    await settle();
    expect(t.sockets).toHaveLength(1);
    const url = new URL(t.socket().url);
    expect(url.origin + url.pathname).toBe('wss://live.example/prod');
    expect(Object.fromEntries(url.searchParams)).toEqual({ sessionId: 'session-1' });
  });

  it('adds the host token to the query', async () => {
    const t = setup({ getToken: async () => 'jwt.token.here' });
    await settle();
    expect(new URL(t.socket().url).searchParams.get('token')).toBe('jwt.token.here');
  });

  it('connects without a token when getting it fails', async () => {
    const t = setup({ getToken: async () => Promise.reject(new Error('signed out')) });
    await settle();
    expect(new URL(t.socket().url).searchParams.has('token')).toBe(false);
  });

  it('sends sync as its first message on open', async () => {
    const t = setup();
    await settle();
    t.socket().open();
    expect(t.socket().sent[0]).toEqual({ v: 1, action: 'sync', clientTime: Date.now() });
  });

  it('applies the snapshot: state, role, connection id, chat history, presence, status', async () => {
    const t = setup();
    await settle();
    t.socket().open();
    const history: ChatMessage[] = [{ id: 'm1', name: 'Ada', text: 'hi', role: 'viewer', at: 1 }];
    const snapshot = snapshotAt(12, { a: { kind: 'clock', frame, state: { mode: 'timer' } } });
    t.socket().receive(snapshotMessage(snapshot, { role: 'host', connectionId: 'me', viewerCount: 7, chat: history }));
    expect(t.room.snapshot).toEqual(snapshot);
    expect(t.room).toMatchObject({ status: 'open', role: 'host', connectionId: 'me', viewerCount: 7 });
    expect(t.ofType('snapshot').at(-1)?.snapshot).toEqual(snapshot);
    expect(t.ofType('chatHistory')).toEqual([{ type: 'chatHistory', messages: history }]);
    expect(t.ofType('presence')).toEqual([{ type: 'presence', viewerCount: 7 }]);
    expect(t.ofType('status').map((e) => e.status)).toEqual(['open']);
  });

  it('ignores frames that are not JSON', async () => {
    const t = await connected();
    t.socket().receiveRaw('Internal server error');
    expect(t.room.status).toBe('open');
  });

  const hello = { media: 'mesh', peer: 'viewer-peer-1', type: 'hello' } as const;

  it('emits reactions, presence and signals', async () => {
    const t = await connected();
    t.socket().receive({ type: 'reaction', v: 1, emoji: '🎉', at: 1 });
    t.socket().receive({ type: 'presence', v: 1, viewerCount: 9, event: 'join', connectionId: 'v9' });
    t.socket().receive({ type: 'signal', v: 1, from: 'host-conn', fromRole: 'host', data: hello });
    expect(t.events.slice(-3)).toEqual([
      { type: 'reaction', emoji: '🎉' },
      { type: 'presence', viewerCount: 9, event: 'join', connectionId: 'v9' },
      { type: 'signal', from: 'host-conn', fromRole: 'host', data: hello },
    ]);
    expect(t.room.viewerCount).toBe(9);
  });

  it('sends chat, reactions, signals and end only while open', async () => {
    const t = setup();
    await settle();
    t.room.chat('Ada', 'too early');
    t.socket().open();
    t.room.chat('Ada', 'hello');
    t.room.react('👏');
    t.room.signal('host', hello);
    t.room.end();
    expect(t.socket().sent.filter((m) => m.action !== 'sync' && m.action !== 'ping')).toEqual([
      { v: 1, action: 'chat', name: 'Ada', text: 'hello' },
      { v: 1, action: 'react', emoji: '👏' },
      { v: 1, action: 'signal', to: 'host', data: hello },
      { v: 1, action: 'end' },
    ]);
  });

  it('sends runCode only after every earlier edit is confirmed, so the latest code runs', async () => {
    const t = await connected({}, snapshotAt(5), 'host');
    t.room.publish([add('code-1', { source: 'print(1)' })]);
    t.room.runCode('code-1', 'input');
    const actions = () => t.socket().sent.map((m) => m.action).filter((a) => a === 'publishState' || a === 'runCode');
    expect(actions()).toEqual(['publishState']);
    const batch = t.socket().sent.find((m) => m.action === 'publishState')!;
    t.socket().receive({ type: 'ack', v: 1, clientSeq: batch.clientSeq as number, seq: 6 });
    expect(actions()).toEqual(['publishState', 'runCode']);
    expect(t.socket().sent.at(-1)).toEqual({ v: 1, action: 'runCode', tileId: 'code-1', stdin: 'input' });
  });
});

// ---------------------------------------------------------------- sequencing

describe('RoomConnection: sequence order', () => {
  it('applies patches in seq order when they arrive out of order', async () => {
    const t = await connected();
    t.socket().receive(patchMessage(7, [move('a', 70)]));
    t.socket().receive(patchMessage(8, [move('a', 80)]));
    expect(t.room.snapshot.seq).toBe(5);
    expect(t.room.snapshot.tiles).toEqual({});
    t.socket().receive(patchMessage(6, [add('a')]));
    expect(t.room.snapshot.seq).toBe(8);
    expect(t.room.snapshot.tiles.a?.frame.x).toBe(80);
  });

  it('applies each patch once per seq', async () => {
    const t = await connected();
    t.socket().receive(patchMessage(6, [add('a', { n: 1 })]));
    t.socket().receive(patchMessage(6, [add('a', { n: 999 })]));
    t.socket().receive(patchMessage(5, [add('b')]));
    t.socket().receive(patchMessage(3, [add('c')]));
    expect(t.room.snapshot).toEqual(snapshotAt(6, { a: { kind: 'code', frame, state: { n: 1 } } }));
    await settle(5000);
    expect(t.socket().sentOf('sync')).toHaveLength(1);
  });

  it('ignores patches already contained in the snapshot', async () => {
    const t = setup();
    await settle();
    t.socket().open();
    // Arrive before the snapshot: buffered, then dropped as older.
    t.socket().receive(patchMessage(5, [add('old')]));
    t.socket().receive(patchMessage(6, [add('new')]));
    t.socket().receive(snapshotMessage(snapshotAt(5)));
    expect(Object.keys(t.room.snapshot.tiles)).toEqual(['new']);
    expect(t.room.snapshot.seq).toBe(6);
  });

  it('resyncs when a gap stays open for gapTimeoutMs', async () => {
    const t = await connected({ gapTimeoutMs: 500 });
    t.socket().receive(patchMessage(7, [add('b')]));
    await settle(499);
    expect(t.socket().sentOf('sync')).toHaveLength(1);
    await settle(1);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
    t.socket().receive(snapshotMessage(snapshotAt(7, { b: { kind: 'code', frame, state: {} } })));
    expect(t.room.snapshot.seq).toBe(7);
    await settle(5000);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
  });

  it('does not resync when the gap fills in time', async () => {
    const t = await connected({ gapTimeoutMs: 500 });
    t.socket().receive(patchMessage(7, [add('b')]));
    await settle(300);
    t.socket().receive(patchMessage(6, [add('a')]));
    await settle(5000);
    expect(t.socket().sentOf('sync')).toHaveLength(1);
    expect(Object.keys(t.room.snapshot.tiles).sort()).toEqual(['a', 'b']);
  });

  it('keeps waiting and resyncs again if the snapshot does not close the gap', async () => {
    const t = await connected({ gapTimeoutMs: 500 });
    t.socket().receive(patchMessage(8, [add('c')]));
    await settle(500);
    t.socket().receive(snapshotMessage(snapshotAt(6)));
    await settle(500);
    expect(t.socket().sentOf('sync')).toHaveLength(3);
    t.socket().receive(patchMessage(7, [add('b')]));
    expect(t.room.snapshot.seq).toBe(8);
  });

  it('does not roll back to a snapshot older than what it already applied', async () => {
    const t = await connected({ gapTimeoutMs: 500 });
    // A gap triggers a sync; the server reads the head at seq 7 ...
    t.socket().receive(patchMessage(7, [add('b')]));
    await settle(500);
    // ... while 6, 7 and 8 arrive before the (older) snapshot does.
    t.socket().receive(patchMessage(6, [add('a')]));
    t.socket().receive(patchMessage(8, [move('b', 80)]));
    t.socket().receive(snapshotMessage(snapshotAt(7, { a: { kind: 'code', frame, state: {} }, b: { kind: 'code', frame, state: {} } })));
    expect(t.room.snapshot.seq).toBe(8);
    expect(t.room.snapshot.tiles.b?.frame.x).toBe(80);
  });

  it('resyncs when a beacon announces a seq it never received, even with nothing buffered', async () => {
    const t = await connected({ gapTimeoutMs: 500 });
    // The patch at seq 6 was lost; the host is idle, so nothing else arrives.
    t.socket().receive({ type: 'beacon', v: 1, seq: 6 });
    await settle(499);
    expect(t.socket().sentOf('sync')).toHaveLength(1);
    await settle(1);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
    t.socket().receive(snapshotMessage(snapshotAt(6, { a: { kind: 'code', frame, state: {} } })));
    expect(Object.keys(t.room.snapshot.tiles)).toEqual(['a']);
    await settle(5000);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
  });

  it('ignores a beacon it is not behind, and one overtaken by the missing message', async () => {
    const t = await connected({ gapTimeoutMs: 500 });
    t.socket().receive({ type: 'beacon', v: 1, seq: 5 });
    await settle(1000);
    // The beacon raced the patch it announces: the patch arrives within the gap timeout.
    t.socket().receive({ type: 'beacon', v: 1, seq: 6 });
    await settle(200);
    t.socket().receive(patchMessage(6, [add('a')]));
    await settle(5000);
    expect(t.socket().sentOf('sync')).toHaveLength(1);
  });

  it('asks again later when a sync is refused, until it is no longer behind', async () => {
    const t = await connected({ gapTimeoutMs: 500 });
    t.socket().receive(patchMessage(7, [add('b')]));
    await settle(500);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
    t.socket().receive({ type: 'error', v: 1, code: 'rate_limited', message: 'Too many sync messages', action: 'sync' });
    await settle(1999);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
    await settle(1);
    expect(t.socket().sentOf('sync')).toHaveLength(3);
    // A refusal is the client's own business: nothing to show.
    expect(t.ofType('rejected')).toEqual([]);
    t.socket().receive(snapshotMessage(snapshotAt(7)));
    t.socket().receive({ type: 'error', v: 1, code: 'busy', message: 'already on its way', action: 'sync' });
    await settle(5000);
    expect(t.socket().sentOf('sync')).toHaveLength(3);
  });

  it('emits chat messages in seq order, interleaved with patches', async () => {
    const t = await connected();
    t.socket().receive(chatMessage(8, 'third'));
    t.socket().receive(chatMessage(7, 'second'));
    expect(t.ofType('chat')).toEqual([]);
    t.socket().receive(patchMessage(6, [add('a')]));
    expect(t.ofType('chat').map((e) => e.message.text)).toEqual(['second', 'third']);
    expect(t.room.snapshot.seq).toBe(8);
    t.socket().receive(chatMessage(7, 'second again'));
    expect(t.ofType('chat')).toHaveLength(2);
  });
});

// ---------------------------------------------------------------- the host's queue

describe('RoomConnection: host publishing', () => {
  const host = (options: Partial<RoomConnectionOptions> = {}) => connected(options, snapshotAt(5), 'host');
  const publishes = (t: Awaited<ReturnType<typeof host>>, index = -1) => t.sockets.at(index)!.sentOf('publishState');

  it('applies a publish locally at once and sends it', async () => {
    const t = await host();
    t.room.publish([add('a', { text: 'hi' })]);
    expect(t.room.snapshot.tiles.a?.state).toEqual({ text: 'hi' });
    expect(t.room.snapshot.seq).toBe(5);
    expect(t.ofType('snapshot').at(-1)?.snapshot.tiles.a).toBeDefined();
    expect(publishes(t)).toEqual([{ v: 1, action: 'publishState', clientSeq: 1, patches: [add('a', { text: 'hi' })] }]);
    expect(t.room.unconfirmedCount).toBe(1);
  });

  it('ignores an empty publish', async () => {
    const t = await host();
    t.room.publish([]);
    expect(publishes(t)).toEqual([]);
  });

  it('keeps one batch in flight and sends the next only after the ack', async () => {
    const t = await host();
    t.room.publish([add('a')]);
    t.room.publish([add('b')]);
    t.room.publish([add('c')]);
    expect(publishes(t)).toHaveLength(1);
    expect(t.room.unconfirmedCount).toBe(3);
    expect(Object.keys(t.room.snapshot.tiles)).toEqual(['a', 'b', 'c']);

    t.socket().receive({ type: 'ack', v: 1, clientSeq: 1, seq: 6 });
    expect(publishes(t)).toHaveLength(2);
    expect(publishes(t)[1]).toEqual({ v: 1, action: 'publishState', clientSeq: 2, patches: [add('b'), add('c')] });
    expect(t.room.unconfirmedCount).toBe(2);
    expect(t.room.snapshot.seq).toBe(6);

    t.socket().receive({ type: 'ack', v: 1, clientSeq: 2, seq: 7 });
    expect(t.room.unconfirmedCount).toBe(0);
    expect(t.room.snapshot).toEqual(
      snapshotAt(7, { a: { kind: 'code', frame, state: {} }, b: { kind: 'code', frame, state: {} }, c: { kind: 'code', frame, state: {} } }),
    );
  });

  it('ignores an ack for another batch', async () => {
    const t = await host();
    t.room.publish([add('a')]);
    t.room.publish([add('b')]);
    t.socket().receive({ type: 'ack', v: 1, clientSeq: 99, seq: 6 });
    expect(publishes(t)).toHaveLength(1);
    expect(t.room.unconfirmedCount).toBe(2);
  });

  it('coalesces frames queued behind the batch in flight', async () => {
    const t = await host();
    t.room.publish([add('a')]);
    for (let x = 1; x <= 30; x++) t.room.publish([move('a', x)]);
    expect(t.room.snapshot.tiles.a?.frame.x).toBe(30);
    t.socket().receive({ type: 'ack', v: 1, clientSeq: 1, seq: 6 });
    expect(publishes(t)[1]?.patches).toEqual([move('a', 30)]);
  });

  it('splits a long queue into batches of at most 50 patches', async () => {
    const t = await host();
    t.room.publish([add('first')]);
    t.room.publish(Array.from({ length: 120 }, (_, i) => add(`t${i}`)));
    t.socket().receive({ type: 'ack', v: 1, clientSeq: 1, seq: 6 });
    expect(publishes(t)[1]?.patches).toHaveLength(50);
    t.socket().receive({ type: 'ack', v: 1, clientSeq: 2, seq: 7 });
    t.socket().receive({ type: 'ack', v: 1, clientSeq: 3, seq: 8 });
    expect(publishes(t).map((m) => m.patches!.length)).toEqual([1, 50, 50, 20]);
  });

  it('keeps every batch under the 32 KB frame limit and drops a single patch that cannot fit', async () => {
    const t = await host();
    const big = 'x'.repeat(12_000);
    t.room.publish([add('a', { big }), add('b', { big }), add('c', { big }), add('huge', { big: 'y'.repeat(40_000) }), add('d')]);
    const sizes = () => publishes(t).map((m) => new TextEncoder().encode(JSON.stringify(m)).length);
    expect(publishes(t)[0]?.patches?.map((p) => (p as { tileId: string }).tileId)).toEqual(['a', 'b']);
    t.socket().receive({ type: 'ack', v: 1, clientSeq: 1, seq: 6 });
    expect(publishes(t)[1]?.patches?.map((p) => (p as { tileId: string }).tileId)).toEqual(['c']);
    expect(t.ofType('rejected')).toEqual([]);
    t.socket().receive({ type: 'ack', v: 1, clientSeq: 2, seq: 7 });
    expect(publishes(t)[2]?.patches?.map((p) => (p as { tileId: string }).tileId)).toEqual(['d']);
    expect(Math.max(...sizes())).toBeLessThanOrEqual(32 * 1024);
    t.socket().receive({ type: 'ack', v: 1, clientSeq: 3, seq: 8 });
    // The dropped patch no longer shows once the confirmed canvas is rebased.
    expect(Object.keys(t.room.snapshot.tiles)).toEqual(['a', 'b', 'c', 'd']);
    expect(t.ofType('rejected')).toEqual([
      { type: 'rejected', code: 'too_large', message: 'A change was too large to send and was dropped.', action: 'publishState' },
    ]);
  });

  it('queues publishes made before the first snapshot', async () => {
    const t = setup();
    await settle();
    t.room.publish([add('early')]);
    t.socket().open();
    expect(t.socket().sentOf('publishState')).toEqual([]);
    t.socket().receive(snapshotMessage(snapshotAt(5), { role: 'host' }));
    expect(t.socket().sentOf('publishState')[0]?.patches).toEqual([add('early')]);
    expect(t.room.snapshot.tiles.early).toBeDefined();
  });

  it('requeues the batch in flight after a drop and resends it after reconnecting and the snapshot', async () => {
    const t = await host();
    t.room.publish([add('a')]);
    t.room.publish([move('a', 5)]);
    t.socket().drop();
    expect(t.room.status).toBe('reconnecting');
    expect(t.room.unconfirmedCount).toBe(2);
    t.room.publish([move('a', 9)]);
    // Still shown locally while offline.
    expect(t.room.snapshot.tiles.a?.frame.x).toBe(9);

    await settle(250); // backoff with random() = 0
    expect(t.sockets).toHaveLength(2);
    t.socket().open();
    // Nothing is published (nor pinged) before the snapshot arrives.
    expect(t.socket().sent.map((m) => m.action)).toEqual(['sync']);
    // The server never got the batch: its snapshot is still at 5.
    t.socket().receive(snapshotMessage(snapshotAt(5), { role: 'host' }));
    expect(t.room.snapshot.tiles.a?.frame.x).toBe(9);
    const resent = t.socket().sentOf('publishState');
    expect(resent).toHaveLength(1);
    expect(resent[0]).toMatchObject({ clientSeq: 2 });
    expect(resent[0]?.patches).toEqual([{ ...add('a'), frame: { ...frame, x: 9 } }]);
    t.socket().receive({ type: 'ack', v: 1, clientSeq: 2, seq: 6 });
    expect(t.room.unconfirmedCount).toBe(0);
    expect(t.room.snapshot.seq).toBe(6);
  });

  it('rebases unconfirmed patches on a snapshot that already contains them', async () => {
    const t = await host();
    t.room.publish([add('a', { n: 1 })]);
    t.socket().drop();
    await settle(250);
    t.socket().open();
    // The first batch did land before the drop.
    t.socket().receive(snapshotMessage(snapshotAt(6, { a: { kind: 'code', frame, state: { n: 1 } } }), { role: 'host' }));
    expect(t.room.snapshot).toEqual(snapshotAt(6, { a: { kind: 'code', frame, state: { n: 1 } } }));
    expect(t.socket().sentOf('publishState')[0]?.patches).toEqual([add('a', { n: 1 })]);
  });

  it('on a rejected batch: emits rejected, resyncs, shows the server state and sends the rest', async () => {
    const t = await host();
    t.room.publish([move('ghost', 1)]);
    t.room.publish([add('b')]);
    expect(t.room.snapshot.tiles.b).toBeDefined();
    t.socket().receive({ type: 'error', v: 1, code: 'unknown_tile', message: 'Tile ghost does not exist; add it first.', action: 'publishState', clientSeq: 1 });
    expect(t.ofType('rejected')).toEqual([
      { type: 'rejected', code: 'unknown_tile', message: 'Tile ghost does not exist; add it first.', action: 'publishState', clientSeq: 1 },
    ]);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
    expect(t.room.unconfirmedCount).toBe(1);
    expect(t.socket().sentOf('publishState')).toHaveLength(1);
    t.socket().receive(snapshotMessage(snapshotAt(5, { c: { kind: 'code', frame, state: {} } }), { role: 'host' }));
    expect(Object.keys(t.room.snapshot.tiles).sort()).toEqual(['b', 'c']);
    expect(t.socket().sentOf('publishState')[1]).toMatchObject({ clientSeq: 2, patches: [add('b')] });
  });

  it('an internal error naming the batch in flight unblocks the queue after a resync', async () => {
    const t = await host();
    t.room.publish([add('a')]);
    t.room.publish([add('b')]);
    t.socket().receive({ type: 'error', v: 1, code: 'internal', message: 'Something went wrong on our side. Try again.', action: 'publishState', clientSeq: 1 });
    // The write may or may not have landed: the snapshot says which.
    t.socket().receive(snapshotMessage(snapshotAt(6, { a: { kind: 'code', frame, state: {} } }), { role: 'host' }));
    expect(t.socket().sentOf('publishState')[1]).toMatchObject({ clientSeq: 2, patches: [add('b')] });
    expect(Object.keys(t.room.snapshot.tiles).sort()).toEqual(['a', 'b']);
  });

  it.each([
    ['with no action', { type: 'error', v: 1, code: 'bad_message', message: 'The message is not valid JSON.' }],
    ['naming publishState', { type: 'error', v: 1, code: 'bad_message', message: 'Invalid publishState message.', action: 'publishState' }],
  ] as Array<[string, ServerMessage]>)('an error without a clientSeq %s, while a batch is in flight, drops it and resyncs', async (_name, error) => {
    const t = await host();
    t.room.publish([add('a')]);
    t.room.publish([add('b')]);
    t.socket().receive(error);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
    expect(t.room.unconfirmedCount).toBe(1);
    t.socket().receive(snapshotMessage(snapshotAt(5), { role: 'host' }));
    // The queue moves on: nothing waits for an ack that will never come.
    expect(t.socket().sentOf('publishState')[1]).toMatchObject({ clientSeq: 2, patches: [add('b')] });
    expect(Object.keys(t.room.snapshot.tiles)).toEqual(['b']);
  });

  it('ignores an error naming an older batch', async () => {
    const t = await host();
    t.room.publish([add('a')]);
    t.socket().receive({ type: 'error', v: 1, code: 'bad_message', message: 'old', action: 'publishState', clientSeq: 99 });
    expect(t.socket().sentOf('sync')).toHaveLength(1);
    expect(t.room.unconfirmedCount).toBe(1);
  });

  it('does not resync for a rejection of another action', async () => {
    const t = await host();
    t.room.publish([add('a')]);
    t.socket().receive({ type: 'error', v: 1, code: 'rate_limited', message: 'slow down', action: 'chat' });
    expect(t.socket().sentOf('sync')).toHaveLength(1);
    expect(t.room.unconfirmedCount).toBe(1);
    expect(t.ofType('rejected')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- ending, refusal, reconnecting

describe('RoomConnection: lifecycle', () => {
  it("an 'ended' message ends the room and never reconnects", async () => {
    const t = await connected();
    t.socket().receive({ type: 'ended', v: 1, at: Date.now() });
    expect(t.room.status).toBe('ended');
    expect(t.ofType('status').at(-1)).toEqual({ type: 'status', status: 'ended', reason: 'The host ended this session.' });
    expect(t.socket().closedByClient).toEqual({ code: 1000, reason: 'Session ended' });
    await settle(120_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.room.status).toBe('ended');
  });

  it('a snapshot of an ended session ends the room', async () => {
    const t = setup();
    await settle();
    t.socket().open();
    t.socket().receive(snapshotMessage(snapshotAt(9), { ended: true }));
    expect(t.room.status).toBe('ended');
    await settle(120_000);
    expect(t.sockets).toHaveLength(1);
  });

  it.each([
    ['ended', 'ended', 'The host ended this session.'],
    ['missing', 'refused', 'This session does not exist.'],
  ] as const)('a refused handshake asks checkSession: %s → %s', async (answer, status, reason) => {
    const checkSession = vi.fn(async () => answer);
    const t = setup({ checkSession });
    await settle();
    t.socket().drop(1006); // closed before open: API Gateway answered 403
    await settle();
    expect(checkSession).toHaveBeenCalledTimes(1);
    expect(t.room.status).toBe(status);
    expect(t.ofType('status').at(-1)).toEqual({ type: 'status', status, reason });
    await settle(120_000);
    expect(t.sockets).toHaveLength(1);
  });

  it('a refused handshake of an active session (or a failing check) retries with backoff', async () => {
    for (const checkSession of [async () => 'active' as const, async () => Promise.reject(new Error('offline'))]) {
      const t = setup({ checkSession });
      await settle();
      t.socket().drop();
      await settle();
      expect(t.room.status).toBe('reconnecting');
      await settle(250);
      expect(t.sockets).toHaveLength(2);
      t.room.close();
    }
  });

  it('does not consult checkSession after a drop of an open socket', async () => {
    const checkSession = vi.fn(async () => 'ended' as const);
    const t = await connected({ checkSession });
    t.socket().drop();
    await settle();
    expect(checkSession).not.toHaveBeenCalled();
    expect(t.room.status).toBe('reconnecting');
  });

  it('reconnects with exponential backoff and jitter from the injected random', async () => {
    const t = setup({ random: () => 1 });
    await settle();
    t.socket().drop();
    // attempt 1: 250..500 ms, random() = 1 → 500
    await settle(499);
    expect(t.sockets).toHaveLength(1);
    await settle(1);
    expect(t.sockets).toHaveLength(2);
    t.socket().drop();
    // attempt 2: 500..1000 ms → 1000
    await settle(999);
    expect(t.sockets).toHaveLength(2);
    await settle(1);
    expect(t.sockets).toHaveLength(3);
    t.socket().drop();
    await settle(2000); // attempt 3 → 2000
    expect(t.sockets).toHaveLength(4);
    expect(t.ofType('status').map((e) => e.status)).toEqual(['reconnecting']);
  });

  it('uses the lower bound of the window when random() is 0', async () => {
    const t = setup({ random: () => 0 });
    await settle();
    t.socket().drop();
    await settle(249);
    expect(t.sockets).toHaveLength(1);
    await settle(1);
    expect(t.sockets).toHaveLength(2);
  });

  it('starts the backoff over after a successful connection', async () => {
    const t = await connected({ random: () => 1 });
    t.socket().drop();
    await settle(500);
    t.socket().drop(); // attempt 2
    await settle(1000);
    t.socket().open();
    t.socket().receive(snapshotMessage(snapshotAt(5)));
    t.socket().drop(); // attempt 1 again
    await settle(500);
    expect(t.sockets).toHaveLength(4);
  });

  it('close() stops for good', async () => {
    const t = await connected();
    t.room.close();
    expect(t.room.status).toBe('closed');
    expect(t.socket().closedByClient).toEqual({ code: 1000, reason: 'Closed by the client' });
    await settle(120_000);
    expect(t.sockets).toHaveLength(1);
  });

  it('close() while waiting to reconnect cancels the retry', async () => {
    const t = await connected();
    t.socket().drop();
    t.room.close();
    await settle(120_000);
    expect(t.sockets).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- heartbeat and clock

describe('RoomConnection: heartbeat and clock offset', () => {
  it('the host pings once its sequence has been quiet for quietPingMs (the server then sends viewers a beacon)', async () => {
    const t = await connected({ heartbeatMs: 60_000, quietPingMs: 2000 }, snapshotAt(5), 'host');
    await settle(1000);
    const pings = () => t.socket().sentOf('ping').length;
    const before = pings();
    t.room.publish([add('a')]);
    t.socket().receive({ type: 'ack', v: 1, clientSeq: t.socket().sentOf('publishState')[0]!.clientSeq, seq: 6 });
    await settle(1500);
    t.socket().receive(chatMessage(7, 'hi'));
    await settle(1999);
    expect(pings()).toBe(before);
    await settle(1);
    expect(pings()).toBe(before + 1);
    await settle(10_000);
    expect(pings()).toBe(before + 1);
  });

  it('a viewer sends no quiet ping', async () => {
    const t = await connected({ heartbeatMs: 60_000, quietPingMs: 2000 });
    await settle(1000);
    const before = t.socket().sentOf('ping').length;
    t.socket().receive(patchMessage(6, [add('a')]));
    await settle(10_000);
    expect(t.socket().sentOf('ping')).toHaveLength(before);
  });

  it('pings on open, a few times quickly, then every heartbeatMs', async () => {
    const t = await connected({ heartbeatMs: 10_000 });
    expect(t.socket().sentOf('ping')).toHaveLength(1);
    await settle(1000);
    expect(t.socket().sentOf('ping')).toHaveLength(4);
    await settle(9000);
    expect(t.socket().sentOf('ping')).toHaveLength(5);
    await settle(20_000);
    expect(t.socket().sentOf('ping')).toHaveLength(7);
  });

  it('stops the heartbeat when the socket drops', async () => {
    const t = await connected({ heartbeatMs: 10_000 });
    const first = t.socket();
    await settle(1000);
    first.drop();
    const before = first.sent.length;
    await settle(60_000);
    expect(first.sent.length).toBe(before);
  });

  it('updates the clock offset from a pong', async () => {
    const t = await connected();
    const sentAt = Date.now();
    await settle(40); // a 40 ms round trip
    t.socket().receive({ type: 'pong', v: 1, clientTime: sentAt, serverTime: sentAt + 20 + 5000 });
    expect(t.room.clock.offsetMs).toBe(5000);
    expect(t.room.clock.serverNow(Date.now())).toBe(Date.now() + 5000);
  });

  it('takes a clock sample from the snapshot that answers its sync', async () => {
    const t = setup();
    await settle();
    t.socket().open();
    const clientTime = t.socket().sentOf('sync')[0]!.clientTime!;
    await settle(100);
    t.socket().receive(snapshotMessage(snapshotAt(1), { clientTime, serverTime: clientTime + 50 - 2000 }));
    expect(t.room.clock.offsetMs).toBe(-2000);
  });
});

// ---------------------------------------------------------------- broadcasts on the Event API, pacing

/** A BroadcastSource the test drives: it records subscriptions and lets the test deliver, ack or refuse. */
function fakeBroadcast() {
  const subscriptions: Array<{ sessionId: string; handlers: BroadcastHandlers; closed: boolean }> = [];
  const source: BroadcastSource = {
    subscribe(sessionId, handlers) {
      const subscription = { sessionId, handlers, closed: false };
      subscriptions.push(subscription);
      return () => (subscription.closed = true);
    },
  };
  const current = () => subscriptions.at(-1)!;
  return { source, subscriptions, current };
}

/** Connected, subscribed (after the first snapshot), live, and the sync that follows answered. */
async function liveRoom(b: ReturnType<typeof fakeBroadcast>, options: Partial<RoomConnectionOptions> = {}, snapshot = snapshotAt(5), role: 'host' | 'viewer' = 'viewer') {
  const t = await connected({ broadcast: b.source, ...options }, snapshot, role);
  b.current().handlers.ready();
  t.socket().receive(snapshotMessage(snapshot, { role }));
  return t;
}

describe('RoomConnection: broadcasts on the Event API', () => {
  it('asks for the snapshot at once, subscribes to its session once it is in, and asks again once the subscription is live', async () => {
    const b = fakeBroadcast();
    const t = setup({ broadcast: b.source });
    await settle();
    t.socket().open();
    expect(t.socket().sentOf('sync')).toHaveLength(1);
    expect(b.subscriptions).toHaveLength(0);
    t.socket().receive(snapshotMessage(snapshotAt(5, { a: { kind: 'clock', frame, state: {} } })));
    expect(t.room.snapshot.tiles.a).toBeDefined(); // painted without waiting for the subscription
    expect(b.subscriptions.map((s) => s.sessionId)).toEqual(['session-1']);
    // Published after that snapshot was read and before the subscription was live: only a new snapshot has it.
    b.current().handlers.ready();
    expect(t.socket().sentOf('sync')).toHaveLength(2);
    t.socket().receive(snapshotMessage(snapshotAt(6, { a: { kind: 'clock', frame: { ...frame, x: 60 }, state: {} } })));
    expect(t.room.snapshot.tiles.a?.frame.x).toBe(60);
    await settle(60_000);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
  });

  it('asks again after a snapshot that was on its way when the subscription became live', async () => {
    const b = fakeBroadcast();
    const t = await connected({ broadcast: b.source });
    t.socket().drop();
    await settle(250);
    t.socket().open(); // a new socket asks, while the subscription is not live yet…
    expect(t.socket().sentOf('sync')).toHaveLength(1);
    b.current().handlers.ready(); // …then it is: one sync at a time, so not now…
    expect(t.socket().sentOf('sync')).toHaveLength(1);
    t.socket().receive(snapshotMessage(snapshotAt(5)));
    expect(t.socket().sentOf('sync')).toHaveLength(2); // …but once the first is answered
    t.socket().receive(snapshotMessage(snapshotAt(5)));
    expect(t.socket().sentOf('sync')).toHaveLength(2);
  });

  it('asks again when the sync asked for after the subscription became live is refused', async () => {
    const b = fakeBroadcast();
    const t = await connected({ broadcast: b.source });
    b.current().handlers.ready();
    expect(t.socket().sentOf('sync')).toHaveLength(2);
    t.socket().receive({ type: 'error', v: 1, code: 'rate_limited', message: 'Slow down', action: 'sync' });
    await settle(2000);
    expect(t.socket().sentOf('sync')).toHaveLength(3);
  });

  it('counts the subscription down when it is not live broadcastWaitMs after the socket opened', async () => {
    const b = fakeBroadcast();
    const t = await connected({ broadcast: b.source, broadcastWaitMs: 500 });
    await settle(500);
    await settle(BROADCAST_DOWN_SYNC_MS / 2 - 1);
    expect(t.socket().sentOf('sync')).toHaveLength(1);
    await settle(1);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
  });

  it('applies broadcast messages in seq order with those of the socket, and resyncs when the subscription is re-established', async () => {
    const b = fakeBroadcast();
    const t = await liveRoom(b, {}, snapshotAt(5, { a: { kind: 'clock', frame, state: {} } }));
    b.current().handlers.message(patchMessage(7, [move('a', 70)]));
    b.current().handlers.message(patchMessage(6, [move('a', 60)]));
    expect(t.room.snapshot.seq).toBe(7);
    expect(t.room.snapshot.tiles.a?.frame.x).toBe(70);
    b.current().handlers.message(chatMessage(8, 'hi'));
    expect(t.ofType('chat').map((e) => e.message.text)).toEqual(['hi']);
    // Amplify re-subscribed after a drop: what was published meanwhile is only in the snapshot.
    const syncs = t.socket().sentOf('sync').length;
    b.current().handlers.ready();
    expect(t.socket().sentOf('sync')).toHaveLength(syncs + 1);
  });

  it('ignores on the broadcast channel what only the socket may carry', async () => {
    const b = fakeBroadcast();
    const t = await liveRoom(b);
    const before = t.events.length;
    b.current().handlers.message(snapshotMessage(snapshotAt(99), { role: 'host' }));
    b.current().handlers.message({ type: 'signal', v: 1, from: 'x', fromRole: 'host', data: {} });
    b.current().handlers.message({ type: 'error', v: 1, code: 'internal', message: 'x' });
    b.current().handlers.message('not an object');
    expect(t.events.length).toBe(before);
    expect(t.room).toMatchObject({ role: 'viewer' });
    expect(t.room.snapshot.seq).toBe(5);
  });

  it('ends the room on an ended message from the broadcast, and unsubscribes', async () => {
    const b = fakeBroadcast();
    const t = await liveRoom(b);
    b.current().handlers.message({ type: 'ended', v: 1, at: 1 });
    expect(t.room.status).toBe('ended');
    expect(b.current().closed).toBe(true);
    expect(t.socket().closedByClient).toBeDefined();
  });

  it('on a refused subscription asks whether the session ended, and ends the room if so', async () => {
    const b = fakeBroadcast();
    const t = await connected({ broadcast: b.source, checkSession: async () => 'ended' });
    b.current().handlers.refused('UnauthorizedException');
    await settle();
    expect(t.room.status).toBe('ended');
  });

  it('subscribes again with backoff when the subscription failed or was refused for a live session', async () => {
    const b = fakeBroadcast();
    await connected({ broadcast: b.source, checkSession: async () => 'active', random: () => 0 });
    b.current().handlers.failed('network');
    expect(b.subscriptions[0]!.closed).toBe(true);
    await settle(249);
    expect(b.subscriptions).toHaveLength(1);
    await settle(1);
    expect(b.subscriptions).toHaveLength(2);
    b.current().handlers.refused('UnauthorizedException');
    await settle(500);
    expect(b.subscriptions).toHaveLength(3);
  });

  it('while the subscription is down, catches up by snapshot every 5 s (jittered) until it is live again', async () => {
    const b = fakeBroadcast();
    const t = await liveRoom(b, { random: () => 0 });
    const syncs = () => t.socket().sentOf('sync').length;
    expect(syncs()).toBe(2);
    b.current().handlers.interrupted();
    b.current().handlers.interrupted(); // Amplify reports each state it passes through: one timer only
    await settle(BROADCAST_DOWN_SYNC_MS / 2 - 1);
    expect(syncs()).toBe(2);
    await settle(1);
    expect(syncs()).toBe(3);
    t.socket().receive(snapshotMessage(snapshotAt(5)));
    await settle(BROADCAST_DOWN_SYNC_MS / 2);
    expect(syncs()).toBe(4);
    t.socket().receive(snapshotMessage(snapshotAt(5)));
    b.current().handlers.ready();
    expect(syncs()).toBe(5);
    t.socket().receive(snapshotMessage(snapshotAt(5)));
    await settle(60_000);
    expect(syncs()).toBe(5);
  });

  it('asks less often for a large audience (at most 200 syncs a second from all of it), and also after a failed or slow subscription', async () => {
    const b = fakeBroadcast();
    const t = setup({ broadcast: b.source, random: () => 0, broadcastWaitMs: 500 });
    await settle();
    t.socket().open();
    t.socket().receive(snapshotMessage(snapshotAt(5), { viewerCount: 3 }));
    await settle(500); // not live broadcastWaitMs after opening: counted as down
    await settle(BROADCAST_DOWN_SYNC_MS / 2);
    expect(t.socket().sentOf('sync')).toHaveLength(2);
    t.socket().receive(snapshotMessage(snapshotAt(5), { viewerCount: 3 }));
    b.current().handlers.ready();
    t.socket().receive(snapshotMessage(snapshotAt(5), { viewerCount: 10_000 }));
    const before = t.socket().sentOf('sync').length;
    b.current().handlers.failed('network');
    await settle(25_000 - 1); // 10,000 viewers / 200 per second = every 50 s, jittered down to 25 s at the least
    expect(t.socket().sentOf('sync')).toHaveLength(before);
    await settle(1);
    expect(t.socket().sentOf('sync')).toHaveLength(before + 1);
  });

  it('close() unsubscribes', async () => {
    const b = fakeBroadcast();
    const t = await connected({ broadcast: b.source });
    t.room.close();
    expect(b.current().closed).toBe(true);
  });

  it('counts the host’s batch confirmed when its ack comes after its own broadcast copy', async () => {
    const b = fakeBroadcast();
    const t = await liveRoom(b, {}, snapshotAt(5, { a: { kind: 'clock', frame, state: {} } }), 'host');
    t.room.publish([move('a', 42)]);
    const [sent] = t.socket().sentOf('publishState');
    b.current().handlers.message(patchMessage(6, sent!.patches!));
    expect(t.room.unconfirmedCount).toBe(1);
    t.socket().receive({ type: 'ack', v: 1, clientSeq: sent!.clientSeq!, seq: 6 });
    expect(t.room.unconfirmedCount).toBe(0);
    // Whoever shows "saving…" hears of it.
    expect(t.events.at(-1)).toMatchObject({ type: 'snapshot' });
    expect(t.room.snapshot).toMatchObject({ seq: 6, tiles: { a: { frame: { x: 42 } } } });
  });
});

describe('RoomConnection: the host’s pace by audience size', () => {
  it.each([
    [10, 0],
    [50, 0],
    [51, 84],
    [500, 84],
    [501, 167],
    [2000, 167],
    [2001, 250],
    [10_000, 250],
  ])('with %i viewers, at least %i ms between batches', (viewers, interval) => {
    expect(minBatchIntervalMs(viewers)).toBe(interval);
  });

  it('during a drag at 60 Hz before 3,000 viewers sends at most 4 batches a second, folded, ending exactly where the drag ended', async () => {
    const t = await connected({}, snapshotAt(5, { a: { kind: 'clock', frame, state: {} }, b: { kind: 'clock', frame, state: {} } }), 'host');
    t.socket().receive({ type: 'presence', v: 1, viewerCount: 3000 });
    let seq = 5;
    const ackAll = () => {
      for (const batch of t.socket().sentOf('publishState')) {
        if ((batch as { acked?: boolean }).acked) continue;
        (batch as { acked?: boolean }).acked = true;
        t.socket().receive({ type: 'ack', v: 1, clientSeq: batch.clientSeq!, seq: ++seq });
      }
    };
    for (let frameNo = 1; frameNo <= 120; frameNo++) {
      // A group drag of two tiles: their patches interleave.
      t.room.publish([move('a', frameNo), move('b', -frameNo)]);
      ackAll();
      await settle(1000 / 60);
      ackAll();
    }
    await settle(1000);
    ackAll();
    const batches = t.socket().sentOf('publishState');
    // Two seconds of dragging: the first at once, then one per 250 ms at most.
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.length).toBeLessThanOrEqual(1 + Math.ceil(2000 / 250) + 1);
    for (const batch of batches) expect(batch.patches!.length).toBeLessThanOrEqual(2);
    expect(t.room.unconfirmedCount).toBe(0);
    expect(t.room.snapshot.tiles.a?.frame.x).toBe(120);
    expect(t.room.snapshot.tiles.b?.frame.x).toBe(-120);
    const last = batches.at(-1)!.patches!;
    expect(last).toEqual([move('a', 120), move('b', -120)]);
  });

  it('sends a lone change after a quiet moment at once, whatever the audience', async () => {
    const t = await connected({}, snapshotAt(5, { a: { kind: 'clock', frame, state: {} } }), 'host');
    t.socket().receive({ type: 'presence', v: 1, viewerCount: 5000 });
    await settle(5000);
    t.room.publish([move('a', 1)]);
    expect(t.socket().sentOf('publishState')).toHaveLength(1);
  });
});
