import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { WebSocketServer } from 'ws';
import type { BoardElement } from '../src/protocol/board.js';
import type { ServerMessage } from '../src/protocol/realtime.js';
import type { BoardClientMessage, RoomEvent } from '../src/realtime/room-connection.js';
import { BoardSession } from '../src/tiles/whiteboard/board-session.js';
import { packBatches } from '../src/tiles/whiteboard/board-sync.js';
import { board, freedraw } from '../tests/support/board-elements.js';
import { createSession, type TestStack } from '../tests/support/local-stack.js';
import { RoomClient } from '../tests/support/room-client.js';
import { buildInMemory, staticClosure, viewerBundleOf } from '../tests/support/viewer-bundle.js';
import { percentiles, type Percentiles } from './stats.js';

/**
 * The whiteboard: (a) host stroke batch -> every viewer has it, for 1 and 50 viewers, beside a
 * bare `ws` relay of the same frames to as many clients in the same run; (b) a browser viewer's
 * stroke-to-render time; (c) a late joiner's load of a 2,000-element board (protocol, and in a
 * browser to the board drawn); (d) bytes on the wire while the host draws freehand; (e) the
 * whiteboard chunk's gzip size. `env` must serve the freshly built dist/ (bench/run.ts builds it).
 */
export interface WhiteboardBenchResult {
  strokeToViewer: Array<{ viewers: number; latencyMs: Percentiles; floorMs: Percentiles; ratio: { p50: number; p95: number } }>;
  strokeToRenderMs: Percentiles & { runs: number };
  join2000: { protocolMs: Percentiles; browserMs: Percentiles & { runs: number }; parts: number; boardKB: number };
  freehand: { seconds: number; hostBytesPerSecond: number; viewerBytesPerSecond: number; messagesPerSecond: number };
  chunk: { gzipKB: number; files: string[] };
}

const BOARD = 'bench-board-0001';

export async function benchWhiteboard(env: TestStack, strokes = 40): Promise<WhiteboardBenchResult> {
  const user = await env.createUser('bench-board-host@example.com');
  const strokeToViewer: WhiteboardBenchResult['strokeToViewer'] = [];
  for (const viewers of [1, 50]) {
    const sessionId = await createSession(env.stack, user.accessToken, `Board bench ${viewers}`);
    const host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
    const audience = await Promise.all(Array.from({ length: viewers }, () => RoomClient.connect(env.stack.webSocketUrl, { sessionId })));
    const latency = await strokeRound(host, audience, strokes);
    await Promise.all([host, ...audience].map((c) => c.close()));
    const floor = await bareRelayFloor(viewers, strokes);
    const latencyMs = percentiles(latency);
    const floorMs = percentiles(floor);
    strokeToViewer.push({ viewers, latencyMs, floorMs, ratio: { p50: round(latencyMs.p50 / floorMs.p50), p95: round(latencyMs.p95 / floorMs.p95) } });
  }

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true });
  try {
    const render = await strokeToRender(env, user.accessToken, browser);
    const join2000 = await joinBoard(env, user.accessToken, browser);
    const freehand = await drawFreehand(env, user.accessToken);
    return { strokeToViewer, strokeToRenderMs: render, join2000, freehand, chunk: await chunkSize() };
  } finally {
    await browser.close();
  }
}

/** The host sends a growing stroke, one batch at a time; each sample is send -> the last viewer has it. */
async function strokeRound(host: RoomClient, audience: RoomClient[], strokes: number, boardId = BOARD): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 1; i <= strokes; i++) {
    const element = freedraw('stroke', 20 + i * 5, { version: i + 1 });
    const started = performance.now();
    const received = audience.map((v) => v.waitFor('board', (m) => m.elements[0]?.version === i + 1, 30_000).then(() => performance.now()));
    host.send({ v: 1, action: 'boardUpdate', boardId, clientSeq: i, elements: [element] });
    samples.push(Math.max(...(await Promise.all(received))) - started);
    await host.waitFor('boardAck', (m) => m.clientSeq === i, 30_000);
  }
  return samples;
}

/** The same frames through a bare `ws` server relaying each to every other socket, then acking. */
async function bareRelayFloor(viewers: number, strokes: number): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  let rev = 0;
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { clientSeq: number; boardId: string; elements: unknown[] };
      const relayed = JSON.stringify({ type: 'board', v: 1, boardId: message.boardId, rev: ++rev, elements: message.elements, at: Date.now() });
      for (const client of server.clients) if (client !== socket) client.send(relayed);
      socket.send(JSON.stringify({ type: 'boardAck', v: 1, boardId: message.boardId, clientSeq: message.clientSeq, rev }));
    });
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
  const host = await RoomClient.connect(url, {});
  const audience = await Promise.all(Array.from({ length: viewers }, () => RoomClient.connect(url, {})));
  try {
    return await strokeRound(host, audience, strokes);
  } finally {
    await Promise.all([host, ...audience].map((c) => c.close()));
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A live whiteboard session with a viewer page open on it, its board loaded. */
async function liveBoard(env: TestStack, token: string, browser: import('@playwright/test').Browser, title: string) {
  const sessionId = await createSession(env.stack, token, title);
  const host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token });
  await host.request(
    {
      v: 1,
      action: 'publishState',
      clientSeq: 1,
      patches: [
        { type: 'tile.add', tileId: 'board', kind: 'whiteboard', frame: { x: 0, y: 0, w: 1920, h: 1080, z: 1 }, state: { boardId: BOARD } },
        { type: 'canvas.set', set: { live: true } },
      ],
    },
    'ack',
  );
  return { sessionId, host, url: `${env.stack.webUrl}/watch/${sessionId}` };
}

/** Host batch -> the element at that version is in a browser viewer's Excalidraw scene (then painted at the next frame). */
async function strokeToRender(env: TestStack, token: string, browser: import('@playwright/test').Browser, runs = 30) {
  const { host, url } = await liveBoard(env, token, browser, 'Board render bench');
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.waitForSelector('.whiteboard[data-loaded="true"]', { timeout: 120_000 });
  const samples: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const version = i + 1;
    // A string, so the bundler's helpers never reach the page.
    const waiting = page.evaluate(`new Promise((resolve) => {
      const board = document.querySelector('.whiteboard__board');
      const check = () => board.excalidrawAPI?.getSceneElements().some((e) => e.id === 'stroke' && e.version >= ${version})
        ? requestAnimationFrame(() => resolve())
        : requestAnimationFrame(check);
      check();
    })`);
    const started = performance.now();
    host.send({ v: 1, action: 'boardUpdate', boardId: BOARD, clientSeq: 100 + i, elements: [freedraw('stroke', 20 + i * 5, { version })] });
    await waiting;
    samples.push(performance.now() - started);
    await host.waitFor('boardAck', (m) => m.clientSeq === 100 + i, 30_000);
  }
  await page.close();
  await host.close();
  return { ...percentiles(samples), runs };
}

/** A 2,000-element board: a joiner's load over the protocol, and a viewer page from navigation to the board drawn. */
async function joinBoard(env: TestStack, token: string, browser: import('@playwright/test').Browser, runs = 5) {
  const { sessionId, host } = await liveBoard(env, token, browser, 'Board join bench');
  const elements = board(2000);
  const { batches } = packBatches(elements);
  await Promise.all(
    batches.map((batch, i) => {
      host.send({ v: 1, action: 'boardUpdate', boardId: BOARD, clientSeq: 1000 + i, elements: batch });
      return host.waitFor('boardAck', (m) => m.clientSeq === 1000 + i, 300_000);
    }),
  );
  const protocol: number[] = [];
  let parts = 0;
  for (let i = 0; i < runs; i++) {
    const joiner = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
    const started = performance.now();
    joiner.send({ v: 1, action: 'boardLoad', boardId: BOARD });
    const first = await joiner.waitFor('boardSnapshot', () => true, 60_000);
    // The server sends the parts in order on one socket: the last one arrives last.
    await joiner.waitFor('boardSnapshot', (m) => m.part === first.parts, 60_000);
    protocol.push(performance.now() - started);
    parts = first.parts;
    await joiner.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const inBrowser: number[] = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${env.stack.webUrl}/watch/${sessionId}`);
    await page.waitForFunction(`(document.querySelector('.whiteboard__board')?.excalidrawAPI?.getSceneElements().length ?? 0) >= 2000`, undefined, {
      timeout: 120_000,
      polling: 'raf',
    });
    inBrowser.push(performance.now() - started);
    await context.close();
  }
  await host.close();
  const boardKB = round(elements.reduce((total, e) => total + JSON.stringify(e).length, 0) / 1024);
  return { protocolMs: percentiles(protocol), browserMs: { ...percentiles(inBrowser), runs }, parts, boardKB };
}

/**
 * The host's own sync (BoardSession, as in the browser) while a freehand stroke grows at 60
 * pointer events a second for `seconds`: bytes the host sends and one viewer receives.
 */
async function drawFreehand(env: TestStack, token: string, seconds = 5) {
  const sessionId = await createSession(env.stack, token, 'Freehand bench');
  const hostClient = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token });
  const viewer = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  let hostBytes = 0;
  let messages = 0;
  let viewerBytes = 0;
  viewer.socket.on('message', (data: Buffer) => (viewerBytes += data.length));
  const listeners = new Set<(event: RoomEvent) => void>();
  hostClient.socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    if (message.type.startsWith('board')) for (const listener of listeners) listener({ type: 'board', message: message as never });
  });
  const session = new BoardSession(BOARD, {
    status: 'open',
    subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    sendBoard: (message: BoardClientMessage) => {
      const text = JSON.stringify(message);
      if (message.action === 'boardUpdate') {
        hostBytes += Buffer.byteLength(text);
        messages++;
      }
      hostClient.sendRaw(text);
      return true;
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the board loads
  const events = seconds * 60;
  let stroke: BoardElement = freedraw('pen', 1);
  for (let i = 1; i <= events; i++) {
    stroke = freedraw('pen', i + 1, { version: i + 1, versionNonce: i });
    session.localChange([stroke]);
    await new Promise((resolve) => setTimeout(resolve, 1000 / 60));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  session.dispose();
  await Promise.all([hostClient.close(), viewer.close()]);
  return { seconds, hostBytesPerSecond: Math.round(hostBytes / seconds), viewerBytesPerSecond: Math.round(viewerBytes / seconds), messagesPerSecond: round(messages / seconds) };
}

/** What a viewer downloads when the first whiteboard appears: the view's lazy chunk and what it imports beyond the initial JS. */
async function chunkSize() {
  const chunks = await buildInMemory();
  const initial = new Set(viewerBundleOf(chunks).chunks.map((c) => c.fileName));
  const view = chunks.find((chunk) => chunk.facadeModuleId?.endsWith('src/tiles/whiteboard/WhiteboardView.tsx'));
  if (!view) throw new Error('No chunk for src/tiles/whiteboard/WhiteboardView.tsx.');
  const lazy = staticClosure(chunks, view).filter((chunk) => !initial.has(chunk.fileName));
  return { gzipKB: round(lazy.reduce((total, chunk) => total + gzipSync(chunk.code, { level: 9 }).length, 0) / 1024), files: lazy.map((c) => c.fileName) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
