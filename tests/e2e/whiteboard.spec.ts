import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { rectangle } from '../support/board-elements';
import { expectNoExternalRequests, forbidExternalRequests, signUpHost, uniqueEmail } from './support';

/**
 * Issue 14 as a host and viewers live it: a real Excalidraw editor for the host, read-only
 * boards for viewers that grow stroke by stroke, follow the host's view, and load whole for a
 * late joiner. Nothing may load from outside (Excalidraw keeps a CDN fallback for its fonts).
 */

type SceneElement = { id: string; type: string; version: number; points?: unknown[] };
type SceneView = { scrollX: number; scrollY: number; zoom: number; width: number; height: number };

/** The scene an Excalidraw view holds (its container carries the API, see BoardView.tsx). */
function sceneOf(board: Locator): Promise<SceneElement[]> {
  return board.evaluate((element) => {
    const api = (element as unknown as { excalidrawAPI?: { getSceneElements(): SceneElement[] } }).excalidrawAPI;
    return (api?.getSceneElements() ?? [])
      .map(({ id, type, version, points }) => ({ id, type, version, ...(points ? { points } : {}) }))
      .sort((a, b) => a.id.localeCompare(b.id));
  });
}

/**
 * What a scene holds, by element. Not versions: each Excalidraw bumps some on its own after
 * the fact (text remeasured once fonts load, arrows re-bound on load), so they differ between
 * views of the same board. The pixels are compared separately.
 */
const summary = (scene: SceneElement[]) => scene.map(({ id, type }) => ({ id, type }));

/** Waits until a board holds the expected scene, reading both sides on every try. */
async function expectSameScene(actual: () => Promise<SceneElement[]>, expected: () => Promise<ReturnType<typeof summary>>) {
  await expect
    .poll(async () => {
      const [got, want] = await Promise.all([actual().then(summary), expected()]);
      return JSON.stringify(got) === JSON.stringify(want) ? 'same' : `board ${JSON.stringify(got)} != expected ${JSON.stringify(want)}`;
    }, { timeout: 15_000 })
    .toBe('same');
}

function viewOf(board: Locator): Promise<SceneView> {
  return board.evaluate((element) => {
    const api = (element as unknown as { excalidrawAPI: { getAppState(): { scrollX: number; scrollY: number; zoom: { value: number }; width: number; height: number } } })
      .excalidrawAPI;
    const state = api.getAppState();
    return { scrollX: state.scrollX, scrollY: state.scrollY, zoom: state.zoom.value, width: state.width, height: state.height };
  });
}

/** The scene point at the centre of a view. */
const centerOf = (view: SceneView) => ({ x: view.width / (2 * view.zoom) - view.scrollX, y: view.height / (2 * view.zoom) - view.scrollY });

/** A checksum of the board's rendered pixels, and how many are not white. */
function pixelsOf(board: Locator): Promise<{ hash: number; inked: number; width: number; height: number }> {
  return board.evaluate((element) => {
    const canvas = element.querySelector('canvas.excalidraw__canvas.static') as HTMLCanvasElement;
    const context = canvas.getContext('2d')!;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let hash = 0;
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      hash = (Math.imul(hash, 31) + data[i]! + data[i + 1]! * 7 + data[i + 2]! * 13) | 0;
      if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) inked++;
    }
    return { hash, inked, width: canvas.width, height: canvas.height };
  });
}

async function openViewer(browser: Browser, url: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const external = forbidExternalRequests(page);
  await page.goto(url);
  const board = page.locator('.whiteboard__board');
  await expect(board).toBeVisible({ timeout: 120_000 });
  await expect(page.locator('.whiteboard[data-loaded="true"]')).toBeVisible({ timeout: 60_000 });
  return { page, board, external, close: () => context.close() };
}

async function startWhiteboard(host: Page, title: string) {
  await signUpHost(host, uniqueEmail('board'));
  await host.getByRole('textbox', { name: 'Session title' }).fill(title);
  await host.getByRole('button', { name: 'New session' }).click();
  await host.getByRole('list', { name: 'Your sessions' }).getByRole('listitem').filter({ hasText: title }).getByRole('link', { name: 'Open' }).click();
  await expect(host.getByText('Connected')).toBeVisible();
  await host.getByRole('button', { name: 'Add whiteboard tile' }).click();
  await host.getByRole('button', { name: 'Go live' }).click();
  const watchUrl = (await host.getByRole('link', { name: 'Copy viewer link' }).getAttribute('href'))!;
  await host.getByRole('button', { name: 'Open whiteboard' }).click();
  const editor = host.locator('.whiteboard-studio__board');
  await expect(editor.locator('canvas.excalidraw__canvas.interactive')).toBeVisible({ timeout: 30_000 });
  return { watchUrl, editor };
}

/** Drags on the editor's canvas from one point to another (offsets from its top-left), in steps. */
async function drag(page: Page, editor: Locator, from: [number, number], to: [number, number], steps = 4) {
  const box = (await editor.boundingBox())!;
  await page.mouse.move(box.x + from[0], box.y + from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + to[0], box.y + to[1], { steps });
  await page.mouse.up();
}

test('the host draws shapes, an arrow, text and freehand; viewers see them live, the same, and a late viewer sees the whole board', async ({ page: host, browser }) => {
  test.setTimeout(300_000);
  const hostExternal = forbidExternalRequests(host);
  const { watchUrl, editor } = await startWhiteboard(host, 'Whiteboard e2e');
  const a = await openViewer(browser, watchUrl);
  const b = await openViewer(browser, watchUrl);

  await editor.getByTestId('toolbar-rectangle').click({ force: true });
  await drag(host, editor, [300, 200], [460, 300]);
  await editor.getByTestId('toolbar-arrow').click({ force: true });
  await drag(host, editor, [500, 250], [700, 320]);
  await editor.getByTestId('toolbar-text').click({ force: true });
  const box = (await editor.boundingBox())!;
  await host.mouse.click(box.x + 320, box.y + 420);
  await host.keyboard.type('Hello viewers');
  await host.keyboard.press('Escape');

  // Freehand: while the pen is still down, viewers already show part of the stroke.
  await editor.getByTestId('toolbar-freedraw').click({ force: true });
  await host.mouse.move(box.x + 600, box.y + 420);
  await host.mouse.down();
  for (let i = 1; i <= 15; i++) await host.mouse.move(box.x + 600 + i * 10, box.y + 420 + Math.sin(i / 2) * 30);
  const partial = await expect
    .poll(async () => Math.max(0, ...(await sceneOf(a.board)).filter((e) => e.type === 'freedraw').map((e) => e.points?.length ?? 0)), { timeout: 15_000 })
    .toBeGreaterThan(3)
    .then(async () => Math.max(...(await sceneOf(a.board)).filter((e) => e.type === 'freedraw').map((e) => e.points!.length)));
  for (let i = 16; i <= 30; i++) await host.mouse.move(box.x + 600 + i * 10, box.y + 420 + Math.sin(i / 2) * 30);
  await host.mouse.up();

  // Both viewers end with exactly the host's elements.
  const hostScene = async () => summary(await sceneOf(editor));
  await expect.poll(async () => (await hostScene()).map((e) => e.type).sort()).toEqual(['arrow', 'freedraw', 'rectangle', 'text']);
  await expectSameScene(() => sceneOf(a.board), hostScene);
  await expectSameScene(() => sceneOf(b.board), hostScene);
  const finalStroke = (await sceneOf(a.board)).find((e) => e.type === 'freedraw')!;
  expect(partial).toBeLessThan(finalStroke.points!.length);

  // The same elements, drawn the same: identical pixels on both viewers, and ink on them.
  // Both sides are read on every try: the host's pointer (drawn as a collaborator) settles on each viewer in its own time.
  await expect
    .poll(async () => {
      const [pa, pb] = await Promise.all([pixelsOf(a.board), pixelsOf(b.board)]);
      return pa.hash === pb.hash;
    }, { timeout: 30_000 })
    .toBe(true);
  expect((await pixelsOf(a.board)).inked).toBeGreaterThan(500);

  // A late viewer gets the whole board at once.
  const late = await openViewer(browser, watchUrl);
  await expectSameScene(() => sceneOf(late.board), hostScene);

  // A reload of the host's studio keeps the board.
  await host.reload();
  await expect(host.getByText('Connected')).toBeVisible();
  await host.locator('[data-tile-id]').first().click();
  await host.getByRole('button', { name: 'Open whiteboard' }).click();
  await expectSameScene(() => sceneOf(host.locator('.whiteboard-studio__board')), async () => summary(await sceneOf(a.board)));

  for (const external of [hostExternal, a.external, b.external, late.external]) await expectNoExternalRequests(external);
  await Promise.all([a.close(), b.close(), late.close()]);
});

test('followers match the host’s pan and zoom; a detached viewer keeps its own view until it follows again', async ({ page: host, browser }) => {
  test.setTimeout(300_000);
  const hostExternal = forbidExternalRequests(host);
  const { watchUrl, editor } = await startWhiteboard(host, 'Follow e2e');
  await editor.getByTestId('toolbar-rectangle').click({ force: true });
  await drag(host, editor, [200, 200], [400, 320]);
  const follower = await openViewer(browser, watchUrl);
  const detached = await openViewer(browser, watchUrl);

  const matchesHost = async (board: Locator) => {
    const [hostView, view] = await Promise.all([viewOf(editor), viewOf(board)]);
    const [h, v] = [centerOf(hostView), centerOf(view)];
    return Math.abs(h.x - v.x) < 1 && Math.abs(h.y - v.y) < 1 && Math.abs(view.zoom - Math.min(view.width / (hostView.width / hostView.zoom), view.height / (hostView.height / hostView.zoom))) < 1e-6;
  };
  await expect.poll(() => matchesHost(follower.board), { timeout: 15_000 }).toBe(true);

  // Detach one viewer with one click.
  await detached.page.getByRole('button', { name: 'Following host' }).click();
  await expect(detached.page.getByRole('button', { name: 'Follow host' })).toBeVisible();
  const ownView = await viewOf(detached.board);

  // The host pans (wheel) and zooms in (Ctrl + wheel).
  const box = (await editor.boundingBox())!;
  await host.mouse.move(box.x + 400, box.y + 300);
  await host.mouse.wheel(240, 160);
  await host.keyboard.down('Control');
  await host.mouse.wheel(0, -300);
  await host.keyboard.up('Control');
  await expect.poll(async () => (await viewOf(editor)).zoom, { timeout: 10_000 }).toBeGreaterThan(1);
  await expect.poll(() => matchesHost(follower.board), { timeout: 15_000 }).toBe(true);
  expect(await viewOf(detached.board)).toEqual(ownView);

  // The laser pointer: viewers get the host's pointer as a collaborator with the laser tool (Excalidraw draws its trail).
  await editor.getByTestId('toolbar-laser').click({ force: true, timeout: 5_000 }).catch(() => host.keyboard.press('k'));
  await host.mouse.move(box.x + 300, box.y + 300);
  await host.mouse.down();
  await host.mouse.move(box.x + 420, box.y + 340, { steps: 4 });
  await expect
    .poll(() =>
      follower.board.evaluate((element) => {
        const api = (element as unknown as { excalidrawAPI: { getAppState(): { collaborators: Map<string, { pointer?: { tool: string }; button?: string }> } } }).excalidrawAPI;
        const host = api.getAppState().collaborators.get('host');
        return `${host?.pointer?.tool}/${host?.button}`;
      }),
    { timeout: 15_000 })
    .toBe('laser/down');
  await host.mouse.up();

  // One click follows again.
  await detached.page.getByRole('button', { name: 'Follow host' }).click();
  await expect.poll(() => matchesHost(detached.board), { timeout: 15_000 }).toBe(true);

  for (const external of [hostExternal, follower.external, detached.external]) await expectNoExternalRequests(external);
  await Promise.all([follower.close(), detached.close()]);
});

/** A board's elements in its z-order (Excalidraw's scene order), each with its index and version. */
function stackOf(board: Locator): Promise<string[]> {
  return board.evaluate((element) => {
    const api = (element as unknown as { excalidrawAPI?: { getSceneElements(): Array<{ id: string; index: string; version: number }> } }).excalidrawAPI;
    return (api?.getSceneElements() ?? []).map(({ id, index, version }) => `${id}@${index}v${version}`);
  });
}

test('a late viewer of a 2,000-element board gets all of it, stacked as the host stacked it', async ({ page: host, browser }) => {
  test.setTimeout(600_000);
  const { watchUrl, editor } = await startWhiteboard(host, 'Big board e2e');
  const live = await openViewer(browser, watchUrl);
  // The host pastes 2,000 rectangles at once. Excalidraw's ids are random, so the board's id
  // order (how it is stored and sent) is not its z-order: here too.
  const count = 2000;
  const pasted = Array.from({ length: count }, (_, i) => ({
    ...rectangle(`r${String((i * 7919) % count).padStart(4, '0')}`, {
      x: (i % 50) * 40,
      y: Math.floor(i / 50) * 40,
      width: 30,
      height: 30,
      backgroundColor: i % 2 ? '#a5d8ff' : 'transparent',
      roundness: null,
      seed: i + 1,
      versionNonce: i + 1,
      updated: 1,
    }),
    // Pasted without an order key: Excalidraw gives each one.
    index: null,
  }));
  await editor.evaluate((element, elements) => {
    const api = (element as unknown as { excalidrawAPI: { updateScene(scene: { elements: unknown[]; captureUpdate: string }): void } }).excalidrawAPI;
    api.updateScene({ elements, captureUpdate: 'IMMEDIATELY' });
  }, pasted);
  const hostStack = await stackOf(editor);
  expect(hostStack).toHaveLength(2000);
  // Every element reached the live viewer, so every one is stored.
  await expect.poll(async () => (await stackOf(live.board)).length, { timeout: 240_000 }).toBe(2000);

  const late = await openViewer(browser, watchUrl);
  await expect.poll(async () => (await stackOf(late.board)).length, { timeout: 120_000 }).toBe(2000);
  // Same elements, same stacking, same versions: nothing re-indexed on the way.
  expect(await stackOf(late.board)).toEqual(hostStack);
  expect(await stackOf(live.board)).toEqual(hostStack);
  await Promise.all([live.close(), late.close()]);
});
