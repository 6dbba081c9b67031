import { describe, expect, it } from 'vitest';
import { runResultSchema } from '../../src/protocol/code.js';
import { createCodeRunnerHandler, type CodeRunnerDeps } from '../../amplify/functions/code-runner/handler.js';
import type { Sandbox, SandboxJob } from '../../amplify/executor/sandbox.js';

/** The Lambda entry: validation answers with a RunResult, never a throw; valid requests reach the sandbox. */

function deps(): CodeRunnerDeps & { jobs: SandboxJob[]; logs: Record<string, unknown>[] } {
  const jobs: SandboxJob[] = [];
  const logs: Record<string, unknown>[] = [];
  const sandbox: Sandbox = {
    name: 'fake',
    availability: async () => ({ available: true }),
    findProgram: async (name) => `/usr/bin/${name}`,
    runJob: async (job) => {
      jobs.push(job);
      return { kind: 'completed', run: { exitCode: 0, signal: null, durationMs: 3, timedOut: false, stdout: 'hi\n', stderr: '', outputLimitExceeded: false } };
    },
  };
  return { sandbox, clock: () => 0, transpileTypeScript: async (code) => ({ ok: true, code }), log: (entry) => logs.push(entry), jobs, logs };
}

describe('the code-runner handler', () => {
  it('runs a valid request and answers with its RunResult', async () => {
    const d = deps();
    const result = await createCodeRunnerHandler(() => d)({ language: 'python', source: 'print("hi")' });
    expect(result).toMatchObject({ status: 'ok', stdout: 'hi\n' });
    expect(d.jobs).toHaveLength(1);
  });

  it.each([
    ['no event', undefined],
    ['a string', 'print(1)'],
    ['an unknown language', { language: 'rust', source: 'fn main() {}' }],
    ['a missing source', { language: 'python' }],
    ['stdin over 16 KB', { language: 'python', source: '', stdin: 'x'.repeat(16 * 1024 + 1) }],
    ['unknown fields', { language: 'python', source: '', env: { A: '1' } }],
  ])('answers invalid_request for %s, without running anything', async (_case, event) => {
    const d = deps();
    const result = await createCodeRunnerHandler(() => d)(event);
    expect(result.status).toBe('invalid_request');
    expect(result.message).toMatch(/Invalid run request/);
    expect(runResultSchema.safeParse(result).success).toBe(true);
    expect(d.jobs).toHaveLength(0);
  });

  it('logs status and timings, never the source or the output', async () => {
    const d = deps();
    await createCodeRunnerHandler(() => d)({ language: 'python', source: 'print("secret-source")' });
    expect(d.logs).toEqual([expect.objectContaining({ language: 'python', status: 'ok' })]);
    expect(JSON.stringify(d.logs)).not.toMatch(/secret-source|hi/);
  });
});
