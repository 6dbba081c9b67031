import { expect, test } from '@playwright/test';
import { expectNoExternalRequests, forbidExternalRequests, signUpHost, uniqueEmail } from './support';

/** Issue 2's flow as a new user lives it: account, session, viewer link, end, sign out. */
test('sign up, confirm, sign in, create a session, watch it signed out, end it, sign out', async ({ page, browser }) => {
  test.setTimeout(120_000); // the whole account flow; generous for a busy machine
  const external = forbidExternalRequests(page);
  const email = uniqueEmail('host');

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'StreamCanvas' })).toBeVisible();
  await page.getByRole('link', { name: 'Sign in to host' }).click();

  await signUpHost(page, email, { openSignIn: false });
  await expect(page.getByTestId('user-email')).toContainText(email);
  await expect(page.getByRole('heading', { name: 'No sessions yet' })).toBeVisible();

  await page.getByRole('textbox', { name: 'Session title' }).fill('Live coding: binary search');
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByRole('textbox', { name: 'Session title' }).fill('Second session');
  await page.getByRole('button', { name: 'New session' }).click();

  const list = page.getByRole('list', { name: 'Your sessions' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(list.getByRole('listitem').first()).toContainText('Second session');
  const row = list.getByRole('listitem').filter({ hasText: 'Live coding: binary search' });
  await expect(row).toContainText('Active');

  const viewerLink = await row.getByRole('link', { name: 'Copy viewer link' }).getAttribute('href');
  expect(viewerLink).toMatch(/\/watch\/[0-9a-f-]{36}$/);

  // A second, signed-out browser context opens the viewer link.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  const viewerExternal = forbidExternalRequests(viewer);
  await viewer.goto(new URL(viewerLink!, page.url()).toString());
  await expect(viewer.getByRole('region', { name: 'Canvas of Live coding: binary search' })).toBeVisible();

  const endButton = row.getByRole('button', { name: 'End', exact: true });
  await endButton.click();
  const dialog = page.getByRole('dialog', { name: 'End this session?' });
  // The native modal dialog: focus starts on Cancel, Tab never leaves it, Escape closes it
  // and focus goes back to the button that opened it.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((element) => element.contains(document.activeElement) || document.activeElement === document.body)).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(endButton).toBeFocused();
  await endButton.click();
  await dialog.getByRole('button', { name: 'End session' }).click();
  await expect(row).toContainText('Ended');

  // An ended session's link opens its replay.
  await viewer.reload();
  await expect(viewer.getByRole('region', { name: 'Replay of Live coding: binary search' })).toBeVisible();
  await viewerContext.close();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/signin/);

  await expectNoExternalRequests(external);
  await expectNoExternalRequests(viewerExternal);
});
