import { expect, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';

/** Helpers the specs share: reading delivered codes and signing up as a person would. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export const PASSWORD = 'Canvas-Pass-123!';

export async function codeFor(email: string, kind = 'signUp'): Promise<string> {
  const file = process.env.STREAMCANVAS_E2E_CODES!;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const events = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { kind: string; username: string; code: string })
        .filter((event) => event.username === email && event.kind === kind);
      if (events.length) return events.at(-1)!.code;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${kind} code was delivered for ${email}`);
}

/** Fails the test on any request that leaves the machine: the app must work offline. */
export function forbidExternalRequests(page: Page): string[] {
  const external: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['localhost', '127.0.0.1'].includes(url.hostname) && !url.protocol.startsWith('data') && !url.protocol.startsWith('blob')) {
      external.push(request.url());
    }
  });
  return external;
}

export async function expectNoExternalRequests(external: string[]) {
  expect(external, `requests left the machine: ${external.join(', ')}`).toEqual([]);
}

/** Signs a new host up through the real sign-up form and waits for the dashboard. */
export async function signUpHost(page: Page, email: string, { openSignIn = true } = {}): Promise<void> {
  if (openSignIn) await page.goto('/signin');
  await page.getByRole('tab', { name: 'Create Account' }).click();
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create Account' }).click();
  // Locally no e-mail is sent: the page says where the code is instead of "We emailed you".
  await expect(page.getByRole('heading', { name: 'Your code is in the terminal' })).toBeVisible();
  await expect(page.getByText(/We Emailed You/i)).toHaveCount(0);
  await page.getByRole('textbox', { name: 'Confirmation Code' }).fill(await codeFor(email));
  await page.getByRole('button', { name: 'Confirm' }).click();
  const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
  if (await signIn.isVisible().catch(() => false)) {
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await signIn.click();
  }
  await expect(page).toHaveURL(/\/dashboard/);
}
