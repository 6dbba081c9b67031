import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../amplify/data/document-client.js';
import { checkpointRangeAtOrBefore, MAX_CHECKPOINT_LABEL, replayStoreAccess } from '../amplify/data/replay-store.js';
import { sessionStatesTableAccess, type LogEntry } from '../amplify/data/session-states-table.js';
import { sessionsTableAccess } from '../amplify/data/sessions-table.js';
import { sessionStatesTable, sessionsTable } from '../amplify/data/table-definitions.js';
import { FOLD_BUDGET, foldLog } from '../amplify/functions/shared/replay-recorder.js';
import { tileRunFromResult } from '../src/protocol/code.js';
import type { Patch } from '../src/protocol/realtime.js';
import { REPLAY_PAGE_DEFAULT, replayManifestSchema } from '../src/protocol/replay.js';
import { createReplayReader, replayStateAt } from '../src/replay/replay-api.js';
import { createSession, type TestStack } from '../tests/support/local-stack.js';
import { RoomClient } from '../tests/support/room-client.js';
import { percentiles, type Percentiles } from './stats.js';

/**
 * Replay on the local stack with the real handlers.
 * - Seek: in a synthesized 1-hour session (3 sequenced messages a second: code typing, tile
 *   moves, clock and slide changes, chat, a code run every 5 minutes), what the player does
 *   for a seek (one HTTP seek, more log pages only if needed, the fold to the target time),
 *   beside the floor: one bare DynamoDB Query of the same page size on the same log, same run.
 * - End to replay: a live session over the WebSocket API; from sending `end` until the
 *   replay's manifest and a seek to its last moment answer with the final canvas.
 */
export interface ReplayBenchResult {
  session: { durationMin: number; messages: number; messagesPerSecond: number; checkpoints: number; logBytes: number };
  seeks: number;
  seekMs: Percentiles;
  floorMs: Percentiles;
  /** seekMs / floorMs at p50 and p95. */
  ratio: { p50: number; p95: number };
  dynamoRequestsPerSeek: number;
  dynamoRequestsByOperation: Record<string, number>;
  dynamoResponseKBPerSeek: number;
  /** Sent `end` -> manifest and seek to the end answered (the replay is readable). */
  endToReplayMs: Percentiles;
  /** Floor of the above: one public GET of the session on the same HTTP API. */
  endToReplayFloorMs: Percentiles;
  /** endToReplayMs / endToReplayFloorMs at p50. */
  endToReplayRatio: number;
  /** Sent `end` -> the host's `ended` (the part of endToReplayMs the end itself takes). */
  endAckMs: Percentiles;
}

const HOUR = 3600_000;
const RATE_PER_SECOND = 3;
const SEEKS = 60;
const END_RUNS = 5;

export async function benchReplay(env: TestStack, seeks = SEEKS): Promise<ReplayBenchResult> {
  const user = await env.createUser('bench-replay@example.com');
  const { sessionId, log, start } = await synthesizeHourSession(user.userId);
  const reader = createReplayReader({ baseUrl: env.stack.httpApiUrl }, sessionId);
  // The first open, as any viewer's: the manifest (it finds the session folded to its end).
  replayManifestSchema.parse(await reader.manifest());
  const checkpoints = await countCheckpoints(sessionId);

  let seed = 15;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const times = Array.from({ length: seeks }, () => Math.floor(start + random() * HOUR));
  const countsBefore = env.stack.dynamoRequestCounts();
  const bytesBefore = env.stack.dynamoBodyBytes().response;
  const seekSamples: number[] = [];
  for (const time of times) {
    const began = performance.now();
    const state = await replayStateAt(reader, time);
    seekSamples.push(performance.now() - began);
    if (state.at > time) throw new Error(`seek to ${time} returned a state at ${state.at}`);
  }
  const countsAfter = env.stack.dynamoRequestCounts();
  const bytesAfter = env.stack.dynamoBodyBytes().response;
  const byOperation = Object.fromEntries(
    Object.entries(countsAfter)
      .map(([op, n]) => [op, round((n - (countsBefore[op] ?? 0)) / seeks)] as const)
      .filter(([, n]) => n > 0),
  );

  // The floor: the log page a seek reads, as one bare Query from this process.
  const client = documentClient();
  const table = process.env[sessionStatesTable.envVar]!;
  const floorSamples: number[] = [];
  for (const time of times) {
    // The log after the checkpoint at or before the time (every 100 messages here).
    const after = Math.floor(Math.max(0, log.findIndex((e) => e.at > time) - 1) / 100) * 100;
    const began = performance.now();
    await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'sessionId = :s AND #t > :after',
        ExpressionAttributeNames: { '#t': 'timestamp' },
        ExpressionAttributeValues: { ':s': sessionId, ':after': after },
        Limit: REPLAY_PAGE_DEFAULT,
      }),
    );
    floorSamples.push(performance.now() - began);
  }

  const ends = await endToReplay(env, user.accessToken);
  const seekMs = percentiles(seekSamples);
  const floorMs = percentiles(floorSamples);
  return {
    session: {
      durationMin: 60,
      messages: log.length,
      messagesPerSecond: RATE_PER_SECOND,
      checkpoints,
      logBytes: log.reduce((sum, e) => sum + JSON.stringify(e).length, 0),
    },
    seeks,
    seekMs,
    floorMs,
    ratio: { p50: round(seekMs.p50 / floorMs.p50), p95: round(seekMs.p95 / floorMs.p95) },
    dynamoRequestsPerSeek: round(Object.values(byOperation).reduce((a, b) => a + b, 0)),
    dynamoRequestsByOperation: byOperation,
    dynamoResponseKBPerSeek: round((bytesAfter - bytesBefore) / seeks / 1024),
    endToReplayMs: percentiles(ends.samples),
    endToReplayFloorMs: percentiles(ends.floor),
    endToReplayRatio: round(percentiles(ends.samples).p50 / percentiles(ends.floor).p50),
    endAckMs: percentiles(ends.acks),
  };
}

/**
 * An ended 1-hour session written straight into the tables, as the realtime handler logs it,
 * and folded (checkpoints, summary) the way the recorder does while the session runs.
 */
async function synthesizeHourSession(hostId: string): Promise<{ sessionId: string; log: LogEntry[]; start: number }> {
  const client = documentClient();
  const states = sessionStatesTableAccess(client, process.env[sessionStatesTable.envVar]!);
  const sessions = sessionsTableAccess(client, process.env[sessionsTable.envVar]!);
  const sessionId = randomUUID();
  // Started an hour and a minute ago: it ended a minute ago.
  const start = Date.now() - HOUR - 60_000;
  const log = synthesizeLog(start);
  await sessions.create({
    sessionId,
    hostId,
    title: 'Bench: one hour',
    status: 'ended',
    createdAt: new Date(start - 1000).toISOString(),
    updatedAt: new Date(start + HOUR).toISOString(),
    endedAt: new Date(start + HOUR).toISOString(),
  });
  for (let i = 0; i < log.length; i += 25) await Promise.all(log.slice(i, i + 25).map((entry) => states.appendLog(sessionId, entry)));
  const deps = {
    states,
    store: replayStoreAccess(client, process.env[sessionStatesTable.envVar]!, () => {
      throw new Error('The bench session has no checkpoint too large for an item.');
    }),
    now: () => Date.now(),
    log: (entry: Record<string, unknown>) => console.warn(entry),
  };
  // What the recorder did during the session, in its budgeted steps.
  while (!(await foldLog(deps, sessionId, { write: true, budget: FOLD_BUDGET })).complete);
  return { sessionId, log, start };
}

/** An hour at RATE_PER_SECOND: a host live-coding with slides and a clock, an audience chatting. */
function synthesizeLog(start: number): LogEntry[] {
  const frame = (i: number) => ({ x: (i % 4) * 420, y: Math.floor(i / 4) * 320, w: 400, h: 300, z: i });
  const opening: Patch[] = [
    { type: 'tile.add', tileId: 'clock', kind: 'clock', frame: frame(0), state: { mode: 'clock' } },
    { type: 'tile.add', tileId: 'code', kind: 'code', frame: frame(1), state: { language: 'python', source: '' } },
    { type: 'tile.add', tileId: 'slides', kind: 'slides', frame: frame(2), state: { page: 1 } },
    { type: 'canvas.set', set: { live: true } },
  ];
  const log: LogEntry[] = [{ kind: 'patch', seq: 1, at: start, patches: opening }];
  const line = (n: number) => `    total += values[${n % 40}] * ${n}  # step ${n}\n`;
  let source = 'def main(values):\n    total = 0\n';
  const count = (HOUR / 1000) * RATE_PER_SECOND;
  for (let seq = 2; seq <= count; seq++) {
    const at = start + Math.round(((seq - 1) / count) * HOUR);
    if (seq % 10 === 0) {
      log.push({ kind: 'chat', seq, at, message: { id: randomUUID(), name: `viewer ${seq % 37}`, text: `Question about step ${seq}: why that order?`, role: 'viewer', at } });
      continue;
    }
    let patches: Patch[];
    if (seq % 900 === 0) {
      const run = tileRunFromResult(
        { status: 'ok', exitCode: 0, stdout: `total ${seq}\n`.repeat(20), stderr: '', durationMs: 40, truncated: false },
        { runId: randomUUID(), language: 'python', startedAt: at - 400, finishedAt: at },
      );
      patches = [{ type: 'tile.state', tileId: 'code', set: { run: run as never } }];
    } else if (seq % 7 === 0) {
      patches = [{ type: 'tile.frame', tileId: ['clock', 'code', 'slides'][seq % 3]!, frame: { x: (seq * 7) % 1200, y: (seq * 13) % 700 } }];
    } else if (seq % 151 === 0) {
      patches = [{ type: 'tile.state', tileId: 'slides', set: { page: 1 + Math.floor(seq / 151) } }];
    } else {
      // Typing: the code tile sends its whole source, which grows to a few KB and is then rewritten.
      source = source.length > 4000 ? 'def main(values):\n    total = 0\n' : source + line(seq).slice(0, 1 + (seq % 30));
      patches = [{ type: 'tile.state', tileId: 'code', set: { source } }];
    }
    log.push({ kind: 'patch', seq, at, patches });
  }
  log.push({ kind: 'ended', seq: count + 1, at: start + HOUR });
  return log;
}

/** Checkpoints stored for the session: one COUNT Query over their key range. */
async function countCheckpoints(sessionId: string): Promise<number> {
  const { from, to } = checkpointRangeAtOrBefore(MAX_CHECKPOINT_LABEL);
  const { Count = 0 } = await documentClient().send(
    new QueryCommand({
      TableName: process.env[sessionStatesTable.envVar]!,
      KeyConditionExpression: 'sessionId = :s AND #t BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#t': 'timestamp' },
      ExpressionAttributeValues: { ':s': sessionId, ':from': from, ':to': to },
      Select: 'COUNT',
    }),
  );
  return Count;
}

/** `end` over the WebSocket, then the manifest and a seek to the end, as a viewer opening the link. */
async function endToReplay(env: TestStack, token: string): Promise<{ samples: number[]; floor: number[]; acks: number[] }> {
  const samples: number[] = [];
  const floor: number[] = [];
  const acks: number[] = [];
  for (let run = 0; run < END_RUNS; run++) {
    const sessionId = await createSession(env.stack, token, `Bench end ${run}`);
    const host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token });
    await host.request(
      { v: 1, action: 'publishState', clientSeq: 0, patches: [{ type: 'tile.add', tileId: 't', kind: 'clock', frame: { x: 0, y: 0, w: 300, h: 200, z: 1 }, state: { n: 0 } }] },
      'ack',
    );
    // A tail after the last checkpoint (every 100 messages), so the end has work to do.
    for (let n = 1; n <= 150; n++) await host.request({ v: 1, action: 'publishState', clientSeq: n, patches: [{ type: 'tile.state', tileId: 't', set: { n } }] }, 'ack');
    const reader = createReplayReader({ baseUrl: env.stack.httpApiUrl }, sessionId);
    const began = performance.now();
    const ended = host.request({ v: 1, action: 'end' }, 'ended', 30_000).then(() => acks.push(performance.now() - began));
    // A viewer asking at once: refused while the session is still live, then the replay.
    for (;;) {
      const manifest = await reader.manifest().catch(() => undefined);
      if (manifest?.status === 'ended') {
        const state = await replayStateAt(reader, manifest.endAt);
        if ((state.canvas.tiles.t?.state as { n?: number } | undefined)?.n !== 150) throw new Error('the replay’s end lacks the last message');
        break;
      }
    }
    samples.push(performance.now() - began);
    await ended;
    await host.close();
    const floorBegan = performance.now();
    const response = await fetch(`${env.stack.httpApiUrl}/sessions/${sessionId}`);
    await response.json();
    floor.push(performance.now() - floorBegan);
  }
  return { samples, floor, acks };
}

/** The section's lines for `npm run bench`. */
export function formatReplay(r: ReplayBenchResult): string {
  const ms = (p: Percentiles) => `${p.p50.toFixed(1).padStart(8)} ${p.p95.toFixed(1).padStart(8)} ${p.max.toFixed(1).padStart(8)}`;
  const { session: s } = r;
  return [
    `   a ${s.durationMin}-minute session: ${s.messages} messages (${s.messagesPerSecond}/s), ${(s.logBytes / 2 ** 20).toFixed(1)} MiB of log, ${s.checkpoints} checkpoints`,
    '                                         p50 ms   p95 ms   max ms',
    `   seek (HTTP seek + fold to the time)  ${ms(r.seekMs)}   (${r.seeks} random times)`,
    `   floor: one bare DynamoDB Query       ${ms(r.floorMs)}   (same page size, same log)`,
    `   ratio p50 / p95: ${r.ratio.p50} / ${r.ratio.p95}`,
    `   per seek: ${r.dynamoRequestsPerSeek} DynamoDB requests (${Object.entries(r.dynamoRequestsByOperation)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}), ${r.dynamoResponseKBPerSeek} KB read`,
    `   end -> replay readable               ${ms(r.endToReplayMs)}   (manifest + seek to the end)`,
    `   floor: one public GET of the session ${ms(r.endToReplayFloorMs)}   ratio p50: ${r.endToReplayRatio}`,
    `   of which end -> host hears ended     ${ms(r.endAckMs)}`,
  ].join('\n');
}

const round = (n: number) => Math.round(n * 100) / 100;
