import {
  PROTOCOL_VERSION,
  parseClientMessage,
  rateLimits,
  sessionRateLimits,
  type ChatMessage,
  type Json,
  type ParsedClientMessage,
  type Patch,
  type RateLimitedAction,
  type RejectionCode,
  type SessionRateLimitedAction,
  type ServerMessage,
  webSocketActions,
} from '../../../src/protocol/realtime.js';
import {
  CONNECTION_MAX_AGE_SECONDS,
  connectionsTableAccess,
  type ConnectionItem,
  type ConnectionsTable,
  type IndexedConnection,
} from '../../data/connections-table.js';
import { documentClient } from '../../data/document-client.js';
import { sessionStatesTableAccess, type SessionStatesTable } from '../../data/session-states-table.js';
import { sessionsTableAccess, type SessionsTable } from '../../data/sessions-table.js';
import { boardsTableAccess, type BoardsTable } from '../../data/boards-table.js';
import { boardsTable, connectionsTable, decksTable, sessionStatesTable, sessionsTable } from '../../data/table-definitions.js';
import { FILES_BUCKET_ENV, objectStore, s3Client, type ObjectStore } from '../../storage/object-store.js';
import { splitBoardSnapshot } from '../../../src/protocol/board-parts.js';
import type { BoardElement, BoardFileUpload } from '../../../src/protocol/board.js';
import { requireEnv } from '../shared/env.js';
import type { ConnectionContext } from '../ws-authorizer/handler.js';
import { CODE_TILE_KIND, runRequestSchema, tileRunFromResult, type TileRun } from '../../../src/protocol/code.js';
import { describeIssues } from '../../../src/protocol/errors.js';
import { splitSnapshot } from '../../../src/protocol/snapshot-parts.js';
import { closeRoom } from '../shared/close-room.js';
import { deleteSessionStage, ivsStagesFromEnv, type MediaStages } from '../../media/stages.js';
import { optionalEnv } from '../shared/env.js';
import { lambdaCodeRunner, type CodeRunner } from './code-runner-client.js';
import { serviceNames } from '../shared/metric-names.js';
import { createObservability, type AppMetrics } from '../shared/observability.js';
import { countingRejections } from './rejection-metrics.js';
import { attachReferencedDecks } from './deck-references.js';
import { decksTableAccess, type DecksTable } from '../../data/decks-table.js';
import { replayRecorderFromEnv, type ReplayRecorder } from '../shared/replay-recorder.js';
import { fanOut, managementApiPoster, managementEndpoint, type ConnectionPoster } from './connection-poster.js';
import { EVENT_API_URL_ENV, eventApiPublisher, type EventPublisher } from './event-api-publisher.js';
import type { WebSocketEvent, WebSocketResult } from './websocket-event.js';
import { SFU_SIGNAL_TARGET, sdpSendsMedia, type MediaSignal } from '../../../src/protocol/media.js';
import { httpSfuRelay, sfuEnv, type SfuRelay } from './sfu-relay.js';
import { sessionChannel, type BroadcastMessage } from '../../../src/protocol/live-events.js';

export interface RealtimeDeps {
  connections: ConnectionsTable;
  states: SessionStatesTable;
  sessions: SessionsTable;
  boards: BoardsTable;
  /** The files bucket (whiteboard images); undefined where none is configured. */
  files?: ObjectStore;
  posterFor: (endpoint: string) => ConnectionPoster;
  /**
   * The Event API that fans messages for the whole session out (docs/protocol.md). Undefined:
   * every message is posted to each connection over @connections instead.
   */
  events?: EventPublisher;
  /** Undefined when this deployment has no code executor. */
  runCode?: CodeRunner;
  /** Undefined when this deployment has no SFU: signals to "sfu" are refused as unavailable. */
  sfu?: SfuRelay;
  /** Checks and attaches the decks tiles refer to; undefined where slides are not set up. */
  decks?: DecksTable;
  /** Amazon IVS stages, when the media provider is `ivs`: ending the session deletes its stage. */
  stages?: MediaStages;
  now: () => number;
  newId: () => string;
  log: (entry: Record<string, unknown>) => void;
  /** CloudWatch metrics (shared/observability.ts); optional so test harnesses need none. */
  metrics?: AppMetrics;
  /** Checkpoints, reactions and presence samples for replays and insights (shared/replay-recorder.ts). */
  replay?: ReplayRecorder;
}

/** Who is acting: fixed at $connect by the authorizer and passed on every route by API Gateway. */
interface Caller {
  connectionId: string;
  sessionId: string;
  role: 'host' | 'viewer';
  userId: string;
  poster: ConnectionPoster;
  /** Where the @connections API of this WebSocket API is (the SFU answers there). */
  managementEndpoint: string;
  /** Epoch ms of $connect, from API Gateway's request context. */
  connectedAt: number;
}

type Rejection = { code: RejectionCode; message: string };

/** The WebSocket API's one function: $connect, $disconnect and every room action. */
export function createRealtimeHandler(deps: () => RealtimeDeps) {
  // Connections whose sync this instance is answering: a repeat meanwhile is refused for free.
  const syncing = new Set<string>();
  return async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const d = deps();
    const { routeKey, connectionId, domainName, stage } = event.requestContext;
    const auth = event.requestContext.authorizer as Partial<ConnectionContext> | undefined;
    const endpoint = managementEndpoint(domainName, stage);
    const poster = countingRejections(d.posterFor(endpoint), d.metrics);
    if (!auth?.sessionId || (auth.role !== 'host' && auth.role !== 'viewer')) {
      // Only reachable if the authorizer were bypassed: refuse rather than guess.
      if (routeKey === '$connect') return { statusCode: 403 };
      await send(poster, connectionId, rejection('forbidden', 'This connection was not authorized.'));
      return { statusCode: 200 };
    }
    const caller: Caller = {
      connectionId,
      sessionId: auth.sessionId,
      role: auth.role,
      userId: auth.userId ?? '',
      poster,
      managementEndpoint: endpoint,
      connectedAt: event.requestContext.connectedAt,
    };

    try {
      if (routeKey === '$connect') return await onConnect(caller, d);
      if (routeKey === '$disconnect') return await onDisconnect(caller, d);
      await onMessage(caller, event.body, d, syncing);
    } catch (error) {
      d.log({ level: 'error', message: 'realtime action failed', routeKey, error: String(error) });
      if (routeKey !== '$connect' && routeKey !== '$disconnect') {
        // With the action and clientSeq, the host can tell which batch failed instead of waiting for its ack forever.
        await send(poster, connectionId, { ...rejection('internal', 'Something went wrong on our side. Try again.'), ...replyContext(event.body) }).catch(
          () => undefined,
        );
      } else if (routeKey === '$connect') {
        return { statusCode: 500 };
      }
    }
    return { statusCode: 200 };
  };
}

async function onConnect(caller: Caller, d: RealtimeDeps): Promise<WebSocketResult> {
  const now = d.now();
  await d.connections.put({
    connectionId: caller.connectionId,
    sessionId: caller.sessionId,
    role: caller.role,
    ...(caller.userId ? { userId: caller.userId } : {}),
    connectedAt: now,
    expiresAt: Math.floor(now / 1000) + CONNECTION_MAX_AGE_SECONDS,
  });
  if (caller.role === 'host') {
    await d.states.updatePresence(caller.sessionId, { hostJoined: caller.connectionId });
  } else {
    const presence = await d.states.updatePresence(caller.sessionId, { viewerDelta: 1 });
    d.metrics?.recordActiveViewers(presence.viewerCount);
    await Promise.all([
      tellHosts(caller.poster, presence, { event: 'join', connectionId: caller.connectionId }),
      d.replay?.presence(caller.sessionId, { at: now, viewers: presence.viewerCount, joined: 1, left: 0 }),
    ]);
  }
  return { statusCode: 200 };
}

async function onDisconnect(caller: Caller, d: RealtimeDeps): Promise<WebSocketResult> {
  const removed = await d.connections.delete(caller.connectionId);
  // Already removed (a 410 cleanup): presence was counted down then.
  if (removed) await countOut(d, caller.poster, caller.sessionId, [removed.connectionId], removed.role === 'host' ? [removed.connectionId] : []);
  return { statusCode: 200 };
}

async function countOut(d: RealtimeDeps, poster: ConnectionPoster, sessionId: string, removed: string[], hosts: string[]) {
  for (const host of hosts) await d.states.updatePresence(sessionId, { hostLeft: host });
  const viewers = removed.filter((id) => !hosts.includes(id));
  if (viewers.length === 0) return;
  const presence = await d.states.updatePresence(sessionId, { viewerDelta: -viewers.length });
  d.metrics?.recordActiveViewers(presence.viewerCount);
  await Promise.all([
    tellHosts(poster, presence, viewers.length === 1 ? { event: 'leave', connectionId: viewers[0] } : {}),
    d.replay?.presence(sessionId, { at: d.now(), viewers: presence.viewerCount, joined: 0, left: viewers.length }),
  ]);
}

async function tellHosts(
  poster: ConnectionPoster,
  presence: { viewerCount: number; hostConnections: string[] },
  detail: { event?: 'join' | 'leave'; connectionId?: string },
) {
  const message: ServerMessage = { type: 'presence', v: PROTOCOL_VERSION, viewerCount: presence.viewerCount, ...detail };
  await fanOut(poster, presence.hostConnections, JSON.stringify(message));
}

async function onMessage(caller: Caller, body: string | undefined, d: RealtimeDeps, syncing: Set<string>): Promise<void> {
  const parsed = parseClientMessage(body);
  if (!parsed.ok) {
    const { ok: _ok, code, message, ...context } = parsed;
    return send(caller.poster, caller.connectionId, { ...rejection(code, message), ...context });
  }
  const message = parsed.message;
  if (message.action !== 'sync') return act(caller, message, d);
  if (syncing.has(caller.connectionId)) {
    return send(caller.poster, caller.connectionId, {
      ...rejection('busy', 'A snapshot for this connection is already on its way. Wait for it before asking again.'),
      action: 'sync',
    });
  }
  syncing.add(caller.connectionId);
  try {
    await act(caller, message, d);
  } finally {
    syncing.delete(caller.connectionId);
  }
}

async function act(caller: Caller, message: ParsedClientMessage, d: RealtimeDeps): Promise<void> {
  const refused = await authorize(caller, message, d);
  if (refused) {
    return send(caller.poster, caller.connectionId, {
      ...rejection(refused.code, refused.message),
      action: message.action,
      ...('clientSeq' in message ? { clientSeq: message.clientSeq } : {}),
    });
  }
  switch (message.action) {
    case 'sync':
      return sync(caller, message.clientTime, d);
    case 'ping':
      await send(caller.poster, caller.connectionId, { type: 'pong', v: PROTOCOL_VERSION, clientTime: message.clientTime, serverTime: d.now() });
      if (caller.role === 'host' && d.now() - caller.connectedAt >= BEACON_AFTER_CONNECT_MS) await beacon(caller, d);
      return;
    case 'publishState':
      return publish(caller, message.patches, message.clientSeq, d);
    case 'chat':
      return chat(caller, message.name, message.text, d);
    case 'react': {
      const at = d.now();
      await Promise.all([
        broadcastToSession(caller, d, { type: 'reaction', v: PROTOCOL_VERSION, emoji: message.emoji, at }),
        d.replay?.reaction(caller.sessionId, { at, emoji: message.emoji }),
      ]);
      return;
    }
    case 'signal':
      return signal(caller, message.to, message.data, d);
    case 'end':
      return end(caller, d);
    case 'runCode':
      return runCode(caller, message.tileId, message.stdin, d);
    case 'boardUpdate':
      return boardUpdate(caller, message.boardId, message.elements as BoardElement[], message.clientSeq, d);
    case 'boardLoad':
      return boardLoad(caller, message.boardId, d);
    case 'boardView': {
      const { viewport, pointer, rev } = message;
      return broadcastEphemeral(caller, d, { type: 'boardView', v: PROTOCOL_VERSION, boardId: message.boardId, viewport, pointer, rev, at: d.now() });
    }
    case 'boardFile':
      return boardFile(caller, message.boardId, message.file, d);
  }
}

const hostOnly = new Set<ParsedClientMessage['action']>(['publishState', 'end', 'runCode', 'boardUpdate', 'boardView', 'boardFile']);

async function authorize(caller: Caller, message: ParsedClientMessage, d: RealtimeDeps): Promise<Rejection | undefined> {
  if (hostOnly.has(message.action) && caller.role !== 'host') {
    return { code: 'forbidden', message: `Only the host may ${describeAction(message.action)}.` };
  }
  if (message.action in rateLimits) {
    const limit = rateLimits[message.action as RateLimitedAction];
    const allowed = await d.connections.consumeRateLimit(caller.connectionId, message.action, limit.max, limit.windowSeconds, d.now());
    if (!allowed) {
      return {
        code: 'rate_limited',
        message: `Too many ${message.action} messages: at most ${limit.max} per ${limit.windowSeconds} s. Wait a moment.`,
      };
    }
  }
  if (caller.role === 'viewer' && message.action in sessionRateLimits) {
    // One viewer with many sockets, or many viewers at once, share this session-wide budget.
    const limit = sessionRateLimits[message.action as SessionRateLimitedAction];
    const allowed = await d.connections.consumeSessionRateLimit(caller.sessionId, message.action, limit.max, limit.windowSeconds, d.now());
    if (!allowed) {
      return {
        code: 'rate_limited',
        message: `This session's viewers are sending too many ${message.action} messages: at most ${limit.max} per ${limit.windowSeconds} s together. Wait a moment.`,
      };
    }
  }
  return undefined;
}

function describeAction(action: ParsedClientMessage['action']): string {
  return (
    {
      publishState: 'change the canvas',
      end: 'end the session',
      runCode: 'run code',
      boardUpdate: 'draw on the whiteboard',
      boardView: 'lead the whiteboard view',
      boardFile: 'add images to the whiteboard',
    }[action as string] ?? action
  );
}

async function sync(caller: Caller, clientTime: number | undefined, d: RealtimeDeps) {
  const head = await d.states.getHead(caller.sessionId);
  const message: ServerMessage = {
    type: 'snapshot',
    v: PROTOCOL_VERSION,
    sessionId: caller.sessionId,
    connectionId: caller.connectionId,
    role: caller.role,
    snapshot: head.snapshot,
    chat: head.chat,
    viewerCount: head.viewerCount,
    serverTime: d.now(),
    ...(clientTime !== undefined ? { clientTime } : {}),
    ended: head.ended,
  };
  for (const part of splitSnapshot(message)) await send(caller.poster, caller.connectionId, part);
}

/**
 * The host's first pings after connecting sample its clock offset; later ones (its heartbeat,
 * and the one its client sends once its queue has been quiet for a moment) carry a beacon.
 */
export const BEACON_AFTER_CONNECT_MS = 2000;

/**
 * Tells every other connection of the session the head's seq. A viewer that missed a patch or
 * chat (a lost post, or an index that did not list it yet) sees it is behind and resyncs, even
 * when nothing else is published after the one it missed.
 */
async function beacon(caller: Caller, d: RealtimeDeps) {
  const { seq } = (await d.states.getHead(caller.sessionId, ['seq'])).snapshot;
  await broadcastToSession(caller, d, { type: 'beacon', v: PROTOCOL_VERSION, seq }, caller.connectionId);
}

async function publish(caller: Caller, patches: Patch[], clientSeq: number, d: RealtimeDeps) {
  const refused = await attachReferencedDecks(patches, caller, d.decks, d.now());
  if (refused) return send(caller.poster, caller.connectionId, { ...rejection(refused.code, refused.message), action: 'publishState', clientSeq });
  const outcome = await commit(caller, d, patches, caller.connectionId);
  if (!outcome.ok) {
    return send(caller.poster, caller.connectionId, { ...rejection(outcome.reason, outcome.message), action: 'publishState', clientSeq });
  }
  d.metrics?.recordPublish(outcome.fanOut.viewers, outcome.fanOut.durationMs);
  // The ack goes out after the fan-out, so the host's next batch can never overtake this one.
  await send(caller.poster, caller.connectionId, { type: 'ack', v: PROTOCOL_VERSION, clientSeq, seq: outcome.seq });
}

/** Stores patches on the head, sends them to the session (but `except`) and appends them to the replay log. */
async function commit(caller: Caller, d: RealtimeDeps, patches: Patch[], except?: string) {
  const at = d.now();
  const outcome = await d.states.publish(caller.sessionId, patches, at);
  if (!outcome.ok) return outcome;
  const message: ServerMessage = { type: 'patch', v: PROTOCOL_VERSION, seq: outcome.seq, patches, at };
  const entry = { kind: 'patch' as const, seq: outcome.seq, at, patches };
  const [fanOut] = await Promise.all([
    broadcastToSession(caller, d, message, except),
    d.states.appendLog(caller.sessionId, entry).then(() => d.replay?.afterLog(caller.sessionId, entry)),
  ]);
  return { ...outcome, fanOut };
}

/** A run that started longer ago than this is considered lost (the executor's own limit is far shorter). */
const RUN_STALE_MS = 60_000;

async function runCode(caller: Caller, tileId: string, stdin: string, d: RealtimeDeps) {
  const refuse = (code: RejectionCode, message: string) => send(caller.poster, caller.connectionId, { ...rejection(code, message), action: 'runCode' });
  if (!d.runCode) {
    return refuse('unavailable', 'Code execution is not set up on this deployment. An operator must deploy the executor image (docs/DEPLOYMENT.md).');
  }
  const tile = (await d.states.getHead(caller.sessionId, [{ tile: tileId }])).snapshot.tiles[tileId];
  if (!tile) return refuse('unknown_tile', `Tile ${tileId} does not exist.`);
  if (tile.kind !== CODE_TILE_KIND) return refuse('bad_message', `Tile ${tileId} is not a code tile.`);
  const previous = tile.state.run as TileRun | undefined;
  if (previous?.status === 'running' && d.now() - previous.startedAt < RUN_STALE_MS) {
    return refuse('busy', 'This tile is already running code. Wait for it to finish.');
  }
  const request = runRequestSchema.safeParse({ language: tile.state.language, source: tile.state.source ?? '', stdin });
  if (!request.success) return refuse('bad_message', `This tile cannot run: ${describeIssues(request.error)}.`);

  const base = { runId: d.newId(), language: request.data.language, startedAt: d.now() };
  const started = await commit(caller, d, [{ type: 'tile.state', tileId, set: { run: { ...base, status: 'running' } } }]);
  if (!started.ok) return refuse(started.reason, started.message);
  const invokedAt = d.now();
  const result = await d.runCode(request.data);
  d.metrics?.recordCodeRun(request.data.language, result.status, d.now() - invokedAt);
  const run = tileRunFromResult(result, { ...base, finishedAt: d.now() });
  // The tile may have been removed meanwhile; then there is nothing to show the result in.
  await commit(caller, d, [{ type: 'tile.state', tileId, set: { run: run as unknown as Json } }]);
}

/**
 * A host's batch of whiteboard elements: stored (only what is newer than the stored
 * versions), posted to every other connection of the session and logged, then acknowledged.
 * Not in the session's sequence: elements reconcile by version, so order does not matter, and
 * the head (billed on its whole size per write) is not touched.
 */
async function boardUpdate(caller: Caller, boardId: string, elements: BoardElement[], clientSeq: number, d: RealtimeDeps) {
  const at = d.now();
  const outcome = await d.boards.store(caller.sessionId, boardId, elements, at);
  if (!outcome.ok) return send(caller.poster, caller.connectionId, { ...rejection(outcome.reason, outcome.message), action: 'boardUpdate', clientSeq });
  if (outcome.stored.length > 0) {
    const files = await fileUrls(caller.sessionId, boardId, outcome.stored, d);
    const message: ServerMessage = { type: 'board', v: PROTOCOL_VERSION, boardId, rev: outcome.rev, elements: outcome.stored, ...(files ? { files } : {}), at };
    await Promise.all([
      postToSession(caller, d, message, caller.connectionId),
      d.boards.appendLog(caller.sessionId, boardId, { rev: outcome.rev, at, elements: outcome.stored }),
    ]);
  }
  await send(caller.poster, caller.connectionId, { type: 'boardAck', v: PROTOCOL_VERSION, boardId, clientSeq, rev: outcome.rev });
}

/** The whole stored board to the caller, in parts under API Gateway's 128 KB message limit. */
async function boardLoad(caller: Caller, boardId: string, d: RealtimeDeps) {
  const { rev, elements } = await d.boards.load(caller.sessionId, boardId);
  const files = await fileUrls(caller.sessionId, boardId, elements, d);
  for (const part of splitBoardSnapshot({ type: 'boardSnapshot', v: PROTOCOL_VERSION, boardId, rev, elements, ...(files ? { files } : {}), part: 1, parts: 1 })) {
    await send(caller.poster, caller.connectionId, part);
  }
}

/**
 * Lossy and unsequenced: posted once to the session's other connections, never stored or
 * logged, so it cannot fill the log (the sender's rate limit bounds it). Kept behind this one
 * function so it can move to another transport.
 */
async function broadcastEphemeral(caller: Caller, d: RealtimeDeps, message: ServerMessage) {
  await postToSession(caller, d, message, caller.connectionId);
}

const boardFileKey = (sessionId: string, boardId: string, fileId: string) => `boards/${sessionId}/${boardId}/files/${fileId}`;

/** Where the host uploads one image of the board: a presigned PUT of exactly that size and type. */
async function boardFile(caller: Caller, boardId: string, file: BoardFileUpload, d: RealtimeDeps) {
  if (!d.files) {
    return send(caller.poster, caller.connectionId, {
      ...rejection('unavailable', 'Images cannot be stored on this deployment: it has no files bucket.'),
      action: 'boardFile',
    });
  }
  const uploadUrl = await d.files.presignUpload(boardFileKey(caller.sessionId, boardId, file.fileId), { contentType: file.mimeType, contentLength: file.size });
  await send(caller.poster, caller.connectionId, { type: 'boardFileUrl', v: PROTOCOL_VERSION, boardId, fileId: file.fileId, uploadUrl });
}

/** Presigned GET URLs for the images among these elements (signing is local: no request per image). */
async function fileUrls(sessionId: string, boardId: string, elements: readonly BoardElement[], d: RealtimeDeps) {
  if (!d.files) return undefined;
  const fileIds = [...new Set(elements.flatMap((e) => (e.type === 'image' && e.fileId && !e.isDeleted ? [e.fileId] : [])))];
  if (fileIds.length === 0) return undefined;
  const files = d.files;
  const urls = await Promise.all(fileIds.map((fileId) => files.presignDownload(boardFileKey(sessionId, boardId, fileId))));
  return Object.fromEntries(fileIds.map((fileId, i) => [fileId, urls[i]!]));
}

async function chat(caller: Caller, name: string, text: string, d: RealtimeDeps) {
  const message: ChatMessage = { id: d.newId(), name, text, role: caller.role, at: d.now() };
  const seq = await d.states.addChat(caller.sessionId, message);
  if (seq === undefined) {
    return send(caller.poster, caller.connectionId, {
      ...rejection('forbidden', 'Chat is turned off for this session.'),
      action: 'chat',
    });
  }
  const entry = { kind: 'chat' as const, seq, at: message.at, message };
  await Promise.all([
    broadcastToSession(caller, d, { type: 'chat', v: PROTOCOL_VERSION, seq, message }),
    d.states.appendLog(caller.sessionId, entry).then(() => d.replay?.afterLog(caller.sessionId, entry)),
  ]);
}

async function signal(caller: Caller, to: string, data: MediaSignal, d: RealtimeDeps) {
  const refuse = (code: RejectionCode, message: string) => send(caller.poster, caller.connectionId, { ...rejection(code, message), action: 'signal' });
  if (caller.role === 'viewer' && to !== 'host' && to !== SFU_SIGNAL_TARGET) return refuse('forbidden', 'Viewers may only signal the host.');
  // Checked here, not only in the browser or the SFU: a viewer never publishes media, with any provider.
  if (caller.role === 'viewer' && data.type === 'description' && sdpSendsMedia(data.description.sdp)) {
    return refuse('forbidden', 'Viewers cannot publish media: a viewer\'s session description may only receive.');
  }
  if (to === SFU_SIGNAL_TARGET) return relayToSfu(caller, data, d, refuse);

  let targets: string[];
  const known: ConnectionItem[] = [];
  if (caller.role === 'viewer') {
    targets = (await d.states.getHead(caller.sessionId, ['hostConnections'])).hostConnections;
  } else {
    const target = await d.connections.get(to);
    if (target?.sessionId === caller.sessionId) known.push(target);
    targets = known.map((c) => c.connectionId);
  }
  const message = JSON.stringify({ type: 'signal', v: PROTOCOL_VERSION, from: caller.connectionId, fromRole: caller.role, data });
  const result = await fanOut(caller.poster, targets, message);
  if (result.sent === 0) await refuse('not_found', to === 'host' ? 'The host is not connected.' : `Connection ${to} is not in this session.`);
  if (result.gone.length) await forgetGone(caller, d, result.gone, known);
}

async function relayToSfu(caller: Caller, data: MediaSignal, d: RealtimeDeps, refuse: (code: RejectionCode, message: string) => Promise<void>) {
  if (data.media !== 'sfu') return refuse('bad_message', 'Only SFU signalling ("media": "sfu") may be sent to the SFU.');
  if (!d.sfu) return refuse('unavailable', 'This deployment has no media server (SFU). The host can use peer-to-peer media instead.');
  try {
    await d.sfu.relay({ sessionId: caller.sessionId, connectionId: caller.connectionId, role: caller.role, data, replyTo: caller.managementEndpoint });
  } catch (error) {
    d.log({ level: 'warn', message: 'SFU relay failed', sessionId: caller.sessionId, error: String(error) });
    await refuse('unavailable', 'The media server is not answering. Try again in a moment.');
  }
}

async function end(caller: Caller, d: RealtimeDeps) {
  const at = d.now();
  const ended = await d.sessions.updateAsHost(caller.sessionId, caller.userId, { end: true }, new Date(at).toISOString());
  await closeRoom({ connections: d.connections, states: d.states, poster: caller.poster, replay: d.replay, events: d.events, log: d.log }, caller.sessionId, at, caller.connectionId);
  // After the room heard the end; a failure is logged and the sweep deletes the stage later.
  if (ended.ok && d.stages) await deleteSessionStage({ stages: d.stages, log: d.log }, ended.session);
}

/**
 * Sends a message to every connection of the caller's session: published once to the session's
 * Event API channel, which fans it out (every subscriber gets it, `except` included: clients drop
 * what they already have by seq). Without an Event API, or if it refuses the message after a
 * retry, it is posted to each connection (`except` left out) instead, and connections API Gateway
 * no longer knows are forgotten. Returns how many connections it posted to directly and how long
 * that took (for the metrics).
 */
async function broadcastToSession(caller: Caller, d: RealtimeDeps, message: BroadcastMessage, except?: string) {
  const startedAt = d.now();
  if (d.events) {
    try {
      await d.events.publish(sessionChannel(caller.sessionId), JSON.stringify(message));
      return { viewers: 0, durationMs: d.now() - startedAt };
    } catch (error) {
      d.log({ level: 'error', message: 'Event API publish failed; posting to each connection instead', sessionId: caller.sessionId, error: String(error) });
    }
  }
  return postToSession(caller, d, message, except, startedAt);
}

/**
 * Posts a message to each connection of the session. The whiteboard's messages always go this
 * way: they are unsequenced, and the host must not get its own strokes back from the channel.
 */
async function postToSession(caller: Caller, d: RealtimeDeps, message: ServerMessage, except?: string, startedAt = d.now()) {
  const connections = await d.connections.listBySession(caller.sessionId);
  const targets = connections.map((c) => c.connectionId).filter((id) => id !== except);
  const result = await fanOut(caller.poster, targets, JSON.stringify(message));
  const stats = { viewers: targets.length, durationMs: d.now() - startedAt };
  if (result.failed) d.log({ level: 'warn', message: 'fan-out posts failed', failed: result.failed, sessionId: caller.sessionId });
  if (result.gone.length) await forgetGone(caller, d, result.gone, connections);
  return stats;
}

/**
 * API Gateway answers 410 for a connection whose $connect has not returned yet, and $connect
 * stores the connection before it returns; so a young connection that is "gone" is still
 * connecting, not dead. Its $disconnect (or a later 410) cleans it up if it really is gone.
 */
export const CONNECTING_GRACE_MS = 30_000;

async function forgetGone(caller: Caller, d: RealtimeDeps, gone: string[], known: readonly IndexedConnection[] = []) {
  const byId = new Map(known.map((item) => [item.connectionId, item]));
  const items = await Promise.all(gone.map(async (id) => byId.get(id) ?? (await d.connections.get(id))));
  const connectedBefore = d.now() - CONNECTING_GRACE_MS;
  const dead = items.filter((item) => item !== undefined && item.connectedAt <= connectedBefore).map((item) => item!.connectionId);
  const removed = await Promise.all(dead.map((id) => d.connections.delete(id)));
  const existed = removed.filter((item) => item !== undefined);
  const hosts = existed.filter((item) => item.role === 'host').map((item) => item.connectionId);
  await countOut(d, caller.poster, caller.sessionId, existed.map((item) => item.connectionId), hosts);
}

/** The action and clientSeq of a raw client message, when it has valid ones. */
function replyContext(body: string | undefined): { action?: string; clientSeq?: number } {
  try {
    const value: unknown = JSON.parse(body ?? '');
    if (typeof value !== 'object' || value === null) return {};
    const { action, clientSeq } = value as { action?: unknown; clientSeq?: unknown };
    return {
      ...(typeof action === 'string' && (webSocketActions as readonly string[]).includes(action) ? { action } : {}),
      ...(typeof clientSeq === 'number' ? { clientSeq } : {}),
    };
  } catch {
    return {};
  }
}

function rejection(code: RejectionCode, message: string): Extract<ServerMessage, { type: 'error' }> {
  return { type: 'error', v: PROTOCOL_VERSION, code, message };
}

async function send(poster: ConnectionPoster, connectionId: string, message: ServerMessage): Promise<void> {
  await poster.post(connectionId, JSON.stringify(message));
}

const observability = createObservability(serviceNames.realtime);
let deps: RealtimeDeps | undefined;
export const handler = observability.instrument(createRealtimeHandler(
  () =>
    (deps ??= {
      connections: connectionsTableAccess(documentClient(), requireEnv(connectionsTable.envVar)),
      states: sessionStatesTableAccess(documentClient(), requireEnv(sessionStatesTable.envVar)),
      sessions: sessionsTableAccess(documentClient(), requireEnv(sessionsTable.envVar)),
      boards: boardsTableAccess(documentClient(), requireEnv(boardsTable.envVar)),
      ...(optionalEnv(FILES_BUCKET_ENV) ? { files: objectStore(s3Client(), optionalEnv(FILES_BUCKET_ENV)!) } : {}),
      posterFor: managementApiPoster,
      ...(optionalEnv(EVENT_API_URL_ENV) ? { events: eventApiPublisher(optionalEnv(EVENT_API_URL_ENV)!) } : {}),
      ...(optionalEnv('CODE_RUNNER_FUNCTION_NAME') ? { runCode: lambdaCodeRunner(optionalEnv('CODE_RUNNER_FUNCTION_NAME')!) } : {}),
      // Read per use: a self-hosted SFU is optional configuration, like the executor.
      get sfu() {
        const url = optionalEnv(sfuEnv.url);
        return url ? httpSfuRelay(url, requireEnv(sfuEnv.secret)) : undefined;
      },
      ...(optionalEnv(decksTable.envVar) ? { decks: decksTableAccess(documentClient(), optionalEnv(decksTable.envVar)!) } : {}),
      stages: ivsStagesFromEnv(),
      now: () => Date.now(),
      newId: () => crypto.randomUUID(),
      log: observability.log,
      metrics: observability.metrics,
      replay: replayRecorderFromEnv(observability.log),
    }),
));
