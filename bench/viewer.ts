import { copyFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { FIRST_TILE_MARK } from '../src/viewer/first-tile-mark.js';
import { createSession, type TestStack } from '../tests/support/local-stack.js';
import { RoomClient } from '../tests/support/room-client.js';
import { measureViewerBundle } from '../tests/support/viewer-bundle.js';
import { percentiles, type Percentiles } from './stats.js';

/**
 * What a viewer waits for: (a) the gzip size of the viewer route's initial JavaScript, and
 * (b) join-to-first-render, from navigation start to the first tile painted, on the local
 * stack serving the built app, for a session that is live with a clock tile. Beside it, in
 * the same run, the floor: a minimal static page from the same server that opens a raw
 * WebSocket to the same gateway, sends `sync` and paints one element (bench/floor.html).
 */
export interface ViewerBenchResult {
  initialJs: { gzipKB: number; budgetKB: number; chunks: string[] };
  joinToFirstTileMs: {
    /** A new browser context each time: nothing cached. */
    cold: Percentiles & { runs: number };
    /** A reload in the same context: the app's files come from the HTTP cache. */
    warm: Percentiles & { runs: number };
  };
  floorMs: { cold: Percentiles & { runs: number }; warm: Percentiles & { runs: number } };
  /** App over floor, p50 and p95, cold and warm: the figures that count. */
  ratio: { cold: { p50: number; p95: number }; warm: { p50: number; p95: number } };
}

const BUDGET_KB = 150;

/** `env` must serve the freshly built dist/ (bench/run.ts builds it); the floor page is copied beside the app. */
export async function benchViewer(env: TestStack, runs = 10): Promise<ViewerBenchResult> {
  copyFileSync('bench/floor.html', 'dist/bench-floor.html');
  const bundle = await measureViewerBundle();
  const initialJs = {
    gzipKB: round(bundle.gzipBytes / 1024),
    budgetKB: BUDGET_KB,
    chunks: bundle.chunks.map((chunk) => chunk.fileName),
  };

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true });
  try {
    const user = await env.createUser('bench-viewer-host@example.com');
    const sessionId = await createSession(env.stack, user.accessToken, 'Viewer bench');
    const host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
    await host.request(
      {
        v: 1,
        action: 'publishState',
        clientSeq: 1,
        patches: [
          {
            type: 'tile.add',
            tileId: 'clock-bench',
            kind: 'clock',
            frame: { x: 80, y: 80, w: 480, h: 280, z: 1 },
            state: { mode: 'stopwatch', swStartedAt: Date.now(), swAccumulatedMs: 0 },
          },
          { type: 'canvas.set', set: { live: true } },
        ],
      },
      'ack',
    );
    const watchUrl = `${env.stack.webUrl}/watch/${sessionId}`;
    const floorUrl = `${env.stack.webUrl}/bench-floor.html?${new URLSearchParams({ ws: env.stack.webSocketUrl, sessionId })}`;

    const firstTile = async (page: import('@playwright/test').Page) => {
      await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_TILE_MARK, { timeout: 20_000 });
      return page.evaluate((mark) => performance.getEntriesByName(mark)[0]!.startTime, FIRST_TILE_MARK);
    };

    const measure = async (url: string, cold: number[], warm: number[]) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(url);
      cold.push(await firstTile(page));
      await page.reload();
      warm.push(await firstTile(page));
      await context.close();
    };
    const app = { cold: [] as number[], warm: [] as number[] };
    const floor = { cold: [] as number[], warm: [] as number[] };
    // Interleaved, so both see the same machine load; one unmeasured round warms the server.
    await measure(floorUrl, [], []);
    await measure(watchUrl, [], []);
    for (let i = 0; i < runs; i++) {
      await measure(floorUrl, floor.cold, floor.warm);
      await measure(watchUrl, app.cold, app.warm);
    }
    host.socket.close();
    const stats = (values: number[]) => ({ ...percentiles(values), runs });
    const result = {
      cold: stats(app.cold),
      warm: stats(app.warm),
      floorCold: stats(floor.cold),
      floorWarm: stats(floor.warm),
    };
    const ratio = (a: Percentiles, b: Percentiles) => ({ p50: round(a.p50 / b.p50), p95: round(a.p95 / b.p95) });
    return {
      initialJs,
      joinToFirstTileMs: { cold: result.cold, warm: result.warm },
      floorMs: { cold: result.floorCold, warm: result.floorWarm },
      ratio: { cold: ratio(result.cold, result.floorCold), warm: ratio(result.warm, result.floorWarm) },
    };
  } finally {
    await browser.close();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
