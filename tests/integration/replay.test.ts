import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../amplify/data/document-client.js';
import { checkpointKey, MAX_INLINE_CHECKPOINT_BYTES, replayStoreAccess } from '../../amplify/data/replay-store.js';
import { FILES_BUCKET_ENV, objectStore, s3Client } from '../../amplify/storage/object-store.js';
import { sessionStatesTable } from '../../amplify/data/table-definitions.js';
import type { TileRun } from '../../src/protocol/code.js';
import { applyPatches, type CanvasSnapshot, type Patch } from '../../src/protocol/realtime.js';
import {
  CHECKPOINT_POLICY,
  replayLogPageSchema,
  replayManifestSchema,
  replaySeekSchema,
  sessionInsightsSchema,
  type ReplayEntry,
  type ReplaySeek,
} from '../../src/protocol/replay.js';
import { advanceTo } from '../../src/protocol/replay-fold.js';
import { createReplayReader, replayStateAt } from '../../src/replay/replay-api.js';
import { canvasOf } from '../support/room-agreement.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { RoomClient } from '../support/room-client.js';

/**
 * Replay on the local stack with the real handlers: a session of 5,000 sequenced messages
 * (patches from the host, chat from everyone, a code run, reactions, viewers coming and
 * going), then the replay at 20 random times against the canvas a live viewer had at that
 * seq, and insights against what the test did.
 */
const TOTAL_SEQ = Number(process.env.REPLAY_TEST_SEQ ?? 5000);
/** Publishes in flight at once: concurrent commits, so `at` is not always in seq order. */
const IN_FLIGHT = 4;

let env: TestStack;
let host: TestUser;
let sessionId: string;
let hostRoom: RoomClient;
/** Live from the first message to the end. */
let viewer: { client: RoomClient; first: CanvasSnapshot };
/** Joins in the middle. */
let lateViewer: { client: RoomClient; first: CanvasSnapshot };
const did = { chats: 0, reactions: 0, joins: 0, runs: 0 };
/** Chat messages the server refused (or never answered), with its reason. */
const refusedChats: string[] = [];
let log: ReplayEntry[] = [];

const api = (path: string, init: RequestInit = {}) => fetch(`${env.stack.httpApiUrl}${path}`, init);
const getJson = async (path: string, init: RequestInit = {}) => {
  const response = await api(path, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

async function join(): Promise<{ client: RoomClient; first: CanvasSnapshot }> {
  const client = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  const first = (await client.request({ v: 1, action: 'sync' }, 'snapshot', 15_000)).snapshot;
  did.joins++;
  return { client, first };
}

/** A viewer's canvas at `seq`: its first snapshot plus the patches it received up to `seq`. */
function liveCanvasAt(live: { client: RoomClient; first: CanvasSnapshot }, seq: number): CanvasSnapshot | undefined {
  if (seq < live.first.seq) return undefined;
  return live.client
    .of('patch')
    .filter((m) => m.seq > live.first.seq && m.seq <= seq)
    .sort((a, b) => a.seq - b.seq)
    .reduce((canvas, m) => applyPatches(canvas, m.patches, m.seq), live.first);
}

beforeAll(async () => {
  env = await startTestStack();
  host = await env.createUser('replay-host@example.com');
  sessionId = await createSession(env.stack, host.accessToken, 'Replay run');
  hostRoom = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: host.accessToken });
  viewer = await join();
  const second = await join();

  const tiles: Patch[] = [
    ...['a', 'b', 'c'].map((id, i): Patch => ({ type: 'tile.add', tileId: id, kind: 'clock', frame: { x: i * 100, y: 0, w: 300, h: 200, z: i }, state: { mode: 'clock', n: 0 } })),
    { type: 'tile.add', tileId: 'py', kind: 'code', frame: { x: 0, y: 400, w: 800, h: 400, z: 10 }, state: { language: 'python', source: 'print("replayed")\n' } },
    { type: 'canvas.set', set: { live: true } },
  ];
  await hostRoom.request({ v: 1, action: 'publishState', clientSeq: 0, patches: tiles }, 'ack');

  const seen = () => Math.max(0, ...hostRoom.of('ack').map((m) => m.seq), ...hostRoom.of('chat').map((m) => m.seq), ...hostRoom.of('patch').map((m) => m.seq));
  // Chat from the host and both viewers, paced under the per-connection limit, alongside the publishes.
  const chatters = [hostRoom, viewer.client, second.client];
  let chatting = true;
  let swapped = false;
  let chatInFlight: Promise<string> = Promise.resolve('ok');
  const chat = (async () => {
    for (let i = 0; chatting; i++) {
      const from = chatters[i % chatters.length]!;
      if (from === second.client && swapped) continue;
      const text = `message ${i}`;
      const since = from.received.length;
      from.send({ v: 1, action: 'chat', name: `p${i % 3}`, text });
      // Counted once the sender hears it back (sequenced and logged); a refusal is kept to explain.
      chatInFlight = Promise.race([
        from.waitFor('chat', (m) => m.message.text === text, 30_000, since).then(() => 'ok', () => 'no answer'),
        from.waitFor('error', (m) => m.action === 'chat', 30_000, since).then((m) => `${m.code}: ${m.message}`, () => 'no answer'),
      ]);
      const outcome = await chatInFlight;
      if (outcome === 'ok') did.chats++;
      else refusedChats.push(outcome);
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
  })();

  let clientSeq = 0;
  let inFlight: Array<Promise<unknown>> = [];
  let codeRun: Promise<unknown> | undefined;
  while (seen() < TOTAL_SEQ - IN_FLIGHT) {
    clientSeq++;
    const n = clientSeq;
    const tileId = ['a', 'b', 'c'][n % 3]!;
    const patch: Patch = n % 2 ? { type: 'tile.frame', tileId, frame: { x: (n * 7) % 1500, y: (n * 13) % 800 } } : { type: 'tile.state', tileId, set: { n } };
    const since = hostRoom.received.length;
    hostRoom.send({ v: 1, action: 'publishState', clientSeq: n, patches: [patch] });
    inFlight.push(hostRoom.waitFor('ack', (m) => m.clientSeq === n, 60_000, since));
    if (inFlight.length >= IN_FLIGHT) {
      await inFlight.shift();
    }
    if (n % 400 === 0) {
      viewer.client.send({ v: 1, action: 'react', emoji: '👏' });
      did.reactions++;
    }
    if (!codeRun && seen() > TOTAL_SEQ / 2) {
      hostRoom.send({ v: 1, action: 'runCode', tileId: 'py', stdin: '' });
      did.runs++;
      codeRun = viewer.client.waitFor('patch', (m) => m.patches.some((p) => p.type === 'tile.state' && p.tileId === 'py' && (p.set?.run as unknown as TileRun)?.status === 'ok'), 60_000);
    }
    if (!swapped && seen() > (TOTAL_SEQ * 3) / 5) {
      swapped = true;
      // Its last chat answered first, so every chat it sent is counted or refused.
      await chatInFlight;
      const since = hostRoom.received.length;
      await second.client.close();
      // Counted out before the next one joins, so the peak stays two.
      await hostRoom.waitFor('presence', (m) => m.event === 'leave', 30_000, since);
      lateViewer = await join();
    }
  }
  await Promise.all(inFlight);
  chatting = false;
  await chat;
  await codeRun;
  inFlight = [];
  // Fill up to exactly TOTAL_SEQ messages, then end (the end is one more).
  while (seen() < TOTAL_SEQ) {
    clientSeq++;
    await hostRoom.request({ v: 1, action: 'publishState', clientSeq, patches: [{ type: 'tile.state', tileId: 'a', set: { n: clientSeq } }] }, 'ack', 30_000);
  }
  const lastSeq = seen();
  // Every viewer has every sequenced message (the ack waited for the fan-out; chat may still be in flight).
  const reached = (v: RoomClient) => Math.max(...v.of('patch').map((m) => m.seq), ...v.of('chat').map((m) => m.seq)) >= lastSeq;
  for (let i = 0; i < 600 && !(reached(viewer.client) && reached(lateViewer.client)); i++) await new Promise((r) => setTimeout(r, 50));
  await hostRoom.request({ v: 1, action: 'end' }, 'ended', 30_000);

  // The whole log through the public API, page by page.
  for (let after = 0; ; ) {
    const page = replayLogPageSchema.parse((await getJson(`/sessions/${sessionId}/replay/log?after=${after}&limit=500`)).body);
    log.push(...(page.entries as ReplayEntry[]));
    if (page.next === null) break;
    after = page.next;
  }
}, 900_000);

afterAll(async () => {
  await Promise.all([hostRoom, viewer?.client, lateViewer?.client].map((c) => c?.close()));
  await env?.stop();
});

describe('a 5,000-message session', () => {
  it('is logged whole, in seq order, ending with the end', () => {
    expect(log.length).toBeGreaterThanOrEqual(TOTAL_SEQ + 1);
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
    expect(log.at(-1)?.kind).toBe('ended');
    // What the live viewer received is what the log holds.
    const patchSeqs = log.filter((e) => e.kind === 'patch').map((e) => e.seq);
    expect(viewer.client.of('patch').map((m) => m.seq).sort((a, b) => a - b)).toEqual(patchSeqs);
  });

  it('seeks to 20 random times: each replayed canvas is the one live viewers had at that seq', async () => {
    const manifest = replayManifestSchema.parse((await getJson(`/sessions/${sessionId}/replay`)).body);
    expect(manifest.status).toBe('ended');
    expect(manifest.lastSeq).toBe(log.length);
    expect(manifest.markersComplete).toBe(true);
    // Deterministic randomness: a failure can be reproduced.
    let seed = 15;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const first = log[0]!.at;
    const last = log.at(-1)!.at;
    const times = Array.from({ length: 20 }, () => Math.floor(first + random() * (last - first)));
    const reads: number[] = [];
    const reader = createReplayReader({ baseUrl: env.stack.httpApiUrl }, sessionId);
    for (const time of times) {
      const before = dynamoReads();
      const seek = await reader.seek(time);
      reads.push(dynamoReads() - before);
      const replayed = await replayStateAt(reader, time);
      const seq = seqAtTime(time);
      expect(replayed.seq, `the replay at ${time} stops at the last message before it`).toBe(seq);
      expect(replayed.seq - (seek.checkpoint?.seq ?? 0), 'a seek applies at most one checkpoint interval of log').toBeLessThanOrEqual(CHECKPOINT_POLICY.everyMessages);
      for (const live of [viewer, lateViewer]) {
        const canvas = liveCanvasAt(live, seq);
        if (canvas) expect(canvasOf(replayed.canvas), `canvas at seq ${seq} (t=${time})`).toEqual(canvasOf(canvas));
      }
    }
    // One read of the session (access), one checkpoint Query, one range Query (writes meanwhile are the room's disconnects).
    expect(reads).toEqual(times.map(() => 3));
  });

  it('replays the code run with its logged output, never running it again', async () => {
    const result = log.find((e) => e.kind === 'patch' && e.patches.some((p) => p.type === 'tile.state' && (p.set?.run as unknown as TileRun)?.status === 'ok'))!;
    const before = await stateAt(result.at - 1);
    const after = await stateAt(result.at);
    expect((before.canvas.tiles.py?.state.run as unknown as TileRun | undefined)?.status).not.toBe('ok');
    expect(after.canvas.tiles.py?.state.run).toMatchObject({ status: 'ok', stdout: 'replayed\n' });
    const manifest = replayManifestSchema.parse((await getJson(`/sessions/${sessionId}/replay`)).body);
    expect(manifest.markers.filter((m) => m.kind === 'code')).toEqual([expect.objectContaining({ detail: 'python', status: 'ok', seq: result.seq })]);
  });

  it("gives the host insights that match what happened, and only the host", async () => {
    const { status, body } = await getJson(`/sessions/${sessionId}/insights`, { headers: { authorization: `Bearer ${host.accessToken}` } });
    expect(status).toBe(200);
    const insights = sessionInsightsSchema.parse(body);
    expect(insights.viewers.joins).toBe(did.joins);
    expect(insights.viewers.peak).toBe(2);
    // Every chat the server took was logged and counted.
    expect(insights.chat.total).toBe(did.chats);
    expect(refusedChats.length, refusedChats.join('\n')).toBeLessThan(did.chats / 10);
    expect(log.filter((e) => e.kind === 'chat')).toHaveLength(did.chats);
    expect(insights.chat.total).toBeGreaterThan(0);
    expect(insights.chat.overTime.reduce((sum, [, n]) => sum + n, 0)).toBe(insights.chat.total);
    expect(insights.reactions.total).toBe(did.reactions);
    expect(insights.reactions.byEmoji).toEqual(did.reactions ? { '👏': did.reactions } : {});
    expect(insights.codeRuns).toEqual({ total: did.runs, byLanguage: { python: did.runs } });
    expect(insights.tilesAdded).toBe(4);
    expect(insights.viewers.viewerMinutes).toBeGreaterThan(0);
    expect(insights.viewers.average).toBeGreaterThan(0);
    expect(insights.viewers.average).toBeLessThanOrEqual(2);
    expect(insights.liveMs).toBeGreaterThan(0);
    expect(insights.incomplete).toEqual([]);

    const other = await env.createUser('someone-else@example.com');
    expect((await getJson(`/sessions/${sessionId}/insights`, { headers: { authorization: `Bearer ${other.accessToken}` } })).status).toBe(403);
    expect((await getJson(`/sessions/${sessionId}/insights`)).status).toBe(401);
  });
});

describe('bad input', () => {
  it('answers seeks outside the replay, tampered ranges and huge pages with precise errors', async () => {
    const start = log[0]!.at;
    const cases: Array<[string, number, RegExp]> = [
      [`/replay/seek?at=${start - 24 * 3600_000}`, 400, /before this replay starts/],
      [`/replay/seek?at=${log.at(-1)!.at + 60_000}`, 400, /after this replay ends/],
      ['/replay/seek?at=yesterday', 400, /at/],
      ['/replay/seek', 400, /at/],
      [`/replay/seek?at=${start}&limit=100000`, 400, /limit/],
      ['/replay/log?after=-1', 400, /after/],
      ['/replay/log?after=1.5', 400, /after/],
      ['/replay/log?after=0&limit=0', 400, /limit/],
      ['/replay/log?after=0&extra=1', 400, /extra|Unrecognized/i],
      [`/replay/reactions?from=${start}&to=${start + 3600_000}`, 400, /window/],
      [`/replay/reactions?from=${start}&to=${start - 1}`, 400, /before/],
    ];
    for (const [path, status, message] of cases) {
      const { status: got, body } = await getJson(`/sessions/${sessionId}${path}`);
      expect(got, path).toBe(status);
      expect(JSON.stringify(body), path).toMatch(message);
    }
    // Past the end of the log: an empty page, not an unbounded read.
    const past = replayLogPageSchema.parse((await getJson(`/sessions/${sessionId}/replay/log?after=999999999`)).body);
    expect(past).toEqual({ entries: [], next: null });
  });

  it('knows no replay of a session that does not exist', async () => {
    expect((await getJson(`/sessions/00000000-0000-4000-8000-000000000000/replay`)).status).toBe(404);
    expect((await getJson(`/sessions/not-a-uuid/replay`)).status).toBe(400);
  });
});

describe('a live session', () => {
  it("opens its replay to its viewers and host only, and writes checkpoints while it runs", async () => {
    const live = await createSession(env.stack, host.accessToken, 'Live replay');
    const room = await RoomClient.connect(env.stack.webSocketUrl, { sessionId: live, token: host.accessToken });
    const watcher = await RoomClient.connect(env.stack.webSocketUrl, { sessionId: live });
    const { connectionId } = await watcher.request({ v: 1, action: 'sync' }, 'snapshot');
    await room.request({ v: 1, action: 'publishState', clientSeq: 0, patches: [{ type: 'tile.add', tileId: 't', kind: 'clock', frame: { x: 0, y: 0, w: 300, h: 200, z: 1 }, state: { n: 0 } }] }, 'ack');
    for (let n = 1; n <= CHECKPOINT_POLICY.everyMessages + 5; n++) {
      await room.request({ v: 1, action: 'publishState', clientSeq: n, patches: [{ type: 'tile.state', tileId: 't', set: { n } }] }, 'ack');
    }
    expect((await getJson(`/sessions/${live}/replay`)).status).toBe(403);
    expect(JSON.stringify((await getJson(`/sessions/${live}/replay?connectionId=not-a-connection`)).body)).toMatch(/not \(or no longer\) one of this session/);
    // Another session's connection does not open this one.
    const elsewhere = await RoomClient.connect(env.stack.webSocketUrl, { sessionId: await createSession(env.stack, host.accessToken, 'Elsewhere') });
    const foreign = (await elsewhere.request({ v: 1, action: 'sync' }, 'snapshot')).connectionId;
    expect((await getJson(`/sessions/${live}/replay?connectionId=${encodeURIComponent(foreign)}`)).status).toBe(403);
    await elsewhere.close();

    const manifest = replayManifestSchema.parse((await getJson(`/sessions/${live}/replay?connectionId=${encodeURIComponent(connectionId)}`)).body);
    expect(manifest.status).toBe('active');
    expect(manifest.lastSeq).toBe(CHECKPOINT_POLICY.everyMessages + 6);
    // The checkpoint at seq 100 is there: a seek to now reads it and the few messages after it.
    const seek = replaySeekSchema.parse((await getJson(`/sessions/${live}/replay/seek?at=${manifest.endAt}&connectionId=${encodeURIComponent(connectionId)}`)).body);
    expect(seek.checkpoint?.seq).toBe(CHECKPOINT_POLICY.everyMessages);
    const { state } = advanceTo(seek.checkpoint!, seek.entries as ReplayEntry[], manifest.endAt);
    expect(state.canvas.tiles.t?.state).toEqual({ n: CHECKPOINT_POLICY.everyMessages + 5 });

    expect((await getJson(`/sessions/${live}/replay`, { method: 'DELETE', headers: { authorization: `Bearer ${host.accessToken}` } })).status).toBe(409);
    await Promise.all([room.close(), watcher.close()]);
  });
});

describe('sessions logged before checkpoints existed', () => {
  it('replay from the beginning, and get their checkpoints on first open', async () => {
    const old = await createSession(env.stack, host.accessToken, 'Old session');
    const room = await RoomClient.connect(env.stack.webSocketUrl, { sessionId: old, token: host.accessToken });
    await room.request({ v: 1, action: 'publishState', clientSeq: 0, patches: [{ type: 'tile.add', tileId: 't', kind: 'clock', frame: { x: 0, y: 0, w: 300, h: 200, z: 1 }, state: { n: 0 } }] }, 'ack');
    for (let n = 1; n <= 250; n++) await room.request({ v: 1, action: 'publishState', clientSeq: n, patches: [{ type: 'tile.state', tileId: 't', set: { n } }] }, 'ack');
    await room.request({ v: 1, action: 'end' }, 'ended');
    await room.close();
    // Remove every replay item (negative sort keys): the log alone remains, as before this feature.
    const table = process.env[sessionStatesTable.envVar]!;
    const { Items = [] } = await documentClient().send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'sessionId = :s AND #t < :zero', ExpressionAttributeNames: { '#t': 'timestamp' }, ExpressionAttributeValues: { ':s': old, ':zero': 0 } }),
    );
    expect(Items.length).toBeGreaterThan(0);
    for (const item of Items) await documentClient().send(new DeleteCommand({ TableName: table, Key: { sessionId: old, timestamp: item.timestamp } }));

    const end = replayManifestSchema.parse((await getJson(`/sessions/${old}/replay`)).body).endAt;
    // The manifest folded the log and stored checkpoints again: a seek to the end starts from the last one.
    const seek = replaySeekSchema.parse((await getJson(`/sessions/${old}/replay/seek?at=${end}`)).body) as ReplaySeek;
    expect(seek.checkpoint?.seq).toBe(252);
    const { state } = advanceTo(seek.checkpoint!, seek.entries, end);
    expect(state.canvas.tiles.t?.state).toEqual({ n: 250 });
  });
});

describe('a checkpoint larger than an item', () => {
  it('goes to the files bucket with a reference, replays whole, and is deleted with the replay', async () => {
    const big = await createSession(env.stack, host.accessToken, 'Big whiteboard');
    const room = await RoomClient.connect(env.stack.webSocketUrl, { sessionId: big, token: host.accessToken });
    await room.request({ v: 1, action: 'publishState', clientSeq: 0, patches: [{ type: 'tile.add', tileId: 'w', kind: 'clock', frame: { x: 0, y: 0, w: 300, h: 200, z: 1 }, state: { n: 0 } }] }, 'ack');
    await room.request({ v: 1, action: 'end' }, 'ended');
    await room.close();
    const { endAt } = replayManifestSchema.parse((await getJson(`/sessions/${big}/replay`)).body);

    // What a tile kind keeps outside the canvas (a whiteboard's elements) can make a checkpoint
    // larger than an item: replace the final one with such a state, as the recorder would store it.
    const table = process.env[sessionStatesTable.envVar]!;
    const files = objectStore(s3Client(), process.env[FILES_BUCKET_ENV]!);
    const store = replayStoreAccess(documentClient(), table, () => files);
    const final = (await store.checkpointAtOrBefore(big, endAt))!;
    const elements = randomBytes(450_000).toString('base64');
    await store.putCheckpoint(big, final.label, { ...final.state, attachments: { w: elements } });
    const { Item } = await documentClient().send(new GetCommand({ TableName: table, Key: { sessionId: big, timestamp: checkpointKey(final.label) } }));
    expect(Item?.body).toBeUndefined();
    expect(Item?.ref).toEqual(expect.stringContaining(big));
    expect((await files.head(Item!.ref as string))?.size).toBeGreaterThan(MAX_INLINE_CHECKPOINT_BYTES);

    const seek = replaySeekSchema.parse((await getJson(`/sessions/${big}/replay/seek?at=${endAt}`)).body);
    expect(seek.checkpoint?.seq).toBe(final.state.seq);
    expect(seek.checkpoint?.attachments).toEqual({ w: elements });

    expect((await getJson(`/sessions/${big}/replay`, { method: 'DELETE', headers: { authorization: `Bearer ${host.accessToken}` } })).status).toBe(200);
    expect(await files.head(Item!.ref as string)).toBeUndefined();
  });
});

describe('deleting a replay', () => {
  it('is the host’s alone, removes every item, and leaves a clear answer', async () => {
    const other = await env.createUser('not-the-host@example.com');
    const del = (token: string) => getJson(`/sessions/${sessionId}/replay`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect((await del(other.accessToken)).status).toBe(403);
    let answer = await del(host.accessToken);
    // More than one request's worth of items (5,000 messages): the host's client calls again until it is done.
    if (log.length > 2000) expect(answer).toEqual({ status: 202, body: { status: 'deleting' } });
    while (answer.status === 202) answer = await del(host.accessToken);
    expect(answer).toEqual({ status: 200, body: { status: 'deleted' } });
    const { Items = [] } = await documentClient().send(
      new QueryCommand({ TableName: process.env[sessionStatesTable.envVar]!, KeyConditionExpression: 'sessionId = :s', ExpressionAttributeValues: { ':s': sessionId } }),
    );
    expect(Items).toEqual([]);
    const { status, body } = await getJson(`/sessions/${sessionId}/replay`);
    expect(status).toBe(404);
    expect(JSON.stringify(body)).toMatch(/deleted this session's replay/);
    const session = (await getJson(`/sessions/${sessionId}`)).body;
    expect(session.replayDeletedAt).toEqual(expect.any(String));
  });
});

// ---------------------------------------------------------------- helpers

/** DynamoDB reads so far. */
function dynamoReads(): number {
  const counts = env.stack.dynamoRequestCounts();
  return (counts.GetItem ?? 0) + (counts.Query ?? 0) + (counts.BatchGetItem ?? 0) + (counts.Scan ?? 0);
}

/** The last seq whose time (the largest `at` so far) is at or before `time`, from the whole log. */
function seqAtTime(time: number): number {
  let clock = 0;
  let seq = 0;
  for (const entry of log) {
    clock = Math.max(clock, entry.at);
    if (clock > time) break;
    seq = entry.seq;
  }
  return seq;
}

/** What the player does: the checkpoint, then the log after it up to `time`, reading on while needed. */
function stateAt(time: number) {
  return replayStateAt(createReplayReader({ baseUrl: env.stack.httpApiUrl }, sessionId), time);
}
