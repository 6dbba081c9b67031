import { expect, test, type Page } from '@playwright/test';
import { expectNoExternalRequests, forbidExternalRequests, signUpHost, uniqueEmail } from './support';

/** Issue 5 as a host and a viewer live it: real Python and C++ runs, code and output on both screens. */
test('the host runs Python with stdin and C++; a viewer sees the code and the output', async ({ page: host, browser }) => {
  test.setTimeout(120_000);
  const hostExternal = forbidExternalRequests(host);
  await signUpHost(host, uniqueEmail('coder'));
  await host.getByRole('textbox', { name: 'Session title' }).fill('Code e2e');
  await host.getByRole('button', { name: 'New session' }).click();
  await host.getByRole('list', { name: 'Your sessions' }).getByRole('listitem').filter({ hasText: 'Code e2e' }).getByRole('link', { name: 'Open' }).click();
  await expect(host.getByText('Connected')).toBeVisible();
  const watchUrl = (await host.getByRole('link', { name: 'Copy viewer link' }).getAttribute('href'))!;

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  const viewerExternal = forbidExternalRequests(viewer);
  await viewer.goto(watchUrl);

  await host.getByRole('button', { name: 'Add code tile' }).click();
  await host.getByRole('button', { name: 'Go live' }).click();
  const codeOnViewer = viewer.getByRole('group', { name: 'Code' });
  await expect(codeOnViewer).toBeVisible();

  // Python, reading stdin.
  await replaceCode(host, 'name = input()\nprint(f"Hello, {name}!")\nimport sys\nprint("to stderr", file=sys.stderr)\n');
  await host.getByRole('textbox', { name: 'Input (stdin)' }).fill('viewers');
  await host.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(codeOnViewer.getByTestId('run-stdout')).toHaveText('Hello, viewers!', { timeout: 30_000 });
  await expect(codeOnViewer.getByTestId('run-stderr')).toHaveText('to stderr');
  await expect(codeOnViewer.getByTestId('run-status')).toHaveText('Finished');
  await expect(codeOnViewer).toContainText('exit code 0');
  // Viewers see the code as typed, highlighted and copyable.
  await expect(codeOnViewer.getByRole('textbox', { name: 'Python 3 code' })).toContainText('print(f"Hello, {name}!")');

  // C++: a compile error first, then a program that runs.
  await host.getByRole('combobox', { name: 'Language' }).selectOption('cpp');
  await replaceCode(host, '#include <iostream>\nint main() { std::cout << missing << std::endl; }\n');
  await host.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(codeOnViewer.getByTestId('run-status')).toHaveText('Compile error', { timeout: 30_000 });
  await expect(codeOnViewer.getByTestId('run-compiler')).toContainText('missing');
  // The program never ran: no run time ("0 ms" was shown before), only the compile time.
  await expect(codeOnViewer.getByRole('status').filter({ hasText: 'Compile error' })).not.toContainText('ran ');
  await expect(codeOnViewer.getByRole('status').filter({ hasText: 'Compile error' })).toContainText('compiled in');

  await replaceCode(host, '#include <iostream>\nint main() {\n  long sum = 0;\n  for (int i = 1; i <= 100; i++) sum += i;\n  std::cout << "sum=" << sum << std::endl;\n  return 3;\n}\n');
  await host.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(codeOnViewer.getByTestId('run-stdout')).toHaveText('sum=5050', { timeout: 30_000 });
  await expect(codeOnViewer.getByTestId('run-status')).toHaveText('Runtime error');
  await expect(codeOnViewer).toContainText('exit code 3');
  await expect(codeOnViewer.getByRole('textbox', { name: 'C++ (g++) code' })).toContainText('sum += i');

  await expectNoExternalRequests(hostExternal);
  await expectNoExternalRequests(viewerExternal);
  await viewerContext.close();
});

/** Replaces the editor's content the way a person would: select all, type. */
async function replaceCode(page: Page, code: string) {
  // Named by the tile's kind and language, never by its internal id.
  const editor = page.getByRole('textbox', { name: /^(Python 3|C\+\+ \(g\+\+\)) source of the code tile$/ });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // CodeMirror auto-indents and closes brackets as you type; insertText puts the code in verbatim.
  await page.keyboard.insertText(code);
}
