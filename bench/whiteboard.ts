import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { WebSocketServer } from 'ws';
import { orderByIndex, type BoardElement } from '../src/protocol/board.js';
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
 * stroke-to-render time, beside the same page fed by a bare relay; (c) a late joiner's load of a
 * 2,000-element board (protocol, and in a browser to the board drawn, beside the same page
 * drawing the same elements from memory on an empty board); (d) bytes on the wire while the
 * host draws freehand; (e) the whiteboard chunks' gzip size and the viewer route's initial JS. `env` must serve the freshly built dist/ (bench/run.ts builds it).
 */
export interface WhiteboardBenchResult {
  strokeToViewer: Array<{ viewers: number; latencyMs: Percentiles; floorMs: Percentiles; ratio: { p50: number; p95: number } }>;
  /** Host batch -> drawn in a browser viewer, with `viewers - 1` more protocol viewers in the room; floor: a bare relay into the same page. */
  strokeToRender: Array<{ viewers: number; runs: number; latencyMs: Percentiles; floorMs: Percentiles; ratio: { p50: number; p95: number } }>;
  join2000: {
    protocolMs: Percentiles;
    browserMs: Percentiles & { runs: number };
    /** The same page on an empty board (navigation -> tile ready), then drawing the same elements from memory in one scene update. */
    floor: { emptyTileMs: Percentiles; drawnMs: Percentiles };
    ratio: { p50: number; p95: number };
    parts: number;
    boardKB: number;
  };
  freehand: { seconds: number; hostBytesPerSecond: number; viewerBytesPerSecond: number; messagesPerSecond: number };
  chunk: { gzipKB: number; files: string[]; viewerInitialGzipKB: number; viewerBudgetKB: number };
}

/** The viewer route's initial JS budget (bench/viewer.ts and tests/unit/web/bundle-boundaries.test.ts hold it too). */
const VIEWER_BUDGET_KB = 150;

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
    const render: WhiteboardBenchResult['strokeToRender'] = [];
    for (const viewers of [1, 50]) render.push(await strokeToRender(env, user.accessToken, browser, viewers));
    const join2000 = await joinBoard(env, user.accessToken, browser);
    const freehand = await drawFreehand(env, user.accessToken);
    return { strokeToViewer, strokeToRender: render, join2000, freehand, chunk: await chunkSize() };
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
  const relay = await startBareRelay();
  const host = await RoomClient.connect(relay.url, {});
  const audience = await Promise.all(Array.from({ length: viewers }, () => RoomClient.connect(relay.url, {})));
  try {
    return await strokeRound(host, audience, strokes);
  } finally {
    await Promise.all([host, ...audience].map((c) => c.close()));
    await relay.close();
  }
}

/** A bare `ws` server that relays each board batch to every other socket as a `board` message and acks the sender. */
async function startBareRelay() {
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
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/prod`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
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

/** In a viewer page: resolves at the first frame after the element `id` at `version` (or later) is in its Excalidraw scene. */
const drawnInPage = (id: string, version: number) =>
  // A string, so the bundler's helpers never reach the page.
  `new Promise((resolve) => {
    const board = document.querySelector('.whiteboard__board');
    const check = () => board.excalidrawAPI?.getSceneElements().some((e) => e.id === ${JSON.stringify(id)} && e.version >= ${version})
      ? requestAnimationFrame(() => resolve())
      : requestAnimationFrame(check);
    check();
  })`;

/**
 * Host batch -> the element at that version is in a browser viewer's Excalidraw scene (then
 * painted at the next frame), with `viewers - 1` protocol viewers in the room as well. The
 * floor, sample for sample in turn: the same batch through a bare relay to a socket the same
 * page opens, put into the same Excalidraw with one updateScene.
 */
async function strokeToRender(env: TestStack, token: string, browser: import('@playwright/test').Browser, viewers: number, runs = 30) {
  const { sessionId, host, url } = await liveBoard(env, token, browser, `Board render bench ${viewers}`);
  const others = await Promise.all(Array.from({ length: viewers - 1 }, () => RoomClient.connect(env.stack.webSocketUrl, { sessionId })));
  const relay = await startBareRelay();
  const relayHost = await RoomClient.connect(relay.url, {});
  const relayOthers = await Promise.all(Array.from({ length: viewers - 1 }, () => RoomClient.connect(relay.url, {})));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.waitForSelector('.whiteboard[data-loaded="true"]', { timeout: 120_000 });
  await page.waitForFunction(`!!document.querySelector('.whiteboard__board')?.excalidrawAPI`, undefined, { timeout: 60_000 });
  await page.evaluate(`new Promise((resolve, reject) => {
    const socket = new WebSocket(${JSON.stringify(relay.url)});
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type !== 'board') return;
      const api = document.querySelector('.whiteboard__board').excalidrawAPI;
      const ids = new Set(message.elements.map((e) => e.id));
      api.updateScene({ elements: [...api.getSceneElementsIncludingDeleted().filter((e) => !ids.has(e.id)), ...message.elements] });
    };
    socket.onopen = resolve;
    socket.onerror = reject;
  })`);
  const sample = async (client: RoomClient, id: string, clientSeq: number, version: number, i: number) => {
    const drawn = page.evaluate(drawnInPage(id, version));
    const started = performance.now();
    client.send({ v: 1, action: 'boardUpdate', boardId: BOARD, clientSeq, elements: [freedraw(id, 20 + i * 5, { version, index: id === 'stroke' ? 'a1' : 'a2' })] });
    await drawn;
    const elapsed = performance.now() - started;
    await client.waitFor('boardAck', (m) => m.clientSeq === clientSeq, 30_000);
    return elapsed;
  };
  const latency: number[] = [];
  const floor: number[] = [];
  for (let i = 1; i <= runs; i++) {
    latency.push(await sample(host, 'stroke', 100 + i, i + 1, i));
    floor.push(await sample(relayHost, 'floor-stroke', 100 + i, i + 1, i));
  }
  await page.close();
  await Promise.all([host, relayHost, ...others, ...relayOthers].map((c) => c.close()));
  await relay.close();
  const latencyMs = percentiles(latency);
  const floorMs = percentiles(floor);
  return { viewers, runs, latencyMs, floorMs, ratio: { p50: round(latencyMs.p50 / floorMs.p50), p95: round(latencyMs.p95 / floorMs.p95) } };
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
    const got = new Set(joiner.of('boardSnapshot').flatMap((m) => m.elements.map((e) => e.id))).size;
    if (got !== elements.length) throw new Error(`A joiner got ${got} of the board's ${elements.length} elements: the board was not stored whole.`);
    await joiner.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // The floor: a live session with an empty board, the same elements drawn from memory once its tile is ready.
  const empty = await liveBoard(env, token, browser, 'Board join floor');
  const inPageBoard = `window.benchBoard = ${JSON.stringify(orderByIndex(elements))};`;
  const inBrowser: number[] = [];
  const emptyTile: number[] = [];
  const drawn: number[] = [];
  const boardCount = (count: number) => `(document.querySelector('.whiteboard__board')?.excalidrawAPI?.getSceneElements().length ?? 0) >= ${count}`;
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${env.stack.webUrl}/watch/${sessionId}`);
    await page.waitForFunction(boardCount(elements.length), undefined, { timeout: 120_000, polling: 'raf' });
    inBrowser.push(performance.now() - started);
    await context.close();

    const floorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await floorContext.addInitScript({ content: inPageBoard });
    const floorPage = await floorContext.newPage();
    const floorStarted = performance.now();
    await floorPage.goto(empty.url);
    await floorPage.waitForFunction(`!!document.querySelector('.whiteboard[data-loaded="true"] .whiteboard__board')?.excalidrawAPI`, undefined, {
      timeout: 120_000,
      polling: 'raf',
    });
    emptyTile.push(performance.now() - floorStarted);
    await floorPage.evaluate(`document.querySelector('.whiteboard__board').excalidrawAPI.updateScene({ elements: window.benchBoard })`);
    await floorPage.waitForFunction(boardCount(elements.length), undefined, { timeout: 120_000, polling: 'raf' });
    drawn.push(performance.now() - floorStarted);
    await floorContext.close();
  }
  await Promise.all([host.close(), empty.host.close()]);
  const boardKB = round(elements.reduce((total, e) => total + JSON.stringify(e).length, 0) / 1024);
  const browserMs = percentiles(inBrowser);
  const drawnMs = percentiles(drawn);
  return {
    protocolMs: percentiles(protocol),
    browserMs: { ...browserMs, runs },
    floor: { emptyTileMs: percentiles(emptyTile), drawnMs },
    ratio: { p50: round(browserMs.p50 / drawnMs.p50), p95: round(browserMs.p95 / drawnMs.p95) },
    parts,
    boardKB,
  };
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

/** What a viewer downloads when the first whiteboard appears: the tile view's lazy chunk, the board view's (Excalidraw), and what they import beyond the initial JS. */
async function chunkSize() {
  const chunks = await buildInMemory();
  const viewer = viewerBundleOf(chunks);
  const initial = new Set(viewer.chunks.map((c) => c.fileName));
  const lazy = new Map<string, (typeof chunks)[number]>();
  for (const source of ['src/tiles/whiteboard/WhiteboardView.tsx', 'src/tiles/whiteboard/BoardView.tsx']) {
    const chunk = chunks.find((c) => c.facadeModuleId?.endsWith(source));
    if (!chunk) throw new Error(`No chunk for ${source}.`);
    for (const c of staticClosure(chunks, chunk)) if (!initial.has(c.fileName)) lazy.set(c.fileName, c);
  }
  return {
    gzipKB: round([...lazy.values()].reduce((total, chunk) => total + gzipSync(chunk.code, { level: 9 }).length, 0) / 1024),
    files: [...lazy.keys()],
    viewerInitialGzipKB: round(viewer.gzipBytes / 1024),
    viewerBudgetKB: VIEWER_BUDGET_KB,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
