import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../local/stack.js';
import { freeStackPorts } from '../support/local-stack.js';

/** Boots the local stack with the built app for the whole e2e run; codes go to a file the tests read. */
export default async function globalSetup() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // Handlers log JSON for CloudWatch; in test output only warnings and errors help.
  process.env.LOG_LEVEL ??= 'WARN';
  const dataDir = mkdtempSync(join(tmpdir(), 'streamcanvas-e2e-'));
  const codesFile = join(dataDir, 'codes.jsonl');
  const stack = await startLocalStack({
    dataDir,
    ports: await freeStackPorts(),
    web: { kind: 'static', dir: 'dist' },
    onCode: (event) => appendFileSync(codesFile, `${JSON.stringify(event)}\n`),
    log: () => undefined,
  });
  process.env.STREAMCANVAS_E2E_URL = stack.webUrl;
  process.env.STREAMCANVAS_E2E_CODES = codesFile;
  process.env.STREAMCANVAS_E2E_HTTP_API = stack.httpApiUrl;
  return async () => stack.stop();
}
