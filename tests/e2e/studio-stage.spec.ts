import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { expectNoExternalRequests, forbidExternalRequests, signUpHost, uniqueEmail } from './support';

/**
 * Issue 11 as a host and viewers live it: a studio that never loses work (offline, a lost
 * chunk, a quick click after typing) and a stage viewers can read (focus view, pinch-zoom,
 * spotlight, undo/redo reaching them, the layout at common window sizes).
 * The steps share one session, so they run in order.
 */
test.describe.configure({ mode: 'serial', timeout: 120_000 });

const TITLE = 'Stage e2e';
let hostContext: BrowserContext;
let host: Page;
let viewer: Page;
let watchUrl = '';
const contexts: BrowserContext[] = [];
const externalRequests: string[][] = [];

async function newPage(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  const context = await browser.newContext(options);
  contexts.push(context);
  const page = await context.newPage();
  externalRequests.push(forbidExternalRequests(page));
  return page;
}

const tileOn = (page: Page, name: 'Clock' | 'Code'): Locator => page.getByRole('group', { name, exact: false }).and(page.locator('[data-tile-id]'));
const codeEditor = (page: Page) => page.getByRole('textbox', { name: 'Python 3 source of the code tile' });

async function frameOf(tile: Locator) {
  return tile.evaluate((element: HTMLElement) => ({
    x: parseFloat(element.style.left),
    y: parseFloat(element.style.top),
    w: parseFloat(element.style.width),
    h: parseFloat(element.style.height),
  }));
}

function area(box: { width: number; height: number } | null): number {
  return box ? box.width * box.height : 0;
}

test.beforeAll(async ({ browser }) => {
  hostContext = await browser.newContext();
  contexts.push(hostContext);
  host = await hostContext.newPage();
  externalRequests.push(forbidExternalRequests(host));
  await signUpHost(host, uniqueEmail('stage'));
  await host.getByRole('textbox', { name: 'Session title' }).fill(TITLE);
  await host.getByRole('button', { name: 'New session' }).click();
  await host.getByRole('list', { name: 'Your sessions' }).getByRole('listitem').filter({ hasText: TITLE }).getByRole('link', { name: 'Open' }).click();
  await expect(host.getByText('Connected')).toBeVisible({ timeout: 30_000 });
  watchUrl = (await host.getByRole('link', { name: 'Copy viewer link' }).getAttribute('href'))!;
  viewer = await newPage(browser);
  await viewer.goto(watchUrl);
});

test.afterAll(async () => {
  for (const external of externalRequests) await expectNoExternalRequests(external);
  await Promise.all(contexts.map((context) => context.close()));
});

test('a new tile lands in free space, not on top of another', async () => {
  await host.getByRole('button', { name: 'Add clock tile' }).click();
  await host.getByRole('button', { name: 'Add code tile' }).click();
  await host.getByRole('button', { name: 'Go live' }).click();
  const clock = await frameOf(tileOn(host, 'Clock'));
  const code = await frameOf(tileOn(host, 'Code'));
  const overlapW = Math.max(0, Math.min(clock.x + clock.w, code.x + code.w) - Math.max(clock.x, code.x));
  const overlapH = Math.max(0, Math.min(clock.y + clock.h, code.y + code.h) - Math.max(clock.y, code.y));
  expect(overlapW * overlapH).toBe(0);
  await expect(tileOn(viewer, 'Code')).toBeVisible();
});

test('the last keystrokes reach viewers when the host clicks another tile at once', async () => {
  await tileOn(host, 'Code').click();
  const editor = codeEditor(host);
  await editor.click();
  await host.keyboard.press('Control+End');
  await host.keyboard.type('\nprint("typed last")', { delay: 15 });
  // Well inside the 250 ms debounce: the edit used to be dropped with the unmounted editor.
  await tileOn(host, 'Clock').click();
  await expect(tileOn(viewer, 'Code')).toContainText('print("typed last")');
  // And a paste, then a deselect by clicking the empty canvas.
  await tileOn(host, 'Code').click();
  await codeEditor(host).click();
  await host.keyboard.press('Control+End');
  await host.keyboard.insertText('\nprint("pasted")');
  await host.getByRole('button', { name: 'Close tile settings' }).click();
  await expect(tileOn(viewer, 'Code')).toContainText('print("pasted")');
});

test('the code editor says how to leave it, and Esc then Tab does', async () => {
  await tileOn(host, 'Code').click();
  const editor = codeEditor(host);
  await editor.click();
  await expect(host.getByText('To leave the editor, press Esc, then Tab.')).toBeVisible();
  await host.keyboard.press('Escape');
  await host.keyboard.press('Tab');
  await expect(editor).not.toBeFocused();
  // The next control has a visible focus ring.
  const outline = await host.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle + ' ' + getComputedStyle(document.activeElement!).boxShadow);
  expect(outline).not.toBe('none none');
});

test('offline, the host is told so; chat waits as pending; everything is sent on reconnect', async () => {
  const before = await frameOf(tileOn(viewer, 'Clock'));
  // The browser's offline mode keeps the socket looking open, and holds what is sent on it.
  await hostContext.setOffline(true);
  await tileOn(host, 'Clock').focus();
  await host.keyboard.press('ArrowDown');
  await expect(host.getByText('Offline — 1 change will be sent when you reconnect; viewers see the last saved state.')).toBeVisible({ timeout: 15_000 });
  await expect(host.getByRole('status').filter({ hasText: 'Offline · 1 unsent change' })).toBeVisible();
  await expect(host.getByText('Live · not updating')).toBeVisible();
  await expect(host.getByText('Connected')).toHaveCount(0);
  await expect(host.getByText('Saving…')).toHaveCount(0);
  // The alert colour, not the calm one.
  const color = await host.locator('.studio-offline').evaluate((element) => getComputedStyle(element).color);
  expect(color).toBe('rgb(166, 27, 47)');

  await host.getByRole('textbox', { name: 'Message' }).fill('Sent while offline');
  await host.getByRole('button', { name: 'Send' }).click();
  const log = host.getByRole('log', { name: 'Chat messages' });
  await expect(log.getByText('Waiting for the connection…')).toBeVisible();
  await expect(viewer.getByRole('log', { name: 'Chat messages' }).getByText('Sent while offline')).toHaveCount(0);

  await hostContext.setOffline(false);
  await expect(host.getByText('Connected')).toBeVisible({ timeout: 20_000 });
  await expect(log.getByText('Waiting for the connection…')).toHaveCount(0);
  await expect(log.getByText('Sending…')).toHaveCount(0, { timeout: 15_000 });
  await expect(log.getByText('Sent while offline')).toBeVisible();
  await expect(viewer.getByRole('log', { name: 'Chat messages' }).getByText('Sent while offline')).toBeVisible();
  await expect.poll(async () => (await frameOf(tileOn(viewer, 'Clock'))).y).toBe(before.y + 20);
});

test('a tile editor that cannot be downloaded stays in the inspector, with a retry', async () => {
  // The editor chunks are fetched once the studio has loaded; make that fail, as offline would.
  await host.route(/CodeTileEditor-[^/]*\.js$/, (route) => route.abort('internetdisconnected'));
  await host.reload();
  await expect(host.getByText('Connected')).toBeVisible({ timeout: 30_000 });
  await tileOn(host, 'Code').click();
  const failed = host.getByRole('alert').filter({ hasText: "This tile's settings couldn't be downloaded" });
  await expect(failed).toBeVisible();
  await expect(host.getByText("This page couldn't load")).toHaveCount(0);
  await expect(host.getByRole('region', { name: 'Canvas' })).toBeVisible();
  await host.unroute(/CodeTileEditor-[^/]*\.js$/);
  await failed.getByRole('button', { name: 'Try again' }).click();
  await expect(codeEditor(host)).toBeVisible();
});

test('after a reload, the studio works offline: every editor was preloaded', async () => {
  await host.reload();
  await expect(host.getByText('Connected')).toBeVisible({ timeout: 30_000 });
  await host.waitForLoadState('networkidle');
  await hostContext.setOffline(true);
  await tileOn(host, 'Code').click();
  await expect(codeEditor(host)).toBeVisible();
  await expect(host.getByText("This page couldn't load")).toHaveCount(0);
  await tileOn(host, 'Clock').click();
  await expect(host.getByRole('radio', { name: 'Stopwatch' })).toBeVisible();
  await hostContext.setOffline(false);
  await expect(host.getByText('Connected')).toBeVisible({ timeout: 20_000 });
});

test('undo and redo of moves, removal and fields reach viewers', async () => {
  const clock = tileOn(host, 'Clock');
  await clock.click();
  const start = await frameOf(clock);
  await clock.focus();
  await host.keyboard.press('Shift+ArrowRight');
  await expect.poll(async () => (await frameOf(tileOn(viewer, 'Clock'))).x).toBe(start.x + 100);

  await host.keyboard.press('Control+z');
  await expect.poll(async () => (await frameOf(tileOn(viewer, 'Clock'))).x).toBe(start.x);
  await host.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await frameOf(tileOn(viewer, 'Clock'))).x).toBe(start.x + 100);

  // The X field, then undo.
  await clock.click();
  const x = host.getByRole('spinbutton', { name: 'X' });
  await x.fill('400');
  await x.press('Enter');
  await expect.poll(async () => (await frameOf(tileOn(viewer, 'Clock'))).x).toBe(400);
  await host.getByRole('button', { name: /^Undo/ }).click();
  await expect.poll(async () => (await frameOf(tileOn(viewer, 'Clock'))).x).toBe(start.x + 100);

  // Remove, then undo brings it back for viewers too.
  await clock.focus();
  await host.keyboard.press('Delete');
  await expect(tileOn(viewer, 'Clock')).toHaveCount(0);
  await host.keyboard.press('Control+z');
  await expect(tileOn(viewer, 'Clock')).toBeVisible();
});

test('dragging shows alignment guides', async () => {
  const clock = tileOn(host, 'Clock');
  const code = tileOn(host, 'Code');
  const a = (await clock.boundingBox())!;
  const b = (await code.boundingBox())!;
  await host.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await host.mouse.down();
  // Towards the code tile's top edge: the clock's top lines up with it on the way.
  const target = { x: a.x + a.width / 2, y: b.y + a.height / 2 };
  await host.mouse.move(target.x, target.y, { steps: 15 });
  await expect(host.getByTestId('alignment-guide').first()).toBeAttached();
  await host.mouse.up();
  await expect(host.getByTestId('alignment-guide')).toHaveCount(0);
});

test('the canvas dominates the studio at common window sizes, and selecting a tile does not shrink it', async () => {
  mkdirSync('test-results', { recursive: true });
  for (const [width, height] of [
    [1280, 720],
    [1440, 900],
    [1920, 1080],
  ] as const) {
    await host.setViewportSize({ width, height });
    const close = host.getByRole('button', { name: 'Close tile settings' });
    if (await close.count()) await close.click();
    const canvas = host.getByRole('region', { name: 'Canvas', exact: true });
    const before = (await canvas.boundingBox())!;
    await tileOn(host, 'Code').click();
    await expect(codeEditor(host)).toBeVisible();
    const after = (await canvas.boundingBox())!;
    expect(Math.round(after.width)).toBe(Math.round(before.width));
    // Larger than anything else on the screen.
    const others = await Promise.all(
      [host.locator('.inspector'), host.getByRole('region', { name: 'Chat' }), host.getByRole('navigation', { name: 'Canvas tools' })].map((l) => l.boundingBox()),
    );
    for (const other of others) expect(area(after)).toBeGreaterThan(area(other));
    expect(after.width).toBeGreaterThan(width * 0.55);
    // Chat stays on screen, in its rail.
    const chat = (await host.getByRole('region', { name: 'Chat' }).boundingBox())!;
    expect(chat.y + chat.height).toBeLessThanOrEqual(height + 1);
    expect(await host.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(height + 1);
    await host.screenshot({ path: `test-results/studio-${width}x${height}.png` });
  }
  await host.setViewportSize({ width: 1280, height: 800 });
});

test('a viewer opens a tile full-stage, reads it, and returns with Esc', async () => {
  await tileOn(viewer, 'Code').click();
  const focus = viewer.getByRole('region', { name: 'Code: Python 3, full stage' });
  await expect(focus).toBeVisible();
  const fontPx = await codeFontOnScreen(focus);
  expect(fontPx).toBeGreaterThanOrEqual(14);
  await viewer.keyboard.press('Escape');
  await expect(focus).toHaveCount(0);
  // From the keyboard too, with a visible focus ring on the tile.
  await tileOn(viewer, 'Code').focus();
  expect(await tileOn(viewer, 'Code').evaluate((element) => getComputedStyle(element).outlineStyle)).not.toBe('none');
  await viewer.keyboard.press('Enter');
  await expect(focus).toBeVisible();
  await viewer.getByRole('button', { name: /Back to canvas/ }).click();
  await expect(focus).toHaveCount(0);
});

test('on a phone, a tapped code tile fills the screen at a readable size and pinches to zoom', async ({ browser }) => {
  const phone = await newPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await phone.goto(watchUrl);
  const tile = tileOn(phone, 'Code');
  await expect(tile).toBeVisible();
  const onCanvas = await codeFontOnScreen(tile);
  expect(onCanvas).toBeLessThan(8); // about 4 px: unreadable on the scaled canvas
  await tile.tap();
  const focus = phone.getByTestId('tile-focus');
  await expect(focus).toBeVisible();
  const box = (await focus.boundingBox())!;
  expect(box.width).toBeGreaterThanOrEqual(389);
  expect(await codeFontOnScreen(focus)).toBeGreaterThanOrEqual(14);
  await phone.screenshot({ path: 'test-results/viewer-phone-focus.png' });

  // Two fingers spread apart: the tile zooms in.
  const cdp = await phone.context().newCDPSession(phone);
  const stage = (await phone.locator('.tile-focus__stage').boundingBox())!;
  const cx = stage.x + stage.width / 2;
  const cy = stage.y + stage.height / 2;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: cx - 30, y: cy, id: 1 }, { x: cx + 30, y: cy, id: 2 }] });
  for (let step = 1; step <= 10; step++) {
    const spread = 30 + step * 9;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: cx - spread, y: cy, id: 1 }, { x: cx + spread, y: cy, id: 2 }] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await expect.poll(async () => Number(await focus.getAttribute('data-zoom'))).toBeGreaterThan(1.5);
  await phone.getByRole('button', { name: /Back to canvas/ }).tap();
  await expect(focus).toHaveCount(0);
});

test('the host spotlights a tile for every viewer', async () => {
  await tileOn(host, 'Clock').click();
  await host.getByRole('button', { name: 'Spotlight' }).click();
  await expect(host.getByRole('button', { name: 'Spotlight' })).toHaveAttribute('aria-pressed', 'true');
  const focus = viewer.getByTestId('tile-focus');
  await expect(focus).toBeVisible();
  await expect(focus).toContainText('Spotlight');
  await expect(focus).toContainText('Clock');
  // A late joiner gets it from the snapshot.
  const late = await newPage(viewer.context().browser()!);
  await late.goto(watchUrl);
  await expect(late.getByTestId('tile-focus')).toContainText('Spotlight');
  // A viewer may step back to the canvas; turning the spotlight off returns everyone.
  await viewer.keyboard.press('Escape');
  await expect(focus).toHaveCount(0);
  await host.getByRole('button', { name: 'Spotlight' }).click();
  await expect(late.getByTestId('tile-focus')).toHaveCount(0);
});

test('reactions are images shipped with the app', async () => {
  const button = viewer.getByRole('button', { name: 'React with applause' });
  const loaded = await button.locator('img').evaluate((image: HTMLImageElement) =>
    image.complete ? image.naturalWidth : new Promise<number>((resolve) => (image.onload = () => resolve(image.naturalWidth))),
  );
  expect(loaded).toBeGreaterThan(0);
  expect(await button.locator('img').getAttribute('src')).toBe('/reactions/1f44f.svg');
});

/** The code's font size as drawn on screen (CSS px), whatever the transforms around it. */
async function codeFontOnScreen(container: Locator): Promise<number> {
  return container.locator('.cm-content').first().evaluate((element: HTMLElement) => {
    const fontSize = parseFloat(getComputedStyle(element).fontSize);
    const drawn = element.getBoundingClientRect().width / element.offsetWidth;
    return fontSize * drawn;
  });
}
