import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { makePptx, slideColour } from '../support/deck-files';
import { expectNoExternalRequests, forbidExternalRequests, signUpHost, uniqueEmail } from './support';

/**
 * Issue 13 as a host and viewers live it: the host uploads a PowerPoint deck (converted by
 * LibreOffice on the local stack), two viewers see slide 1 drawn (checked in the pixels, not
 * just that a canvas exists), the host presses → and both viewers show slide 2, and a viewer
 * who joins late opens on slide 2. The network namespace and the request checks prove nothing
 * is fetched from outside: pdf.js's worker, fonts and cMaps come from the app.
 */
test('a host presents a PowerPoint deck; viewers follow page flips, a late viewer opens on the current slide', async ({ page: host, browser }) => {
  // LibreOffice converts in seconds on an idle machine and in a minute or more on a busy one.
  test.setTimeout(360_000);
  const contexts: BrowserContext[] = [];
  const external: string[][] = [forbidExternalRequests(host)];
  const openViewer = async (url: string, options: Parameters<Browser['newContext']>[0] = {}) => {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    external.push(forbidExternalRequests(page));
    await page.goto(url);
    return page;
  };

  await signUpHost(host, uniqueEmail('slides'));
  await host.getByRole('textbox', { name: 'Session title' }).fill('Slides e2e');
  await host.getByRole('button', { name: 'New session' }).click();
  await host.getByRole('list', { name: 'Your sessions' }).getByRole('listitem').filter({ hasText: 'Slides e2e' }).getByRole('link', { name: 'Open' }).click();
  await expect(host.getByText('Connected')).toBeVisible();
  const watchUrl = new URL((await host.getByRole('link', { name: 'Copy viewer link' }).getAttribute('href'))!, host.url()).toString();

  // Two viewers, one of them on a high-density screen.
  const viewers = [await openViewer(watchUrl), await openViewer(watchUrl, { deviceScaleFactor: 2 })];

  await host.getByRole('button', { name: 'Add slides tile' }).click();
  await host.getByRole('button', { name: 'Go live' }).click();
  for (const viewer of viewers) await expect(viewer.getByRole('group', { name: 'Slides' })).toContainText('No slides yet');

  // Upload by picking a file; the studio shows the progress, then the conversion.
  await host.getByTestId('slides-file-input').setInputFiles({
    name: 'Team update.pptx',
    mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    buffer: Buffer.from(await makePptx(3)),
  });
  await expect(host.getByTestId('slides-upload-status')).toBeVisible();
  for (const viewer of viewers) await expect(viewer.getByRole('group', { name: 'Slides' })).toContainText(/uploading|Preparing/, { timeout: 30_000 });

  const conversionTimeout = { timeout: 300_000 };
  await expect(host.getByRole('group', { name: 'Slides controls' }).getByText('of 3')).toBeVisible(conversionTimeout);
  for (const page of [host, ...viewers]) await expectSlide(page, 1);

  // Focus the slide controls, press →: every viewer shows slide 2.
  await host.getByRole('button', { name: 'Next ›' }).focus();
  await host.keyboard.press('ArrowLeft'); // already on the first slide: nothing happens
  await host.keyboard.press('ArrowRight');
  for (const page of [host, ...viewers]) await expectSlide(page, 2);

  // A viewer who joins now opens on slide 2.
  const late = await openViewer(watchUrl, { viewport: { width: 800, height: 600 } });
  await expectSlide(late, 2);

  // Thumbnails and the page number jump too.
  await host.getByRole('button', { name: 'Show slide 3' }).click();
  for (const page of [...viewers, late]) await expectSlide(page, 3);
  await host.getByRole('textbox', { name: 'Slide' }).fill('1');
  await host.getByRole('textbox', { name: 'Slide' }).press('Enter');
  for (const page of [...viewers, late]) await expectSlide(page, 1);

  // The deck is in My decks for later sessions.
  await expect(host.getByRole('region', { name: 'My decks' }).getByText('Team update.pptx')).toBeVisible();

  // A wrong file gets a plain message, and the deck on screen stays.
  await host.getByTestId('slides-file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(host.getByRole('alert')).toContainText('StreamCanvas shows PDF and PowerPoint files');
  await expectSlide(viewers[0]!, 1);

  for (const requests of external) await expectNoExternalRequests(requests);
  for (const context of contexts) await context.close();
});

/**
 * The page's slide: drawn (the canvas says which page), sharp (its bitmap has the device pixels
 * of its box), and showing the slide's own colour in the middle of it.
 */
async function expectSlide(page: Page, number: number) {
  const canvas = page.getByRole('group', { name: 'Slides' }).getByRole('img', { name: /^Slide \d+ of 3$/ });
  // Generous: pdf.js renders on animation frames, which a machine busy with other tests delays.
  await expect(canvas).toHaveAttribute('data-shown-page', String(number), { timeout: 60_000 });
  const probe = await canvas.evaluate((element: HTMLCanvasElement) => {
    const box = element.getBoundingClientRect();
    const context = element.getContext('2d')!;
    const [r, g, b] = context.getImageData(Math.floor(element.width / 2), Math.floor(element.height * 0.85), 1, 1).data;
    return { rgb: [r!, g!, b!], bitmapWidth: element.width, cssWidth: box.width * window.devicePixelRatio };
  });
  const expected = slideColour(number).rgb;
  for (let channel = 0; channel < 3; channel++) expect(Math.abs(probe.rgb[channel]! - expected[channel]!), `slide ${number} colour ${probe.rgb}`).toBeLessThanOrEqual(24);
  expect(Math.abs(probe.bitmapWidth - probe.cssWidth), 'one bitmap pixel per device pixel').toBeLessThanOrEqual(2);
}
