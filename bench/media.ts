import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRST_MEDIA_FRAME_MARK } from '../src/tiles/media/first-media-frame-mark.js';
import { createSession, type TestStack } from '../tests/support/local-stack.js';
import { writeTestVideo } from '../tests/support/test-video.js';
import { percentiles, type Percentiles } from './stats.js';

/**
 * Media in the browser, on the local stack serving the built app: a host publishes the fake
 * camera (a 320x180 generated clip) in a camera tile; N viewers open the session at once.
 *
 * - join to first video frame, per viewer: from its subscription to the first frame its
 *   video element shows (requestVideoFrameCallback), with 1, 5 and 25 viewers, over mesh and
 *   over the local SFU;
 * - the floor, same run: plain loopback WebRTC between pages with no app around it (one
 *   sending page, N receiving pages, descriptions passed directly), from creating the
 *   receiving connection to its first frame;
 * - the host's upload (the studio's own figure, from getStats) once every viewer has video.
 */
export interface MediaRow {
  provider: 'mesh' | 'sfu';
  viewers: number;
  joinToFirstFrameMs: Percentiles & { samples: number; failed: number };
  floorMs: Percentiles;
  ratio: { p50: number; p95: number };
  hostUploadKbps: number;
}

const VIEWER_COUNTS = [1, 5, 25];
/** `STREAMCANVAS_BENCH_MEDIA_VIEWERS=25` measures only those viewer counts. */
function viewerCounts(): number[] {
  const raw = process.env.STREAMCANVAS_BENCH_MEDIA_VIEWERS;
  if (!raw) return VIEWER_COUNTS;
  const counts = raw.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`STREAMCANVAS_BENCH_MEDIA_VIEWERS=${raw} is not a list of viewer counts. Use e.g. 1,5,25.`);
  return counts;
}
/** Rounds for one viewer, so its p95 means something. */
const SINGLE_VIEWER_ROUNDS = 5;

export async function benchMedia(env: TestStack): Promise<MediaRow[]> {
  const video = writeTestVideo(join(tmpdir(), 'streamcanvas-bench-camera.y4m'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection',
      `--use-file-for-fake-video-capture=${video}`,
      // Many pages in one browser: hidden ones must keep decoding.
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows',
    ],
  });
  try {
    const floors = new Map<number, number[]>();
    for (const viewers of viewerCounts()) floors.set(viewers, await floor(browser, env.stack.webUrl!, viewers));

    const host = await openStudio(browser, env);
    const rows: MediaRow[] = [];
    for (const provider of ['mesh', 'sfu'] as const) {
      await selectProvider(host.page, provider);
      for (const viewers of viewerCounts()) {
        const samples: number[] = [];
        let failed = 0;
        let upload = 0;
        for (let round = 0; round < (viewers === 1 ? SINGLE_VIEWER_ROUNDS : 1); round++) {
          const result = await joinViewers(browser, host.watchUrl, viewers);
          samples.push(...result.samples);
          failed += result.failed;
          upload = await uploadKbps(host.page);
          await Promise.all(result.contexts.map((context) => context.close()));
          // Let the host notice the viewers left before the next round.
          await host.page.waitForTimeout(3000);
        }
        const floorSamples = floors.get(viewers)!;
        const app = percentiles(samples.length ? samples : [NaN]);
        const base = percentiles(floorSamples);
        rows.push({
          provider,
          viewers,
          joinToFirstFrameMs: { ...app, samples: samples.length, failed },
          floorMs: base,
          ratio: { p50: round(app.p50 / base.p50), p95: round(app.p95 / base.p95) },
          hostUploadKbps: upload,
        });
        console.log(`   ${provider} ${viewers} viewers: p50 ${app.p50} ms, p95 ${app.p95} ms (floor ${base.p50}/${base.p95}), upload ${upload} kbit/s${failed ? `, ${failed} without video` : ''}`);
      }
    }
    await host.context.close();
    return rows;
  } finally {
    await browser.close();
  }
}

/** Signs the host in, opens the studio of a new live session and starts the camera. */
async function openStudio(browser: Browser, env: TestStack) {
  const email = `bench-media-${Date.now()}@example.com`;
  await env.createUser(email);
  const user = await env.signIn(email);
  const sessionId = await createSession(env.stack, user.accessToken, 'Media bench');
  const context = await browser.newContext({ baseURL: env.stack.webUrl, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto('/signin');
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill('Sup3r-secret!');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/dashboard/, { timeout: 60_000 });
  await page.goto(`/studio/${sessionId}`);
  await page.getByText('Connected').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Add camera tile' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  await page.getByRole('button', { name: 'Turn camera off' }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Go live' }).click();
  return { context, page, watchUrl: `${env.stack.webUrl}/watch/${sessionId}` };
}

/** Moves the live publications to a provider (the studio's own switch) and waits for the move. */
async function selectProvider(page: Page, provider: 'mesh' | 'sfu') {
  await page.getByRole('button', { name: 'Microphone settings' }).click();
  await page.getByLabel('Media delivery').selectOption(provider);
  await page.getByRole('button', { name: 'Microphone settings' }).click();
  await page.waitForTimeout(2000);
}

async function joinViewers(browser: Browser, watchUrl: string, count: number) {
  const contexts = await Promise.all(Array.from({ length: count }, () => browser.newContext({ viewport: { width: 640, height: 400 } })));
  const pages = await Promise.all(contexts.map((context) => context.newPage()));
  const results = await Promise.all(
    pages.map(async (page) => {
      try {
        // Many pages loading at once on a loaded machine can take longer than Playwright's 30 s
        // default; the figure is from subscribe to first frame, so a slow load only costs time.
        await page.goto(watchUrl, { timeout: 120_000 });
      } catch (error) {
        return `page did not load: ${String(error).split('\n')[0]}`;
      }
      try {
        await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_MEDIA_FRAME_MARK, { timeout: 120_000 });
        return await page.evaluate((mark) => (performance.getEntriesByName(mark)[0] as PerformanceMark).detail.sinceSubscribeMs as number, FIRST_MEDIA_FRAME_MARK);
      } catch (error) {
        return `no video frame: ${String(error).split('\n')[0]}`;
      }
    }),
  );
  const samples = results.filter((value): value is number => typeof value === 'number');
  const failures = results.filter((value): value is string => typeof value === 'string');
  // Why viewers had no video, once per distinct reason: a bench that says only "failed" hides whether media or the page load broke.
  const reasons = new Map<string, number>();
  for (const failure of failures) reasons.set(failure.slice(0, 160), (reasons.get(failure.slice(0, 160)) ?? 0) + 1);
  for (const [reason, count] of reasons) console.log(`   ${count} viewer(s): ${reason}`);
  return { contexts, samples, failed: failures.length };
}

async function uploadKbps(page: Page): Promise<number> {
  // Two readings apart: the figure is a rate over the last interval.
  await page.waitForTimeout(4500);
  const stat = page.getByTestId('upload-rate');
  return Number((await stat.getAttribute('data-kbps').catch(() => '0')) ?? 0);
}

/**
 * Plain WebRTC on loopback, no app: one page sends the same fake camera to `count` pages; each
 * receiving page measures from creating its connection to its first frame.
 */
async function floor(browser: Browser, origin: string, count: number): Promise<number[]> {
  const context = await browser.newContext();
  const sender = await context.newPage();
  await sender.goto(`${origin}/`);
  await sender.evaluate(async () => {
    const w = window as unknown as { stream: MediaStream; pcs: RTCPeerConnection[] };
    w.stream = await navigator.mediaDevices.getUserMedia({ video: true });
    w.pcs = [];
  });
  const receivers = await Promise.all(Array.from({ length: count }, () => context.newPage()));
  await Promise.all(receivers.map((page) => page.goto(`${origin}/`)));
  const times = await Promise.all(
    receivers.map(async (receiver) => {
      const offer = await sender.evaluate(async () => {
        const w = window as unknown as { stream: MediaStream; pcs: RTCPeerConnection[] };
        const pc = new RTCPeerConnection();
        // Taken now: the receivers negotiate in parallel, so later pushes would move "the last one".
        const index = w.pcs.push(pc) - 1;
        for (const track of w.stream.getTracks()) pc.addTrack(track, w.stream);
        await pc.setLocalDescription();
        await new Promise<void>((resolve) => (pc.iceGatheringState === 'complete' ? resolve() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve())));
        return { index, sdp: pc.localDescription!.sdp };
      });
      const started = await receiver.evaluate(() => performance.now());
      const answer = await receiver.evaluate(async (sdp) => {
        const w = window as unknown as { pc: RTCPeerConnection; firstFrame: Promise<number> };
        const pc = (w.pc = new RTCPeerConnection());
        w.firstFrame = new Promise((resolve) => {
          pc.ontrack = (event) => {
            const video = document.createElement('video');
            video.muted = true;
            video.srcObject = event.streams[0] ?? new MediaStream([event.track]);
            document.body.append(video);
            void video.play();
            video.requestVideoFrameCallback(() => resolve(performance.now()));
          };
        });
        await pc.setRemoteDescription({ type: 'offer', sdp });
        await pc.setLocalDescription();
        await new Promise<void>((resolve) => (pc.iceGatheringState === 'complete' ? resolve() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve())));
        return pc.localDescription!.sdp;
      }, offer.sdp);
      await sender.evaluate(async ({ index, sdp }) => {
        const w = window as unknown as { pcs: RTCPeerConnection[] };
        await w.pcs[index]!.setRemoteDescription({ type: 'answer', sdp });
      }, { index: offer.index, sdp: answer });
      const shown = await receiver.evaluate(() => (window as unknown as { firstFrame: Promise<number> }).firstFrame);
      return shown - started;
    }),
  );
  await context.close();
  return times;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
