import { describe, expect, it, vi } from 'vitest';
import { compileHeadUpdate } from '../../../amplify/data/canvas-head-update';
import type { ConnectionItem, ConnectionsTable } from '../../../amplify/data/connections-table';
import type { LogEntry, SessionHead, SessionStatesTable } from '../../../amplify/data/session-states-table';
import type { SessionsTable } from '../../../amplify/data/sessions-table';
import type { BoardLogEntry, BoardsTable, StoreOutcome } from '../../../amplify/data/boards-table';
import { elementBytes, supersedes, type BoardElement } from '../../../src/protocol/board';
import { freedraw, rectangle } from '../../support/board-elements';
import type { MediaStages } from '../../../amplify/media/stages';
import type { ConnectionPoster } from '../../../amplify/functions/realtime/connection-poster';
import type { EventPublisher } from '../../../amplify/functions/realtime/event-api-publisher';
import { BEACON_AFTER_CONNECT_MS, CONNECTING_GRACE_MS, createRealtimeHandler, type RealtimeDeps } from '../../../amplify/functions/realtime/handler';
import type { WebSocketEvent } from '../../../amplify/functions/realtime/websocket-event';
import type { SfuEnvelope } from '../../../amplify/functions/realtime/sfu-relay';
import {
  RECENT_CHAT_KEPT,
  applyPatches,
  emptySnapshot,
  type CanvasSnapshot,
  type ChatMessage,
  type Frame,
  type Patch,
  type ServerMessage,
} from '../../../src/protocol/realtime';

// ---------------------------------------------------------------- in-memory fakes

const SESSION = 'session-1';
const BOARD = 'board-0001';
const OTHER_SESSION = 'session-2';
const HOST_USER = 'host-user';

class MemoryConnections implements ConnectionsTable {
  readonly items = new Map<string, ConnectionItem>();
  /** Token buckets as GCRA, like token-bucket.ts: the time each bucket is full again. */
  private full = new Map<string, number>();
  rateLimitCalls = 0;

  async put(item: ConnectionItem) {
    this.items.set(item.connectionId, { ...item });
  }
  async get(connectionId: string) {
    return this.items.get(connectionId);
  }
  async delete(connectionId: string) {
    const item = this.items.get(connectionId);
    this.items.delete(connectionId);
    return item;
  }
  async listBySession(sessionId: string) {
    return [...this.items.values()].filter((item) => item.sessionId === sessionId);
  }
  async consumeRateLimit(connectionId: string, action: string, max: number, windowSeconds: number, nowMs: number) {
    this.rateLimitCalls++;
    if (!this.items.has(connectionId)) return false;
    return this.take(`${connectionId}/${action}`, max, windowSeconds, nowMs);
  }
  async consumeSessionRateLimit(sessionId: string, action: string, max: number, windowSeconds: number, nowMs: number) {
    return this.take(`session#${sessionId}/${action}`, max, windowSeconds, nowMs);
  }
  private take(key: string, max: number, windowSeconds: number, nowMs: number) {
    const interval = Math.ceil((windowSeconds * 1000) / max);
    const tat = this.full.get(key) ?? 0;
    if (tat > nowMs + (max - 1) * interval) return false;
    this.full.set(key, Math.max(tat, nowMs) + interval);
    return true;
  }
}

interface MemoryHead {
  snapshot: CanvasSnapshot;
  chat: ChatMessage[];
  viewerCount: number;
  hostConnections: Set<string>;
  ended?: number;
}

/** SessionStatesTable with the same outcomes as the DynamoDB one, on applyPatches. */
class MemoryStates implements SessionStatesTable {
  readonly heads = new Map<string, MemoryHead>();
  readonly log: Array<LogEntry & { sessionId: string }> = [];

  head(sessionId: string): MemoryHead {
    let head = this.heads.get(sessionId);
    if (!head) this.heads.set(sessionId, (head = { snapshot: emptySnapshot, chat: [], viewerCount: 0, hostConnections: new Set() }));
    return head;
  }
  async getHead(sessionId: string): Promise<SessionHead> {
    const head = this.head(sessionId);
    return {
      snapshot: structuredClone(head.snapshot),
      chat: head.chat.slice(-RECENT_CHAT_KEPT),
      viewerCount: Math.max(0, head.viewerCount),
      hostConnections: [...head.hostConnections],
      ended: head.ended !== undefined,
    };
  }
  async publish(sessionId: string, patches: readonly Patch[], now: number) {
    const compiled = compileHeadUpdate(patches, now);
    if (!compiled.ok) return compiled;
    const head = this.head(sessionId);
    if (head.ended !== undefined) return { ok: false as const, reason: 'session_ended' as const, message: 'This session has ended.' };
    const missing = compiled.requiredTiles.find((id) => !head.snapshot.tiles[id]);
    if (missing) return { ok: false as const, reason: 'unknown_tile' as const, message: `Tile ${missing} does not exist; add it first.` };
    head.snapshot = applyPatches(head.snapshot, patches, head.snapshot.seq + 1);
    return { ok: true as const, seq: head.snapshot.seq };
  }
  async addChat(sessionId: string, message: ChatMessage) {
    const head = this.head(sessionId);
    if (head.ended !== undefined || head.snapshot.canvas.chatHidden) return undefined;
    head.snapshot = { ...head.snapshot, seq: head.snapshot.seq + 1 };
    head.chat.push(message);
    return head.snapshot.seq;
  }
  async markEnded(sessionId: string, now: number) {
    const head = this.head(sessionId);
    head.ended = now;
    head.snapshot = { ...head.snapshot, seq: head.snapshot.seq + 1 };
    return head.snapshot.seq;
  }
  async appendLog(sessionId: string, entry: LogEntry) {
    this.log.push({ sessionId, ...entry });
  }
  async readLog(sessionId: string, afterSeq: number, limit: number) {
    return this.log.filter((e) => e.sessionId === sessionId && e.seq > afterSeq).slice(0, limit);
  }
  async readLogPage(sessionId: string, afterSeq: number, limit: number) {
    const entries = await this.readLog(sessionId, afterSeq, limit);
    return { entries, more: entries.length === limit };
  }
  async updatePresence(sessionId: string, change: { viewerDelta: number } | { hostJoined: string } | { hostLeft: string }) {
    const head = this.head(sessionId);
    if ('viewerDelta' in change) head.viewerCount += change.viewerDelta;
    else if ('hostJoined' in change) head.hostConnections.add(change.hostJoined);
    else head.hostConnections.delete(change.hostLeft);
    return { viewerCount: Math.max(0, head.viewerCount), hostConnections: [...head.hostConnections] };
  }
}

class MemorySessions implements SessionsTable {
  readonly updates: Array<{ sessionId: string; hostId: string; change: { title?: string; end?: boolean } }> = [];
  /** The session's IVS stage, as the session function recorded it. */
  mediaStageArn: string | undefined;
  async create() {}
  async get() {
    return undefined;
  }
  async listByHost() {
    return { sessions: [] };
  }
  async updateAsHost(sessionId: string, hostId: string, change: { title?: string; end?: boolean }, now: string) {
    this.updates.push({ sessionId, hostId, change });
    return {
      ok: true as const,
      session: { sessionId, hostId, title: 't', status: 'ended' as const, createdAt: now, updatedAt: now, endedAt: now, ...(this.mediaStageArn ? { mediaStageArn: this.mediaStageArn } : {}) },
    };
  }
  async markReplayDeleted() {
    return { ok: false as const, reason: 'NotFound' as const };
  }
}

/** Records every post, in order, and answers 410 for the ids in `gone`. */
class MemoryBoards implements BoardsTable {
  readonly boards = new Map<string, { rev: number; elements: Map<string, BoardElement>; log: BoardLogEntry[] }>();
  maxBytes = 1_000_000;
  private board(sessionId: string, boardId: string) {
    const key = `${sessionId}#${boardId}`;
    if (!this.boards.has(key)) this.boards.set(key, { rev: 0, elements: new Map(), log: [] });
    return this.boards.get(key)!;
  }
  async store(sessionId: string, boardId: string, elements: readonly BoardElement[]): Promise<StoreOutcome> {
    const board = this.board(sessionId, boardId);
    const bytes = [...board.elements.values()].reduce((total, e) => total + elementBytes(e), 0);
    const growth = elements.filter((e) => !e.isDeleted).reduce((total, e) => total + elementBytes(e), 0);
    if (growth > 0 && bytes + growth > this.maxBytes) return { ok: false, reason: 'board_too_large', message: 'The board is full.' };
    const stored = elements.filter((e) => supersedes(e, board.elements.get(e.id)));
    for (const element of stored) board.elements.set(element.id, element);
    if (stored.length) board.rev++;
    return { ok: true, rev: board.rev, stored };
  }
  async appendLog(sessionId: string, boardId: string, entry: BoardLogEntry) {
    this.board(sessionId, boardId).log.push(entry);
  }
  async load(sessionId: string, boardId: string) {
    const board = this.board(sessionId, boardId);
    return { rev: board.rev, elements: [...board.elements.values()] };
  }
  async readLog(sessionId: string, boardId: string, afterRev: number) {
    return this.board(sessionId, boardId).log.filter((entry) => entry.rev > afterRev);
  }
}

class RecordingPoster implements ConnectionPoster {
  readonly posts: Array<{ to: string; message: ServerMessage }> = [];
  readonly closed: string[] = [];
  readonly gone = new Set<string>();
  failing = new Set<string>();
  endpoints: string[] = [];

  async post(connectionId: string, data: string) {
    await Promise.resolve();
    if (this.failing.has(connectionId)) throw new Error('PostToConnection failed');
    if (this.gone.has(connectionId)) return 'gone' as const;
    this.posts.push({ to: connectionId, message: JSON.parse(data) as ServerMessage });
    return 'sent' as const;
  }
  async close(connectionId: string) {
    this.closed.push(connectionId);
  }
  to(connectionId: string) {
    return this.posts.filter((p) => p.to === connectionId).map((p) => p.message);
  }
  last(connectionId: string) {
    return this.to(connectionId).at(-1);
  }
}

// ---------------------------------------------------------------- harness

const frame: Frame = { x: 0, y: 0, w: 100, h: 100, z: 0 };
const add = (tileId: string): Patch => ({ type: 'tile.add', tileId, kind: 'code', frame, state: {} });

const hello = { media: 'mesh', peer: 'viewer-peer-1', type: 'hello' } as const;
const sendingSdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=sendonly\r\n';
const receivingSdp = sendingSdp.replace('a=sendonly', 'a=recvonly');
function description(type: 'offer' | 'answer', sdp: string) {
  return { media: 'mesh', peer: 'viewer-peer-1', type: 'description', description: { type, sdp } } as const;
}

function harness(options: { sfu?: true | 'failing'; events?: EventPublisher; stages?: MediaStages } = {}) {
  let clock = 1_700_000_000_000;
  const relayed: SfuEnvelope[] = [];
  let ids = 0;
  const connections = new MemoryConnections();
  const states = new MemoryStates();
  const sessions = new MemorySessions();
  const poster = new RecordingPoster();
  const boards = new MemoryBoards();
  const logs: Array<Record<string, unknown>> = [];
  const deps: RealtimeDeps = {
    connections,
    states,
    sessions,
    boards,
    posterFor: (endpoint) => {
      poster.endpoints.push(endpoint);
      return poster;
    },
    now: () => clock,
    newId: () => `id-${++ids}`,
    log: (entry) => logs.push(entry),
    ...(options.stages ? { stages: options.stages } : {}),
    ...(options.sfu
      ? {
          sfu: {
            relay: async (envelope: SfuEnvelope) => {
              if (options.sfu === 'failing') throw new Error('connection refused');
              relayed.push(envelope);
            },
          },
        }
      : {}),
    ...(options.events ? { events: options.events } : {}),
  };
  const handler = createRealtimeHandler(() => deps);

  type Who = { connectionId: string; role?: 'host' | 'viewer'; sessionId?: string; authorizer?: Record<string, unknown> | null };
  // API Gateway passes each connection's $connect time with every later event.
  const connectedAt = new Map<string, number>();
  const event = (routeKey: string, who: Who, body?: unknown): WebSocketEvent => ({
    requestContext: {
      routeKey,
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      connectionId: who.connectionId,
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      stage: 'prod',
      apiId: 'abc123',
      requestId: 'r',
      connectedAt: routeKey === '$connect' ? (connectedAt.set(who.connectionId, clock), clock) : (connectedAt.get(who.connectionId) ?? clock),
      requestTimeEpoch: clock,
      identity: { sourceIp: '127.0.0.1' },
      ...(who.authorizer === null
        ? {}
        : {
            authorizer: who.authorizer ?? {
              sessionId: who.sessionId ?? SESSION,
              role: who.role ?? 'viewer',
              userId: who.role === 'host' ? HOST_USER : '',
              principalId: 'p',
            },
          }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    isBase64Encoded: false,
  });

  const h = {
    connections,
    states,
    sessions,
    boards,
    poster,
    logs,
    relayed,
    handler,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
    connect: (connectionId: string, role: 'host' | 'viewer' = 'viewer', sessionId = SESSION) =>
      handler(event('$connect', { connectionId, role, sessionId })),
    disconnect: (connectionId: string, role: 'host' | 'viewer' = 'viewer') => handler(event('$disconnect', { connectionId, role })),
    send: (connectionId: string, role: 'host' | 'viewer', body: unknown, sessionId = SESSION) =>
      handler(event(typeof body === 'object' && body && 'action' in body ? String((body as { action: unknown }).action) : '$default', { connectionId, role, sessionId }, body)),
    event,
    /** A host, two viewers, all connected long enough ago to be past the connecting grace. */
    async room() {
      await h.connect('host', 'host');
      await h.connect('v1');
      await h.connect('v2');
      h.advance(CONNECTING_GRACE_MS + 1000);
      poster.posts.length = 0;
    },
  };
  return h;
}

const errorOf = (message: ServerMessage | undefined) => {
  expect(message?.type).toBe('error');
  return message as Extract<ServerMessage, { type: 'error' }>;
};

// ---------------------------------------------------------------- $connect / $disconnect

describe('realtime handler: connecting', () => {
  it('$connect without authorizer context is refused with 403 and stores nothing', async () => {
    const h = harness();
    const result = await h.handler(h.event('$connect', { connectionId: 'x', authorizer: null }));
    expect(result).toEqual({ statusCode: 403 });
    expect(h.connections.items.size).toBe(0);
    expect(h.poster.posts).toEqual([]);
  });

  it('$connect with a context of an unknown role is refused', async () => {
    const h = harness();
    const result = await h.handler(h.event('$connect', { connectionId: 'x', authorizer: { sessionId: SESSION, role: 'admin' } }));
    expect(result).toEqual({ statusCode: 403 });
  });

  it('a message without authorizer context gets forbidden', async () => {
    const h = harness();
    const result = await h.handler(h.event('sync', { connectionId: 'x', authorizer: null }, { v: 1, action: 'sync' }));
    expect(result).toEqual({ statusCode: 200 });
    expect(errorOf(h.poster.last('x'))).toMatchObject({ code: 'forbidden' });
  });

  it('builds the management endpoint from the domain name and stage', async () => {
    const h = harness();
    const saved = process.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI;
    delete process.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI;
    try {
      await h.connect('v1');
    } finally {
      if (saved !== undefined) process.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI = saved;
    }
    expect(h.poster.endpoints).toEqual(['https://abc123.execute-api.eu-west-1.amazonaws.com/prod']);
  });

  it('records a host connection and counts viewers in, telling the hosts', async () => {
    const h = harness();
    expect(await h.connect('host', 'host')).toEqual({ statusCode: 200 });
    expect(await h.connect('v1')).toEqual({ statusCode: 200 });
    expect(h.connections.items.get('host')).toMatchObject({ sessionId: SESSION, role: 'host', userId: HOST_USER, connectedAt: h.now() });
    expect(h.connections.items.get('v1')).toMatchObject({ role: 'viewer', expiresAt: Math.floor(h.now() / 1000) + 7200 });
    expect(h.connections.items.get('v1')).not.toHaveProperty('userId');
    expect(h.states.head(SESSION)).toMatchObject({ viewerCount: 1, hostConnections: new Set(['host']) });
    expect(h.poster.to('host')).toEqual([{ type: 'presence', v: 1, viewerCount: 1, event: 'join', connectionId: 'v1' }]);
    // Nothing is posted to the connection that is still connecting.
    expect(h.poster.to('v1')).toEqual([]);
  });

  it('$disconnect counts a viewer out once and tells the hosts', async () => {
    const h = harness();
    await h.room();
    await h.disconnect('v1');
    expect(h.connections.items.has('v1')).toBe(false);
    expect(h.states.head(SESSION).viewerCount).toBe(1);
    expect(h.poster.to('host')).toEqual([{ type: 'presence', v: 1, viewerCount: 1, event: 'leave', connectionId: 'v1' }]);
    await h.disconnect('v1');
    expect(h.states.head(SESSION).viewerCount).toBe(1);
  });

  it('$disconnect of the host removes it from the host connections', async () => {
    const h = harness();
    await h.room();
    await h.disconnect('host', 'host');
    expect(h.states.head(SESSION)).toMatchObject({ viewerCount: 2, hostConnections: new Set() });
  });

  it('$connect answers 500 when storing the connection fails', async () => {
    const h = harness();
    h.connections.put = async () => Promise.reject(new Error('throttled'));
    expect(await h.connect('v1')).toEqual({ statusCode: 500 });
    expect(h.logs[0]).toMatchObject({ level: 'error', routeKey: '$connect' });
  });
});

// ---------------------------------------------------------------- authorization

describe('realtime handler: host-only actions', () => {
  it.each([
    [{ v: 1, action: 'publishState', clientSeq: 4, patches: [add('a')] }, 'Only the host may change the canvas.'],
    [{ v: 1, action: 'end' }, 'Only the host may end the session.'],
    [{ v: 1, action: 'runCode', tileId: 'code-1' }, 'Only the host may run code.'],
    [{ v: 1, action: 'boardUpdate', boardId: BOARD, clientSeq: 3, elements: [rectangle('r1')] }, 'Only the host may draw on the whiteboard.'],
    [{ v: 1, action: 'boardView', boardId: BOARD, pointer: { x: 1, y: 2, tool: 'laser', button: 'down' } }, 'Only the host may lead the whiteboard view.'],
    [{ v: 1, action: 'boardFile', boardId: BOARD, file: { fileId: 'f1', mimeType: 'image/png', size: 10 } }, 'Only the host may add images to the whiteboard.'],
  ])('a viewer cannot %o', async (body, text) => {
    const h = harness();
    await h.room();
    const before = structuredClone(h.states.head(SESSION).snapshot);
    const result = await h.send('v1', 'viewer', body);
    expect(result).toEqual({ statusCode: 200 });
    expect(h.poster.posts).toEqual([
      {
        to: 'v1',
        message: {
          type: 'error',
          v: 1,
          code: 'forbidden',
          message: text,
          action: body.action,
          ...('clientSeq' in body ? { clientSeq: body.clientSeq } : {}),
        },
      },
    ]);
    expect(h.states.head(SESSION).snapshot).toEqual(before);
    expect(h.states.head(SESSION).ended).toBeUndefined();
    expect(h.states.log).toEqual([]);
    expect(h.sessions.updates).toEqual([]);
    expect(h.connections.rateLimitCalls).toBe(0);
    expect(h.poster.closed).toEqual([]);
    expect(h.boards.boards.size).toBe(0);
  });

  it('a viewer may only signal the host', async () => {
    const h = harness();
    await h.room();
    await h.send('v1', 'viewer', { v: 1, action: 'signal', to: 'v2', data: hello });
    expect(errorOf(h.poster.last('v1'))).toMatchObject({ code: 'forbidden', action: 'signal', message: 'Viewers may only signal the host.' });
    expect(h.poster.to('v2')).toEqual([]);
  });
});

// ---------------------------------------------------------------- publishing

describe('realtime handler: publishState', () => {
  it('sends the patch to the viewers and then acks the host', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 7, patches: [add('a')] });
    const patch: ServerMessage = { type: 'patch', v: 1, seq: 1, patches: [add('a')], at: h.now() };
    expect(h.poster.to('v1')).toEqual([patch]);
    expect(h.poster.to('v2')).toEqual([patch]);
    // The host gets no echo of its patch, only the ack, after every viewer post.
    expect(h.poster.to('host')).toEqual([{ type: 'ack', v: 1, clientSeq: 7, seq: 1 }]);
    expect(h.poster.posts.at(-1)?.to).toBe('host');
    expect(h.states.head(SESSION).snapshot.tiles.a).toEqual({ kind: 'code', frame, state: {} });
    expect(h.states.log).toEqual([{ sessionId: SESSION, kind: 'patch', seq: 1, at: h.now(), patches: [add('a')] }]);
  });

  it('numbers successive batches', async () => {
    const h = harness();
    await h.room();
    for (let i = 1; i <= 3; i++) await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: i, patches: [add(`t${i}`)] });
    expect(h.poster.to('host').map((m) => (m as { seq: number }).seq)).toEqual([1, 2, 3]);
    expect(h.poster.to('v1').map((m) => (m as { seq: number }).seq)).toEqual([1, 2, 3]);
  });

  it('does not send to connections of other sessions', async () => {
    const h = harness();
    await h.room();
    await h.connect('elsewhere', 'viewer', OTHER_SESSION);
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [add('a')] });
    expect(h.poster.to('elsewhere')).toEqual([]);
  });

  it('refuses a batch on an unknown tile, echoing clientSeq, and sends nothing else', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 3, patches: [{ type: 'tile.frame', tileId: 'ghost', frame: { x: 1 } }] });
    expect(h.poster.posts).toEqual([
      { to: 'host', message: { type: 'error', v: 1, code: 'unknown_tile', message: 'Tile ghost does not exist; add it first.', action: 'publishState', clientSeq: 3 } },
    ]);
    expect(h.states.head(SESSION).snapshot.seq).toBe(0);
    expect(h.states.log).toEqual([]);
  });

  it('refuses publishing after the end', async () => {
    const h = harness();
    await h.room();
    await h.states.markEnded(SESSION, h.now());
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [add('a')] });
    expect(errorOf(h.poster.last('host'))).toMatchObject({ code: 'session_ended', clientSeq: 1 });
  });

  it('answers a malformed publish with bad_message and its clientSeq', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 9, patches: [] });
    expect(errorOf(h.poster.last('host'))).toMatchObject({ code: 'bad_message', action: 'publishState', clientSeq: 9 });
  });
});

// ---------------------------------------------------------------- gone connections

describe('realtime handler: gone connections', () => {
  it('deletes connections that answer 410 and counts them out', async () => {
    const h = harness();
    await h.room();
    h.poster.gone.add('v2');
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [add('a')] });
    expect(h.connections.items.has('v2')).toBe(false);
    expect(h.connections.items.has('v1')).toBe(true);
    expect(h.states.head(SESSION).viewerCount).toBe(1);
    expect(h.poster.to('host')).toEqual([
      { type: 'presence', v: 1, viewerCount: 1, event: 'leave', connectionId: 'v2' },
      { type: 'ack', v: 1, clientSeq: 1, seq: 1 },
    ]);
  });

  it('counts several gone viewers out at once, without naming one', async () => {
    const h = harness();
    await h.room();
    await h.connect('v3');
    h.advance(CONNECTING_GRACE_MS + 1);
    for (const id of ['v1', 'v2', 'v3']) h.poster.gone.add(id);
    await h.send('v1', 'viewer', { v: 1, action: 'react', emoji: '🔥' });
    expect(h.states.head(SESSION).viewerCount).toBe(0);
    expect(h.poster.to('host').at(-1)).toEqual({ type: 'presence', v: 1, viewerCount: 0 });
  });

  it('forgets a gone host', async () => {
    const h = harness();
    await h.room();
    h.poster.gone.add('host');
    await h.send('v1', 'viewer', { v: 1, action: 'chat', name: 'Ada', text: 'hi' });
    expect(h.connections.items.has('host')).toBe(false);
    expect(h.states.head(SESSION)).toMatchObject({ viewerCount: 2, hostConnections: new Set() });
  });

  it('keeps a connection whose $connect may still be running', async () => {
    const h = harness();
    await h.room();
    // v3's $connect stored it a moment ago; API Gateway answers 410 until $connect returns.
    await h.connect('v3');
    h.poster.gone.add('v3');
    h.advance(50);
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [add('a')] });
    expect(h.connections.items.has('v3')).toBe(true);
    expect(h.states.head(SESSION).viewerCount).toBe(3);
    // Once past the grace period, a 410 means gone.
    h.advance(CONNECTING_GRACE_MS);
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 2, patches: [add('b')] });
    expect(h.connections.items.has('v3')).toBe(false);
    expect(h.states.head(SESSION).viewerCount).toBe(2);
  });

  it('a failing post is logged and does not stop the others or the ack', async () => {
    const h = harness();
    await h.room();
    h.poster.failing.add('v1');
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [add('a')] });
    expect(h.poster.to('v2')).toHaveLength(1);
    expect(h.poster.last('host')).toEqual({ type: 'ack', v: 1, clientSeq: 1, seq: 1 });
    expect(h.connections.items.has('v1')).toBe(true);
    expect(h.logs).toContainEqual({ level: 'warn', message: 'fan-out posts failed', failed: 1, sessionId: SESSION });
  });
});

// ---------------------------------------------------------------- chat, react, signal, sync, ping, end, runCode

describe('realtime handler: other actions', () => {
  it('chat goes to everyone, sender included, sharing the patch sequence', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [add('a')] });
    await h.send('v1', 'viewer', { v: 1, action: 'chat', name: ' Ada ', text: ' hello ' });
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 2, patches: [add('b')] });
    const chat: ServerMessage = { type: 'chat', v: 1, seq: 2, message: { id: 'id-1', name: 'Ada', text: 'hello', role: 'viewer', at: h.now() } };
    for (const id of ['host', 'v1', 'v2']) expect(h.poster.to(id)).toContainEqual(chat);
    expect(h.poster.last('host')).toEqual({ type: 'ack', v: 1, clientSeq: 2, seq: 3 });
    expect(h.states.log.map((e) => [e.kind, e.seq])).toEqual([
      ['patch', 1],
      ['chat', 2],
      ['patch', 3],
    ]);
  });

  it('marks the host’s chat with role host', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'chat', name: 'Host', text: 'welcome' });
    expect(h.poster.last('v1')).toMatchObject({ type: 'chat', message: { role: 'host' } });
  });

  it('rate-limits chat: the sixth message in 10 s gets rate_limited', async () => {
    const h = harness();
    await h.room();
    for (let i = 0; i < 5; i++) await h.send('v1', 'viewer', { v: 1, action: 'chat', name: 'Ada', text: `m${i}` });
    h.poster.posts.length = 0;
    await h.send('v1', 'viewer', { v: 1, action: 'chat', name: 'Ada', text: 'one too many' });
    expect(h.poster.posts).toEqual([
      {
        to: 'v1',
        message: { type: 'error', v: 1, code: 'rate_limited', message: 'Too many chat messages: at most 5 per 10 s. Wait a moment.', action: 'chat' },
      },
    ]);
    expect(h.states.head(SESSION).chat).toHaveLength(5);
    // Another viewer has its own budget; the next window starts over.
    await h.send('v2', 'viewer', { v: 1, action: 'chat', name: 'Bo', text: 'hi' });
    expect(h.poster.last('v2')).toMatchObject({ type: 'chat' });
    h.advance(10_000);
    await h.send('v1', 'viewer', { v: 1, action: 'chat', name: 'Ada', text: 'later' });
    expect(h.poster.last('v1')).toMatchObject({ type: 'chat', message: { text: 'later' } });
  });

  it('a burst straddling a window boundary gets no second budget (token bucket, not fixed windows)', async () => {
    const h = harness();
    await h.room();
    // Five chats just before a 10 s boundary, five more just after it: only refill time counts.
    h.advance(10_000 - (h.now() % 10_000) - 200);
    for (let i = 0; i < 10; i++) {
      await h.send('v1', 'viewer', { v: 1, action: 'chat', name: 'Ada', text: `m${i}` });
      h.advance(40);
    }
    expect(h.poster.to('v1').filter((m) => m.type === 'chat')).toHaveLength(5);
    expect(h.poster.to('v1').filter((m) => m.type === 'error' && m.code === 'rate_limited')).toHaveLength(5);
    // The bucket refills at 5 per 10 s: one more after 2 s.
    h.advance(2000);
    await h.send('v1', 'viewer', { v: 1, action: 'chat', name: 'Ada', text: 'refilled' });
    expect(h.poster.last('v1')).toMatchObject({ type: 'chat', message: { text: 'refilled' } });
  });

  it('caps viewer chat for the whole session, however many sockets send it', async () => {
    const h = harness();
    await h.room();
    const sockets = Array.from({ length: 10 }, (_, i) => `s${i}`);
    for (const id of sockets) await h.connect(id);
    for (const id of sockets) for (let i = 0; i < 5; i++) await h.send(id, 'viewer', { v: 1, action: 'chat', name: 'Ada', text: `${id}-${i}` });
    expect(h.states.head(SESSION).chat).toHaveLength(30);
    const refusals = sockets.flatMap((id) => h.poster.to(id)).filter((m) => m.type === 'error');
    expect(refusals).toHaveLength(20);
    expect(refusals[0]).toMatchObject({ code: 'rate_limited', action: 'chat', message: expect.stringContaining('at most 30 per 10 s together') });
    // The host is not counted against the viewers' cap.
    await h.send('host', 'host', { v: 1, action: 'chat', name: 'Host', text: 'still here' });
    expect(h.poster.last('host')).toMatchObject({ type: 'chat', message: { text: 'still here' } });
  });

  it('caps viewer reactions for the whole session', async () => {
    const h = harness();
    await h.room();
    const sockets = Array.from({ length: 8 }, (_, i) => `s${i}`);
    for (const id of sockets) await h.connect(id);
    for (const id of sockets) for (let i = 0; i < 10; i++) await h.send(id, 'viewer', { v: 1, action: 'react', emoji: '👏' });
    expect(h.poster.to('host').filter((m) => m.type === 'reaction')).toHaveLength(60);
  });

  it('rate-limits sync per connection', async () => {
    const h = harness();
    await h.room();
    for (let i = 0; i < 8; i++) await h.send('v1', 'viewer', { v: 1, action: 'sync' });
    expect(h.poster.to('v1').filter((m) => m.type === 'snapshot')).toHaveLength(5);
    expect(h.poster.to('v1').filter((m) => m.type === 'error')).toEqual(
      Array.from({ length: 3 }, () => expect.objectContaining({ code: 'rate_limited', action: 'sync' })),
    );
    await h.send('v2', 'viewer', { v: 1, action: 'sync' });
    expect(h.poster.last('v2')).toMatchObject({ type: 'snapshot' });
  });

  it('refuses a sync while the previous one of the same connection is being answered, without touching the database', async () => {
    const h = harness();
    await h.room();
    let release!: () => void;
    const getHead = h.states.getHead.bind(h.states);
    h.states.getHead = async (...args) => {
      await new Promise<void>((resolve) => (release = resolve));
      return getHead(...args);
    };
    const first = h.send('v1', 'viewer', { v: 1, action: 'sync' });
    await vi.waitFor(() => expect(release).toBeDefined());
    const callsBefore = h.connections.rateLimitCalls;
    await h.send('v1', 'viewer', { v: 1, action: 'sync' });
    expect(h.connections.rateLimitCalls).toBe(callsBefore);
    expect(h.poster.last('v1')).toMatchObject({ type: 'error', code: 'busy', action: 'sync' });
    release();
    await first;
    expect(h.poster.last('v1')).toMatchObject({ type: 'snapshot' });
    // Once answered, the next sync is served again.
    h.states.getHead = getHead;
    await h.send('v1', 'viewer', { v: 1, action: 'sync' });
    expect(h.poster.last('v1')).toMatchObject({ type: 'snapshot' });
  });

  it('refuses chat when the host has hidden it', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [{ type: 'canvas.set', set: { chatHidden: true } }] });
    await h.send('v1', 'viewer', { v: 1, action: 'chat', name: 'Ada', text: 'hi' });
    expect(errorOf(h.poster.last('v1'))).toMatchObject({ code: 'forbidden', action: 'chat', message: 'Chat is turned off for this session.' });
    expect(h.poster.to('v2').filter((m) => m.type === 'chat')).toEqual([]);
  });

  it('react goes to everyone', async () => {
    const h = harness();
    await h.room();
    await h.send('v2', 'viewer', { v: 1, action: 'react', emoji: '👏' });
    for (const id of ['host', 'v1', 'v2']) expect(h.poster.to(id)).toEqual([{ type: 'reaction', v: 1, emoji: '👏', at: h.now() }]);
  });

  it('rate-limits reactions at 10 per 10 s', async () => {
    const h = harness();
    await h.room();
    for (let i = 0; i < 11; i++) await h.send('v1', 'viewer', { v: 1, action: 'react', emoji: '👏' });
    expect(errorOf(h.poster.last('v1'))).toMatchObject({ code: 'rate_limited', action: 'react' });
    expect(h.poster.to('v2')).toHaveLength(10);
  });

  it('a viewer signals the host', async () => {
    const h = harness();
    await h.room();
    await h.send('v1', 'viewer', { v: 1, action: 'signal', to: 'host', data: hello });
    expect(h.poster.posts).toEqual([{ to: 'host', message: { type: 'signal', v: 1, from: 'v1', fromRole: 'viewer', data: hello } }]);
  });

  it('the host signals one viewer by connection id', async () => {
    const h = harness();
    await h.room();
    const offer = description('offer', sendingSdp);
    await h.send('host', 'host', { v: 1, action: 'signal', to: 'v2', data: offer });
    expect(h.poster.posts).toEqual([{ to: 'v2', message: { type: 'signal', v: 1, from: 'host', fromRole: 'host', data: offer } }]);
  });

  it('signalling a connection of another session, or an absent host, is not_found', async () => {
    const h = harness();
    await h.room();
    await h.connect('elsewhere', 'viewer', OTHER_SESSION);
    await h.send('host', 'host', { v: 1, action: 'signal', to: 'elsewhere', data: hello });
    expect(errorOf(h.poster.last('host'))).toMatchObject({ code: 'not_found', message: 'Connection elsewhere is not in this session.' });
    expect(h.poster.to('elsewhere')).toEqual([]);
    await h.disconnect('host', 'host');
    await h.send('v1', 'viewer', { v: 1, action: 'signal', to: 'host', data: hello });
    expect(errorOf(h.poster.last('v1'))).toMatchObject({ code: 'not_found', action: 'signal', message: 'The host is not connected.' });
  });

  it('a viewer can never send a description that publishes media, to the host or to the SFU', async () => {
    const h = harness({ sfu: true });
    await h.room();
    for (const to of ['host', 'sfu']) {
      const media = to === 'sfu' ? 'sfu' : 'mesh';
      await h.send('v1', 'viewer', { v: 1, action: 'signal', to, data: { ...description('offer', sendingSdp), media, publicationId: 'pub-12345' } });
      expect(errorOf(h.poster.last('v1'))).toMatchObject({ code: 'forbidden', action: 'signal', message: expect.stringContaining('Viewers cannot publish media') });
    }
    expect(h.poster.to('host')).toEqual([]);
    expect(h.relayed).toEqual([]);
    // Receiving is fine: an answer that only receives reaches the host.
    await h.send('v1', 'viewer', { v: 1, action: 'signal', to: 'host', data: description('answer', receivingSdp) });
    expect(h.poster.to('host')).toHaveLength(1);
  });

  it.each([
    ['an SDP that is not a session description', { ...hello, type: 'description', description: { type: 'offer', sdp: 'hello' } }, 'data.description.sdp'],
    ['an SDP over 24 KB', { ...hello, type: 'description', description: { type: 'offer', sdp: `v=0\r\n${'a=xxxxxxxxx\r\n'.repeat(1900)}` } }, 'must be at most 24 KB'],
    ['an SDP with a control character', { ...hello, type: 'description', description: { type: 'offer', sdp: 'v=0\r\ns=\u0000\r\n' } }, 'printable ASCII'],
    ['17 media sections', { ...hello, type: 'description', description: { type: 'offer', sdp: `v=0\r\n${'m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'.repeat(17)}` } }, 'more than 16 media sections'],
    ['a candidate that is not one', { ...hello, type: 'candidate', candidate: { candidate: 'rm -rf /' } }, 'data.candidate.candidate'],
    ['a candidate over 512 characters', { ...hello, type: 'candidate', candidate: { candidate: `candidate:${'1'.repeat(600)}` } }, 'data.candidate.candidate'],
    ['an unknown signal type', { ...hello, type: 'offer' }, 'data.type'],
    ['a peer id with a slash', { ...hello, peer: 'a/b/c/d/e/f' }, 'data.peer'],
    ['extra fields', { ...hello, sdp: 'v=0' }, 'data'],
  ])('refuses %s before relaying it', async (_name, data, reason) => {
    const h = harness();
    await h.room();
    await h.send('v1', 'viewer', { v: 1, action: 'signal', to: 'host', data });
    expect(errorOf(h.poster.last('v1'))).toMatchObject({ code: 'bad_message', action: 'signal', message: expect.stringContaining(reason) });
    expect(h.poster.to('host')).toEqual([]);
  });

  it('relays signals to "sfu" with the role the authorizer gave, and the @connections endpoint for answers', async () => {
    const h = harness({ sfu: true });
    await h.room();
    const subscribe = { media: 'sfu', peer: 'viewer-peer-1', publicationId: 'pub-12345', type: 'subscribe' } as const;
    await h.send('v1', 'viewer', { v: 1, action: 'signal', to: 'sfu', data: subscribe });
    const offer = { ...description('offer', sendingSdp), media: 'sfu', peer: 'host-peer-1', publicationId: 'pub-12345' } as const;
    await h.send('host', 'host', { v: 1, action: 'signal', to: 'sfu', data: offer });
    expect(h.relayed).toEqual([
      { sessionId: SESSION, connectionId: 'v1', role: 'viewer', data: subscribe, replyTo: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod' },
      { sessionId: SESSION, connectionId: 'host', role: 'host', data: offer, replyTo: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod' },
    ]);
    expect(h.poster.posts).toEqual([]);
  });

  it('answers unavailable when the deployment has no SFU, or it does not answer; mesh signals never go to it', async () => {
    const none = harness();
    await none.room();
    const subscribe = { media: 'sfu', peer: 'viewer-peer-1', publicationId: 'pub-12345', type: 'subscribe' } as const;
    await none.send('v1', 'viewer', { v: 1, action: 'signal', to: 'sfu', data: subscribe });
    expect(errorOf(none.poster.last('v1'))).toMatchObject({ code: 'unavailable', action: 'signal', message: expect.stringContaining('no media server') });

    const failing = harness({ sfu: 'failing' });
    await failing.room();
    await failing.send('v1', 'viewer', { v: 1, action: 'signal', to: 'sfu', data: subscribe });
    expect(errorOf(failing.poster.last('v1'))).toMatchObject({ code: 'unavailable', message: 'The media server is not answering. Try again in a moment.' });
    await failing.send('v1', 'viewer', { v: 1, action: 'signal', to: 'sfu', data: hello });
    expect(errorOf(failing.poster.last('v1'))).toMatchObject({ code: 'bad_message' });
  });

  it('sync answers with the snapshot, recent chat and presence', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [add('a')] });
    await h.send('v2', 'viewer', { v: 1, action: 'chat', name: 'Bo', text: 'hi' });
    await h.send('v1', 'viewer', { v: 1, action: 'sync', clientTime: 123 });
    expect(h.poster.last('v1')).toEqual({
      type: 'snapshot',
      v: 1,
      sessionId: SESSION,
      connectionId: 'v1',
      role: 'viewer',
      snapshot: { seq: 2, tiles: { a: { kind: 'code', frame, state: {} } }, canvas: {} },
      chat: [{ id: 'id-1', name: 'Bo', text: 'hi', role: 'viewer', at: h.now() }],
      viewerCount: 2,
      serverTime: h.now(),
      clientTime: 123,
      ended: false,
    });
  });

  it('ping answers pong with both times', async () => {
    const h = harness();
    await h.room();
    await h.send('v1', 'viewer', { v: 1, action: 'ping', clientTime: 42 });
    expect(h.poster.posts).toEqual([{ to: 'v1', message: { type: 'pong', v: 1, clientTime: 42, serverTime: h.now() } }]);
  });

  it('a host ping also sends every other connection a beacon with the head seq', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [{ type: 'canvas.set', set: { live: true } }] });
    h.poster.posts.length = 0;
    await h.send('host', 'host', { v: 1, action: 'ping', clientTime: 42 });
    expect(h.poster.to('host')).toEqual([{ type: 'pong', v: 1, clientTime: 42, serverTime: h.now() }]);
    for (const id of ['v1', 'v2']) expect(h.poster.to(id)).toEqual([{ type: 'beacon', v: 1, seq: 1 }]);
  });

  it('no beacon for a viewer ping, nor for the host pings that sample its clock right after connecting', async () => {
    const h = harness();
    await h.room();
    await h.send('v1', 'viewer', { v: 1, action: 'ping', clientTime: 1 });
    await h.connect('host-2', 'host');
    h.advance(BEACON_AFTER_CONNECT_MS - 1);
    await h.send('host-2', 'host', { v: 1, action: 'ping', clientTime: 2 });
    expect(h.poster.posts.filter((p) => p.message.type === 'beacon')).toEqual([]);
  });

  it('end: marks the session ended, tells everyone, logs it and closes the others', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'end' });
    expect(h.sessions.updates).toEqual([{ sessionId: SESSION, hostId: HOST_USER, change: { end: true } }]);
    for (const id of ['host', 'v1', 'v2']) expect(h.poster.to(id)).toEqual([{ type: 'ended', v: 1, at: h.now() }]);
    expect(h.states.head(SESSION).ended).toBe(h.now());
    expect(h.states.log).toEqual([{ sessionId: SESSION, kind: 'ended', seq: 1, at: h.now() }]);
    expect(h.poster.closed.sort()).toEqual(['v1', 'v2']);
  });

  it("end on an IVS deployment deletes the session's stage after telling the room", async () => {
    const deleted: string[] = [];
    const stages = { deleteStage: async (arn: string) => void deleted.push(arn) } as unknown as MediaStages;
    const h = harness({ stages });
    h.sessions.mediaStageArn = 'arn:aws:ivs:eu-west-1:123456789012:stage/abc';
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'end' });
    expect(h.poster.to('v1')).toEqual([{ type: 'ended', v: 1, at: h.now() }]);
    expect(deleted).toEqual(['arn:aws:ivs:eu-west-1:123456789012:stage/abc']);
  });

  it('runCode answers unavailable on a deployment without an executor, after the rate limit', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'runCode', tileId: 'code-1' });
    expect(h.poster.posts).toEqual([
      {
        to: 'host',
        message: {
          type: 'error',
          v: 1,
          code: 'unavailable',
          message: expect.stringContaining('Code execution is not set up on this deployment'),
          action: 'runCode',
        },
      },
    ]);
    expect(h.connections.rateLimitCalls).toBe(1);
  });
});

// ---------------------------------------------------------------- bad input and failures

describe('realtime handler: errors', () => {
  it.each([
    ['an unknown action', { v: 1, action: 'dance' }, 'unknown_action'],
    ['a missing action', { v: 1 }, 'unknown_action'],
    ['non-JSON', 'hello', 'bad_message'],
    ['an empty body', '', 'bad_message'],
    ['a wrong version', { v: 9, action: 'sync' }, 'bad_message'],
    ['an oversized message', JSON.stringify({ v: 1, action: 'chat', name: 'a', text: 'x'.repeat(40_000) }), 'too_large'],
  ])('%s → %s, to the sender only', async (_name, body, code) => {
    const h = harness();
    await h.room();
    const result = await h.handler(h.event('$default', { connectionId: 'v1' }, body));
    expect(result).toEqual({ statusCode: 200 });
    expect(h.poster.posts).toHaveLength(1);
    expect(errorOf(h.poster.last('v1')).code).toBe(code);
  });

  it('a throwing dependency gives the caller internal and does not throw', async () => {
    const h = harness();
    await h.room();
    h.states.getHead = () => Promise.reject(new Error('DynamoDB is down'));
    const result = await h.send('v1', 'viewer', { v: 1, action: 'sync' });
    expect(result).toEqual({ statusCode: 200 });
    expect(h.poster.posts).toEqual([
      { to: 'v1', message: { type: 'error', v: 1, code: 'internal', message: 'Something went wrong on our side. Try again.', action: 'sync' } },
    ]);
    expect(h.logs).toContainEqual({ level: 'error', message: 'realtime action failed', routeKey: 'sync', error: 'Error: DynamoDB is down' });
  });

  it('a failed publish names its batch, so the host does not wait for an ack forever', async () => {
    const h = harness();
    await h.room();
    h.states.appendLog = () => Promise.reject(new Error('throttled'));
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 12, patches: [add('a')] });
    expect(errorOf(h.poster.last('host'))).toMatchObject({ code: 'internal', action: 'publishState', clientSeq: 12 });
  });

  it('does not throw when even the error cannot be posted', async () => {
    const h = harness();
    await h.room();
    h.connections.consumeRateLimit = () => Promise.reject(new Error('down'));
    h.poster.failing.add('v1');
    await expect(h.send('v1', 'viewer', { v: 1, action: 'chat', name: 'a', text: 'b' })).resolves.toEqual({ statusCode: 200 });
  });

  it('$disconnect swallows failures', async () => {
    const h = harness();
    await h.room();
    h.connections.delete = vi.fn(() => Promise.reject(new Error('down')));
    await expect(h.disconnect('v1')).resolves.toEqual({ statusCode: 200 });
    expect(h.poster.posts).toEqual([]);
  });
});

// ---------------------------------------------------------------- whiteboard

describe('realtime handler: whiteboard', () => {
  const update = (clientSeq: number, elements: unknown[]) => ({ v: 1, action: 'boardUpdate', boardId: BOARD, clientSeq, elements });

  it('stores a batch, sends it to every other connection, logs it, then acks the host with the revision', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', update(1, [rectangle('r1')]));
    const message: ServerMessage = { type: 'board', v: 1, boardId: BOARD, rev: 1, elements: [rectangle('r1')], at: h.now() };
    expect(h.poster.to('v1')).toEqual([message]);
    expect(h.poster.to('v2')).toEqual([message]);
    expect(h.poster.to('host')).toEqual([{ type: 'boardAck', v: 1, boardId: BOARD, clientSeq: 1, rev: 1 }]);
    expect(h.poster.posts.at(-1)?.to).toBe('host');
    expect(h.boards.boards.get(`${SESSION}#${BOARD}`)?.log).toEqual([{ rev: 1, at: h.now(), elements: [rectangle('r1')] }]);
    // Not in the session's sequence: the head and its log are untouched.
    expect(h.states.log).toEqual([]);
  });

  it('passes on only what is newer than the stored versions; a stale batch is acked without a new revision', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', update(1, [rectangle('r1', { version: 3 }), rectangle('r2')]));
    h.poster.posts.length = 0;
    await h.send('host', 'host', update(2, [rectangle('r1', { version: 2 }), rectangle('r2', { version: 2, x: 5 })]));
    expect(h.poster.to('v1')).toEqual([{ type: 'board', v: 1, boardId: BOARD, rev: 2, elements: [rectangle('r2', { version: 2, x: 5 })], at: h.now() }]);
    h.poster.posts.length = 0;
    await h.send('host', 'host', update(3, [rectangle('r1', { version: 3 })]));
    expect(h.poster.to('v1')).toEqual([]);
    expect(h.poster.to('host')).toEqual([{ type: 'boardAck', v: 1, boardId: BOARD, clientSeq: 3, rev: 2 }]);
  });

  it('refuses a malformed batch whole, naming the element and field, and leaves the board intact', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', update(1, [rectangle('r1')]));
    const before = structuredClone(await h.boards.load(SESSION, BOARD));
    h.poster.posts.length = 0;
    for (const [elements, field] of [
      [[rectangle('r2'), rectangle('r3', { link: 'javascript:alert(1)' })], 'elements.1.link'],
      [[rectangle('r2', { x: 1e300 })], 'elements.0.x'],
      [[rectangle('r2', { width: 1e-200 })], 'elements.0.width'],
      [[{ ...rectangle('r2'), type: 'embeddable' }], 'elements.0.type'],
      [[rectangle('r2', { version: 1.5 })], 'elements.0.version'],
      [[rectangle('__proto__')], 'elements.0.id'],
      [[{ ...rectangle('r2'), text: 'x'.repeat(20_001) }], 'elements.0'],
      [[freedraw('long', 2000)], 'elements.0'],
    ] as const) {
      const since = h.poster.posts.length;
      await h.send('host', 'host', update(9, [...elements]));
      const reply = errorOf(h.poster.posts.slice(since).find((p) => p.to === 'host')?.message);
      // Over 32 KB, the frame is not even read (too_large); anything else names the batch.
      expect(reply.code).toMatch(/bad_message|too_large/);
      if (reply.code === 'bad_message') {
        expect(reply).toMatchObject({ action: 'boardUpdate', clientSeq: 9 });
        expect(reply.message).toContain(field);
      }
    }
    expect(h.poster.to('v1')).toEqual([]);
    expect(await h.boards.load(SESSION, BOARD)).toEqual(before);
  });

  it('tells the host when the board is full, storing nothing of that batch', async () => {
    const h = harness();
    await h.room();
    h.boards.maxBytes = 1000;
    await h.send('host', 'host', update(1, [rectangle('r1'), rectangle('r2'), rectangle('r3'), rectangle('r4')]));
    expect(errorOf(h.poster.last('host'))).toMatchObject({ code: 'board_too_large', action: 'boardUpdate', clientSeq: 1 });
    expect((await h.boards.load(SESSION, BOARD)).elements).toEqual([]);
    // Deleting still works on a full board.
    await h.send('host', 'host', update(2, [rectangle('r1', { isDeleted: true, version: 2 })]));
    expect(h.poster.last('host')).toMatchObject({ type: 'boardAck', clientSeq: 2 });
  });

  it('boardLoad sends the whole board in parts under 128 KB, to the caller only', async () => {
    // Excalidraw's order keys: a fraction never ends in 0.
    const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const h = harness();
    await h.room();
    const elements = Array.from({ length: 60 }, (_, i) => freedraw(`s${i}`, 200, { index: `a0${BASE62[i + 1]}` }));
    for (let i = 0; i < elements.length; i += 3) await h.send('host', 'host', update(i, elements.slice(i, i + 3)));
    h.poster.posts.length = 0;
    await h.send('v1', 'viewer', { v: 1, action: 'boardLoad', boardId: BOARD });
    const parts = h.poster.to('v1') as Array<Extract<ServerMessage, { type: 'boardSnapshot' }>>;
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part).toMatchObject({ type: 'boardSnapshot', boardId: BOARD, rev: 20, parts: parts.length });
      expect(new TextEncoder().encode(JSON.stringify(part)).length).toBeLessThan(128 * 1024);
    }
    expect(parts.flatMap((p) => p.elements)).toEqual(elements);
    expect(h.poster.to('v2')).toEqual([]);
  });

  it('boardView goes to every other connection, unstored, and is rate-limited per connection', async () => {
    const h = harness();
    await h.room();
    const view = { v: 1, action: 'boardView', boardId: BOARD, viewport: { scrollX: 10, scrollY: -20, zoom: 1.5, width: 1200, height: 700 }, rev: 4 };
    await h.send('host', 'host', view);
    expect(h.poster.to('v1')).toEqual([{ type: 'boardView', v: 1, boardId: BOARD, viewport: view.viewport, rev: 4, at: h.now() }]);
    expect(h.poster.to('host')).toEqual([]);
    expect(h.states.log).toEqual([]);
    expect(h.boards.boards.size).toBe(0);
    for (let i = 0; i < 40; i++) await h.send('host', 'host', view);
    expect(errorOf(h.poster.last('host'))).toMatchObject({ code: 'rate_limited', action: 'boardView' });
  });

  it('boardFile answers unavailable where no files bucket is configured', async () => {
    const h = harness();
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'boardFile', boardId: BOARD, file: { fileId: 'f1', mimeType: 'image/png', size: 100 } });
    expect(errorOf(h.poster.last('host'))).toMatchObject({ code: 'unavailable', action: 'boardFile' });
  });
});

// ---------------------------------------------------------------- broadcast through the Event API

/** An EventPublisher recording what it publishes, in order; it fails while `failing` is set. */
function recordingEvents() {
  const published: Array<{ channel: string; message: ServerMessage }> = [];
  const events = {
    published,
    failing: false,
    async publish(channel: string, message: string) {
      await Promise.resolve();
      if (events.failing) throw new Error('The Event API answered 503');
      published.push({ channel, message: JSON.parse(message) as ServerMessage });
    },
  };
  return events;
}

describe('realtime handler with an Event API', () => {
  it('publishes a patch once to the session’s channel, reads no connections, and acks after the publish', async () => {
    const events = recordingEvents();
    const h = harness({ events });
    await h.room();
    let listed = 0;
    const list = h.connections.listBySession.bind(h.connections);
    h.connections.listBySession = async (id) => (listed++, list(id));
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [add('a')] });
    expect(events.published).toEqual([{ channel: `/live/${SESSION}`, message: expect.objectContaining({ type: 'patch', seq: 1, patches: [add('a')] }) }]);
    expect(listed).toBe(0);
    expect(h.poster.to('v1')).toEqual([]);
    expect(h.poster.to('host')).toEqual([{ type: 'ack', v: 1, clientSeq: 1, seq: 1 }]);
  });

  it('publishes chat, reactions and beacons to the channel; replies, presence and signals stay on the sockets', async () => {
    const events = recordingEvents();
    const h = harness({ events });
    await h.room();
    await h.send('v1', 'viewer', { v: 1, action: 'chat', name: 'Ada', text: 'hi' });
    await h.send('v2', 'viewer', { v: 1, action: 'react', emoji: '🎉' });
    await h.send('host', 'host', { v: 1, action: 'ping', clientTime: 1 });
    expect(events.published.map((p) => p.message.type)).toEqual(['chat', 'reaction', 'beacon']);
    expect(h.poster.to('host').map((m) => m.type)).toEqual(['pong']);
    await h.connect('v3');
    expect(h.poster.to('host').map((m) => m.type)).toEqual(['pong', 'presence']);
    await h.send('v1', 'viewer', { v: 1, action: 'signal', to: 'host', data: hello });
    expect(h.poster.last('host')).toMatchObject({ type: 'signal', from: 'v1' });
    expect(events.published).toHaveLength(3);
  });

  it('posts to each connection instead when the publish fails, and says so in the log', async () => {
    const events = recordingEvents();
    const h = harness({ events });
    await h.room();
    events.failing = true;
    await h.send('host', 'host', { v: 1, action: 'publishState', clientSeq: 1, patches: [add('a')] });
    for (const viewer of ['v1', 'v2']) expect(h.poster.to(viewer)).toEqual([expect.objectContaining({ type: 'patch', seq: 1 })]);
    expect(h.poster.to('host')).toEqual([{ type: 'ack', v: 1, clientSeq: 1, seq: 1 }]);
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('Event API publish failed') }));
  });

  it('ends the room on the channel, then closes every other socket', async () => {
    const events = recordingEvents();
    const h = harness({ events });
    await h.room();
    await h.send('host', 'host', { v: 1, action: 'end' });
    expect(events.published.map((p) => p.message.type)).toEqual(['ended']);
    expect(h.poster.to('v1')).toEqual([]);
    expect(h.poster.closed.sort()).toEqual(['v1', 'v2']);
  });
});
