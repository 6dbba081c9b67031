import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { convertToPdf } from '../amplify/converter/convert-document.js';
import { localConversionSandbox } from '../local/deck-converter.js';
import { SLIDE_SHOWN_EVENT_NAME } from '../src/tiles/slides/slide-shown.js';
import { FIRST_TILE_MARK } from '../src/viewer/first-tile-mark.js';
import { uploadDeck } from '../tests/support/deck-client.js';
import type { Patch } from '../src/protocol/realtime.js';
import { makePdf, makePptx } from '../tests/support/deck-files.js';
import { createSession, type TestStack } from '../tests/support/local-stack.js';
import { RoomClient } from '../tests/support/room-client.js';
import { percentiles, type Percentiles } from './stats.js';

/**
 * Slides, on the local stack serving the built app:
 * - conversion of a 20-slide PPTX, sandboxed (bubblewrap, as `npm start` runs it) beside plain
 *   `soffice` in the same run: the ratio is the sandbox's overhead;
 * - upload to ready through the real API (POST, PUT, convert, poll), PPTX and PDF;
 * - page flip: host publish -> the slide drawn on two viewer pages, beside a bare floor: the
 *   same patch reaching a plain WebSocket client;
 * - a joining viewer's time to its first drawn slide, beside its first tile on screen.
 */
export interface SlidesBenchResult {
  conversion: { slides: number; sandboxedMs: Percentiles; plainMs: Percentiles; overheadRatioP50: number; runs: number };
  uploadToReadyMs: { pptx20: Percentiles; pdf20: Percentiles; runs: number };
  pageFlipMs: { viewers: number; flips: number; latency: Percentiles; floor: Percentiles; ratio: { p50: number; p95: number } };
  joinToFirstSlideMs: { firstSlide: Percentiles; firstTile: Percentiles; ratioP50: number; runs: number };
}

export async function benchSlides(env: TestStack, options = { conversions: 3, uploads: 2, flips: 20, joins: 5 }): Promise<SlidesBenchResult> {
  const pptx = await makePptx(20);
  const conversion = await benchConversion(pptx, options.conversions);

  const user = await env.createUser(`bench-slides-${Date.now()}@example.com`);
  const pptxTimes: number[] = [];
  const pdfTimes: number[] = [];
  let deckId = '';
  for (let i = 0; i < options.uploads; i++) {
    for (const [name, bytes, times] of [
      ['bench.pptx', pptx, pptxTimes],
      ['bench.pdf', makePdf(20), pdfTimes],
    ] as const) {
      const started = performance.now();
      const { deck } = await uploadDeck(env.stack, user.accessToken, name, bytes);
      if (deck.status !== 'ready') throw new Error(`bench upload failed: ${deck.error}`);
      times.push(performance.now() - started);
      if (name === 'bench.pptx') deckId = deck.deckId;
    }
  }

  const sessionId = await createSession(env.stack, user.accessToken, 'Slides bench');
  const host = await RoomClient.connect(env.stack.webSocketUrl, { sessionId, token: user.accessToken });
  await host.request({ v: 1, action: 'sync' }, 'snapshot');
  let clientSeq = 0;
  const publish = (patches: Patch[]) => host.request({ v: 1, action: 'publishState', clientSeq: ++clientSeq, patches }, 'ack', 20_000);
  await publish([
    { type: 'tile.add', tileId: 'slides', kind: 'slides', frame: { x: 0, y: 0, w: 1920, h: 1080, z: 1 }, state: { deckId, pageCount: 20, page: 1, status: 'ready' } },
    { type: 'canvas.set', set: { live: true } },
  ]);
  const floorClient = await RoomClient.connect(env.stack.webSocketUrl, { sessionId });
  await floorClient.request({ v: 1, action: 'sync' }, 'snapshot');
  const watchUrl = `${env.stack.webUrl}/watch/${sessionId}`;

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true });
  try {
    // Joining: navigation start -> first slide drawn, beside navigation start -> first tile on screen.
    const firstSlide: number[] = [];
    const firstTile: number[] = [];
    for (let i = 0; i < options.joins; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await recordSlides(page);
      await page.goto(watchUrl);
      await page.waitForFunction(() => (window as unknown as { shownSlides: unknown[] }).shownSlides.length > 0, undefined, { timeout: 60_000 });
      await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_TILE_MARK, { timeout: 60_000 });
      const times = await page.evaluate((mark) => ({
        slide: (window as unknown as { shownSlides: Array<{ sinceNavigation: number }> }).shownSlides[0]!.sinceNavigation,
        tile: performance.getEntriesByName(mark)[0]!.startTime,
      }), FIRST_TILE_MARK);
      firstSlide.push(times.slide);
      firstTile.push(times.tile);
      await context.close();
    }

    // Flipping: two viewers, each flip to the next page (prefetched, as when presenting).
    const viewers: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      await recordSlides(page);
      await page.goto(watchUrl);
      await page.waitForFunction(() => (window as unknown as { shownSlides: unknown[] }).shownSlides.length > 0, undefined, { timeout: 60_000 });
      viewers.push(page);
    }
    const latency: number[] = [];
    const floor: number[] = [];
    for (let flip = 0; flip < options.flips; flip++) {
      const target = (flip % 19) + 2;
      // Let the viewers finish prefetching the neighbours, as between two slides of a talk.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const arrived = floorClient.waitFor('patch', () => true, 20_000, floorClient.received.length).then(() => Date.now());
      const sentAt = Date.now();
      await publish([{ type: 'tile.state', tileId: 'slides', set: { page: target } }]);
      floor.push((await arrived) - sentAt);
      for (const viewer of viewers) {
        const shownAt = await viewer.waitForFunction(
          ({ page, after }) => (window as unknown as { shownSlides: Array<{ page: number; at: number }> }).shownSlides.find((s) => s.page === page && s.at >= after)?.at,
          { page: target, after: sentAt },
          { timeout: 60_000 },
        );
        latency.push(((await shownAt.jsonValue()) ?? NaN) - sentAt);
      }
    }
    const latencyP = percentiles(latency);
    const floorP = percentiles(floor);
    const tileP = percentiles(firstTile);
    const slideP = percentiles(firstSlide);
    await host.close();
    await floorClient.close();
    return {
      conversion,
      uploadToReadyMs: { pptx20: percentiles(pptxTimes), pdf20: percentiles(pdfTimes), runs: options.uploads },
      pageFlipMs: {
        viewers: viewers.length,
        flips: options.flips,
        latency: latencyP,
        floor: floorP,
        ratio: { p50: round(latencyP.p50 / Math.max(floorP.p50, 0.1)), p95: round(latencyP.p95 / Math.max(floorP.p95, 0.1)) },
      },
      joinToFirstSlideMs: { firstSlide: slideP, firstTile: tileP, ratioP50: round(slideP.p50 / tileP.p50), runs: options.joins },
    };
  } finally {
    await browser.close();
  }
}

/** Records every slide the page draws: its page, the wall clock (comparable with this process's) and the time since navigation. */
async function recordSlides(page: Page) {
  await page.addInitScript((eventName) => {
    const shown: Array<{ page: number; at: number; sinceNavigation: number }> = [];
    (window as unknown as { shownSlides: typeof shown }).shownSlides = shown;
    window.addEventListener(eventName, (event) => {
      shown.push({ page: (event as CustomEvent<{ page: number }>).detail.page, at: Date.now(), sinceNavigation: performance.now() });
    });
  }, SLIDE_SHOWN_EVENT_NAME);
}

async function benchConversion(pptx: Uint8Array, runs: number) {
  const sandbox = localConversionSandbox();
  const sandboxed: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternating, so both see the same machine load.
    const result = await convertToPdf(sandbox, pptx, 'pptx', () => performance.now());
    if (result.status !== 'ok') throw new Error(`sandboxed conversion failed: ${result.message}`);
    sandboxed.push(result.durationMs);
    plain.push(await plainSoffice(pptx));
  }
  const sandboxedMs = percentiles(sandboxed);
  const plainMs = percentiles(plain);
  return { slides: 20, sandboxedMs, plainMs, overheadRatioP50: round(sandboxedMs.p50 / plainMs.p50), runs };
}

/** The anchor: LibreOffice straight on the machine, a fresh profile per run, as FINDINGS.md measured it. */
async function plainSoffice(pptx: Uint8Array): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'streamcanvas-soffice-'));
  try {
    await writeFile(join(dir, 'deck.pptx'), pptx);
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', dir, join(dir, 'deck.pptx')], {
        env: { ...process.env, HOME: dir },
        stdio: 'ignore',
      });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`soffice exited ${code}`))));
    });
    const elapsed = performance.now() - started;
    await readFile(join(dir, 'deck.pdf'));
    return elapsed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
