import { spawnSync } from 'node:child_process';

/**
 * `npm run test:e2e`: builds the app, then runs Playwright inside a network namespace with
 * only loopback, so WebRTC stays on 127.0.0.1 and any fetch from the internet fails at once.
 */
function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): number {
  const result = spawnSync(command, args, { stdio: 'inherit', env: options.env ?? process.env });
  return result.status ?? 1;
}

if (!process.argv.includes('--no-build') && run('npx', ['vite', 'build', '--logLevel', 'warn']) !== 0) process.exit(1);

const playwright = ['npx', 'playwright', 'test', '-c', 'tests/e2e/playwright.config.ts', ...process.argv.slice(2).filter((a) => a !== '--no-build')];
const canIsolate = spawnSync('unshare', ['-n', 'true']).status === 0;
if (canIsolate) {
  process.exit(run('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec ${playwright.map((a) => `'${a}'`).join(' ')}`]));
} else {
  console.warn('\n  Note: cannot create a network namespace here (needs root or user namespaces); running without network isolation.\n');
  process.exit(run(playwright[0]!, playwright.slice(1)));
}
