import { expect as baseExpect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestVideo } from '../support/test-video';
import { expectNoExternalRequests, forbidExternalRequests, signUpHost, uniqueEmail } from './support';

/**
 * Camera, screen and voice, as a host and viewers live them, once over each provider: two
 * viewers see moving frames of the right picture and hear the host; camera off and mic muted
 * show placeholders; a late viewer gets video; a viewer whose network drops gets video back.
 *
 * The fake camera plays a generated clip (red on top, a sweeping white bar below); sound is
 * Chromium's fake microphone beep. Autoplay with sound needs a gesture here, as in a real
 * browser, so viewers may meet the "Click to unmute" button.
 */
// Devices, encoders and decoders start slowly on a busy 2-core machine: wait generously.
const expect = baseExpect.configure({ timeout: 30_000 });

const video = writeTestVideo(join(tmpdir(), 'streamcanvas-e2e-camera.y4m'));

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--auto-accept-this-tab-capture',
      '--auto-select-desktop-capture-source=Entire screen',
      `--use-file-for-fake-video-capture=${video}`,
      '--autoplay-policy=user-gesture-required',
    ],
  },
});

for (const provider of ['mesh', 'sfu'] as const) {
  test.describe(`media over ${provider}`, () => {
    test.describe.configure({ mode: 'serial', timeout: 240_000 });
    const contexts: BrowserContext[] = [];
    const external: string[][] = [];
    let host: Page;
    let watchUrl = '';
    let viewers: Page[] = [];

    async function newPage(browser: Browser): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 960, height: 640 } });
      // Keeps the page's WebSockets reachable, so a test can cut them as a network drop would
      // (offline emulation alone does not close an open socket).
      await context.addInitScript(() => {
        const Native = window.WebSocket;
        const sockets: WebSocket[] = [];
        Object.assign(window, { __sockets: sockets });
        window.WebSocket = class extends Native {
          constructor(...args: ConstructorParameters<typeof WebSocket>) {
            super(...args);
            sockets.push(this);
          }
        } as typeof WebSocket;
      });
      contexts.push(context);
      const page = await context.newPage();
      external.push(forbidExternalRequests(page));
      return page;
    }

    test.beforeAll(async ({ browser }) => {
      test.setTimeout(180_000);
      host = await newPage(browser);
      await signUpHost(host, uniqueEmail(`media-${provider}`));
      const title = `Media over ${provider}`;
      await host.getByRole('textbox', { name: 'Session title' }).fill(title);
      await host.getByRole('button', { name: 'New session' }).click();
      await host.getByRole('list', { name: 'Your sessions' }).getByRole('listitem').filter({ hasText: title }).getByRole('link', { name: 'Open' }).click();
      await expect(host.getByText('Connected')).toBeVisible();
      watchUrl = (await host.getByRole('link', { name: 'Copy viewer link' }).getAttribute('href'))!;
      viewers = [await newPage(browser), await newPage(browser)];
      await Promise.all(viewers.map((viewer) => viewer.goto(watchUrl)));
    });

    test.afterAll(async () => {
      await Promise.all(contexts.map((context) => context.close()));
      for (const requests of external) await expectNoExternalRequests(requests);
    });

    test('the host shows a camera, a screen and their voice; two viewers see moving frames and hear it', async () => {
      // Delivery first, then the microphone, a camera and a screen.
      await host.getByRole('button', { name: 'Microphone settings' }).click();
      await host.getByLabel('Media delivery').selectOption(provider);
      await host.getByRole('button', { name: 'Turn on mic' }).click();
      await expect(host.getByRole('button', { name: 'Mute' })).toBeVisible();
      await host.getByRole('button', { name: 'Microphone settings' }).click();

      await host.getByRole('button', { name: 'Add camera tile' }).click();
      await host.getByRole('button', { name: 'Start camera' }).click();
      await expect(host.getByRole('button', { name: 'Turn camera off' })).toBeVisible();
      await expectMoving(tile(host, 'Camera'), { red: true });

      await host.getByRole('button', { name: 'Add screen tile' }).click();
      await host.getByRole('button', { name: 'Share a screen, window or tab' }).click();
      await expect(host.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
      await host.getByRole('button', { name: 'Go live' }).click();

      for (const viewer of viewers) {
        // Where the browser refuses sound without a gesture, the viewer is told and clicks. (Whether
        // it refuses a stream that starts silent is the browser's call; the refusal itself is
        // unit-tested in media-hub.test.ts.) First, since Playwright's evaluate counts as a gesture.
        const unmute = viewer.getByRole('button', { name: 'Click to unmute' });
        if (await unmute.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
          await unmute.click();
          await expect(unmute).toHaveCount(0);
        }
        await expectMoving(tile(viewer, 'Camera'), { red: true });
        await expectMoving(tile(viewer, 'Screen'));
        await expect.poll(() => audioPeak(viewer), { timeout: 15_000, message: 'the host’s microphone is heard' }).toBeGreaterThan(0.01);
      }
    });

    test('camera off and mic muted show placeholders to viewers; back on, video returns', async () => {
      // The screen tile was added on top; the camera's top-left corner is still in view.
      await tile(host, 'Camera').click({ position: { x: 6, y: 6 } });
      await host.getByRole('button', { name: 'Turn camera off' }).click();
      await host.getByRole('button', { name: 'Mute' }).click();
      for (const viewer of viewers) {
        await expect(tile(viewer, 'Camera').getByText('Camera is off')).toBeVisible();
        await expect(tile(viewer, 'Camera').locator('video')).toBeHidden();
        await expect(viewer.getByText('The host’s microphone is muted')).toBeVisible();
      }
      await host.getByRole('button', { name: 'Unmute' }).click();
      await host.getByRole('button', { name: 'Start camera' }).click();
      for (const viewer of viewers) {
        await expect(viewer.getByText('The host’s microphone is muted')).toHaveCount(0);
        await expectMoving(tile(viewer, 'Camera'), { red: true });
      }
    });

    test('a late viewer gets video without the host doing anything', async ({ browser }) => {
      const late = await newPage(browser);
      await late.goto(watchUrl);
      await expectMoving(tile(late, 'Camera'), { red: true });
      // The screen is there too (its frames are checked in the first test: with three viewers,
      // mesh encodes a 720p screen three times, and a busy machine makes that slow to prove).
      await expect(tile(late, 'Screen').locator('video')).toBeVisible();
    });

    test('a viewer whose network drops gets video back after reconnecting', async () => {
      const viewer = viewers[0]!;
      await viewer.context().setOffline(true);
      await viewer.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.forEach((socket) => socket.close()));
      await expect(viewer.getByText('Connection lost. Reconnecting…')).toBeVisible();
      await viewer.context().setOffline(false);
      await expect(viewer.getByText('Reconnected')).toBeVisible({ timeout: 30_000 });
      await expectMoving(tile(viewer, 'Camera'), { red: true });
    });
  });
}

const tile = (page: Page, name: 'Camera' | 'Screen'): Locator => page.getByRole('group', { name });

/**
 * Decoded frames advance (not a frozen or black frame), and with `red` the picture's top
 * half is the clip's red, sampled from the decoded video.
 */
async function expectMoving(tileLocator: Locator, { red = false } = {}) {
  const videoElement = tileLocator.locator('video');
  await expect(videoElement).toBeVisible({ timeout: 30_000 });
  const framesNow = () => videoElement.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
  await expect.poll(framesNow, { timeout: 30_000, message: 'the video decodes frames' }).toBeGreaterThan(0);
  // A loaded machine makes the encoder drop frame rate (screens keep resolution): a few frames suffice.
  // A connection replaced meanwhile (a reconnect) restarts the count: count from its new start then.
  let baseline = await framesNow();
  const advanced = async () => {
    const frames = await framesNow();
    baseline = Math.min(baseline, frames);
    return frames - baseline;
  };
  await expect.poll(advanced, { timeout: 30_000, message: 'decoded frames advance' }).toBeGreaterThan(3);
  if (!red) return;
  const pixel = await videoElement.evaluate((v: HTMLVideoElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(v, 0, 0);
    const [r, g, b] = context.getImageData(Math.floor(v.videoWidth * 0.2), Math.floor(v.videoHeight * 0.15), 1, 1).data;
    return { r: r!, g: g!, b: b! };
  });
  expect(pixel.r, `sampled ${JSON.stringify(pixel)}`).toBeGreaterThan(170);
  expect(pixel.g).toBeLessThan(90);
  expect(pixel.b).toBeLessThan(90);
}

/** The loudest sample of the page's session audio over about 1.5 s, through an AnalyserNode. */
function audioPeak(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const streams = [...document.querySelectorAll<HTMLAudioElement>('audio[data-media-audio]')]
      .map((element) => element.srcObject as MediaStream | null)
      .filter((stream): stream is MediaStream => Boolean(stream?.getAudioTracks().length));
    if (streams.length === 0) return 0;
    const context = new AudioContext();
    await context.resume();
    const analyser = context.createAnalyser();
    for (const stream of streams) context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let peak = 0;
    const until = performance.now() + 1500;
    while (performance.now() < until) {
      analyser.getFloatTimeDomainData(samples);
      for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await context.close();
    return peak;
  });
}
