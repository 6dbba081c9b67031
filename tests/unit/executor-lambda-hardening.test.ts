import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CREDENTIAL_VARIABLES, runtimeHardeningProblem } from '../../amplify/executor/lambda-sandbox.js';

/**
 * The Lambda sandbox's check that the runtime holds nothing for user code (run as the same user)
 * to steal. A fake /proc/self stands in for the kernel's: a non-dumpable process's /proc files
 * belong to root. (tests/integration/executor-lambda-runtime.test.ts checks the real thing.)
 */

const procSelf = mkdtempSync(join(tmpdir(), 'fake-proc-self-'));
writeFileSync(join(procSelf, 'environ'), '');
afterAll(() => rmSync(procSelf, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const RUNTIME_UID = 993;

describe('runtimeHardeningProblem', () => {
  it.skipIf(!isRoot)('accepts a non-dumpable runtime without credentials', async () => {
    chownSync(join(procSelf, 'environ'), 0, 0);
    expect(await runtimeHardeningProblem({ AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' }, RUNTIME_UID, procSelf)).toBeNull();
  });

  it.each(CREDENTIAL_VARIABLES)('refuses a runtime whose environment holds %s, and names the entrypoint', async (name) => {
    const problem = await runtimeHardeningProblem({ [name]: 'x' }, RUNTIME_UID, procSelf);
    expect(problem).toContain(`holds ${name}`);
    expect(problem).toContain('runtime-entrypoint.sh');
  });

  it.skipIf(!isRoot)('refuses a dumpable runtime (its /proc files are its own)', async () => {
    chownSync(join(procSelf, 'environ'), RUNTIME_UID, RUNTIME_UID);
    const problem = await runtimeHardeningProblem({}, RUNTIME_UID, procSelf);
    expect(problem).toMatch(/dumpable.*runtime-entrypoint\.sh/);
  });
});
