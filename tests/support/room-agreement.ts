import { expect } from 'vitest';
import { sessionStatesTableAccess } from '../../amplify/data/session-states-table.js';
import { documentClient } from '../../amplify/data/document-client.js';
import { sessionStatesTable } from '../../amplify/data/table-definitions.js';
import { applyPatches, emptySnapshot, type CanvasSnapshot } from '../../src/protocol/realtime.js';
import { RoomClient } from './room-client.js';

/**
 * Checks that a session agrees with itself after commits: every live viewer's canvas (its
 * first snapshot plus the patches it received, in seq order), a fresh snapshot, and the
 * replay log (every seq up to the head's, replayed from an empty canvas) are the same.
 * Needs the local stack's environment (startTestStack sets it).
 */
export async function expectRoomAgrees(sessionId: string, webSocketUrl: string, viewers: Array<{ client: RoomClient; first: CanvasSnapshot }>) {
  // A new viewer socket asks: sync is rate-limited per connection, and checks run back to back.
  const asker = await RoomClient.connect(webSocketUrl, { sessionId });
  const fresh = await asker.request({ v: 1, action: 'sync' }, 'snapshot', 15_000).then((m) => m.snapshot).finally(() => asker.close());
  for (const [index, viewer] of viewers.entries()) {
    // Every sequenced message up to the head's seq reaches this viewer (the ack waited for the fan-out).
    await until(() => sequencedUpTo(viewer.client, viewer.first) >= fresh.seq, `viewer ${index} to reach seq ${fresh.seq}`);
    expect(canvasOf(liveCanvas(viewer.client, viewer.first)), `viewer ${index} vs a fresh snapshot`).toEqual(canvasOf(fresh));
  }
  const log = await readWholeLog(sessionId);
  // No hole: each seq from 1 to the head's has its entry.
  expect(log.map((entry) => entry.seq)).toEqual(Array.from({ length: fresh.seq }, (_, i) => i + 1));
  let replayed = emptySnapshot;
  for (const entry of log) if (entry.kind === 'patch') replayed = applyPatches(replayed, entry.patches, entry.seq);
  expect(canvasOf(replayed), 'the log replayed vs a fresh snapshot').toEqual(canvasOf(fresh));
  return fresh;
}

/** A viewer's canvas: its first snapshot with the patches it received since, in seq order. */
export function liveCanvas(client: RoomClient, first: CanvasSnapshot): CanvasSnapshot {
  const patches = client
    .of('patch')
    .filter((m) => m.seq > first.seq)
    .sort((a, b) => a.seq - b.seq);
  return patches.reduce((canvas, m) => applyPatches(canvas, m.patches, m.seq), first);
}

function sequencedUpTo(client: RoomClient, first: CanvasSnapshot): number {
  return Math.max(first.seq, ...client.of('patch').map((m) => m.seq), ...client.of('chat').map((m) => m.seq));
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Tiles and flags as plain JSON, the way every client sees them. */
export function canvasOf(snapshot: CanvasSnapshot) {
  return JSON.parse(JSON.stringify({ tiles: snapshot.tiles, canvas: snapshot.canvas })) as Pick<CanvasSnapshot, 'tiles' | 'canvas'>;
}

/** The whole replay log, page by page (a Query returns at most 1 MB). */
async function readWholeLog(sessionId: string) {
  const states = sessionStatesTableAccess(documentClient(), process.env[sessionStatesTable.envVar]!);
  const log = [];
  for (;;) {
    const page = await states.readLog(sessionId, log.at(-1)?.seq ?? 0, 500);
    if (page.length === 0) return log;
    log.push(...page);
  }
}
