import { describe, expect, it } from 'vitest';
import { runResultSchema, type RunRequestInput } from '../../src/protocol/code.js';
import { availableLanguages, runCode, type RunCodeDeps } from '../../amplify/executor/run-code.js';
import type {
  CompileOutcome,
  RunOutcome,
  Sandbox,
  SandboxJob,
  SandboxJobResult,
} from '../../amplify/executor/sandbox.js';

/** The executor core against a fake sandbox: job building, availability, and every status mapping. */

interface FakeSandbox extends Sandbox {
  jobs: SandboxJob[];
}

function fakeSandbox(options: {
  result?: SandboxJobResult | ((job: SandboxJob) => SandboxJobResult | Promise<SandboxJobResult>);
  unavailable?: string;
  missingPrograms?: string[];
} = {}): FakeSandbox {
  const jobs: SandboxJob[] = [];
  return {
    name: 'fake',
    jobs,
    availability: async () =>
      options.unavailable ? { available: false, message: options.unavailable } : { available: true },
    findProgram: async (name) => (options.missingPrograms?.includes(name) ? null : `/usr/bin/${name}`),
    runJob: async (job) => {
      jobs.push(job);
      const result = options.result ?? completed({ run: run({}) });
      return typeof result === 'function' ? result(job) : result;
    },
  };
}

const run = (overrides: Partial<RunOutcome>): RunOutcome => ({
  exitCode: 0,
  signal: null,
  durationMs: 12.34,
  timedOut: false,
  stdout: 'out',
  stderr: '',
  outputLimitExceeded: false,
  ...overrides,
});
const compile = (overrides: Partial<CompileOutcome>): CompileOutcome => ({
  exitCode: 0,
  signal: null,
  durationMs: 200,
  timedOut: false,
  output: '',
  outputTruncated: false,
  ...overrides,
});
const completed = (parts: { compile?: CompileOutcome; run?: RunOutcome }): SandboxJobResult => ({ kind: 'completed', ...parts });

function depsWith(sandbox: Sandbox, transpile: RunCodeDeps['transpileTypeScript'] = async (source) => ({ ok: true, code: `/*js*/${source}` })): RunCodeDeps {
  let now = 0;
  return { sandbox, clock: () => (now += 5), transpileTypeScript: transpile };
}

async function runWith(request: RunRequestInput, sandbox: Sandbox, transpile?: RunCodeDeps['transpileTypeScript']) {
  const result = await runCode(request, depsWith(sandbox, transpile));
  // Whatever happens, the answer has the one RunResult shape.
  expect(runResultSchema.safeParse(result).success).toBe(true);
  return result;
}

describe('runCode builds the sandbox job', () => {
  it('writes the source, feeds stdin, and limits the run to 5 s, 256 MB and 64 KB of output', async () => {
    const sandbox = fakeSandbox();
    await runWith({ language: 'python', source: 'print(1)', stdin: 'in' }, sandbox);
    const [job] = sandbox.jobs;
    expect(job?.files).toEqual([{ name: 'main.py', content: 'print(1)' }]);
    expect(job?.stdin).toBe('in');
    expect(job?.compile).toBeUndefined();
    expect(job?.run.argv).toEqual(['python3', '-u', 'main.py']);
    expect(job?.run.limits).toMatchObject({ wallMs: 5000, dataBytes: 256 * 1024 * 1024 });
    expect(job?.maxOutputBytes).toBe(64 * 1024);
  });

  it('defaults stdin to empty', async () => {
    const sandbox = fakeSandbox();
    await runWith({ language: 'python', source: 'print(1)' }, sandbox);
    expect(sandbox.jobs[0]?.stdin).toBe('');
  });

  it('compiles first for compiled languages, with the compile limits', async () => {
    const sandbox = fakeSandbox({ result: completed({ compile: compile({}), run: run({}) }) });
    await runWith({ language: 'cpp', source: 'int main(){}' }, sandbox);
    const [job] = sandbox.jobs;
    expect(job?.compile?.argv).toContain('main.cpp');
    expect(job?.compile?.limits.wallMs).toBe(10_000);
    expect(job?.run.argv).toEqual(['./main']);
  });

  it('names the Java file after its public class', async () => {
    const sandbox = fakeSandbox({ result: completed({ compile: compile({}), run: run({}) }) });
    await runWith({ language: 'java', source: 'public class Solution { public static void main(String[] a) {} }' }, sandbox);
    expect(sandbox.jobs[0]?.files[0]?.name).toBe('Solution.java');
    expect(sandbox.jobs[0]?.run.argv.at(-1)).toBe('Solution');
  });

  it('transpiles TypeScript in the parent and runs the JavaScript, counting the transpile as compile time', async () => {
    const sandbox = fakeSandbox();
    const result = await runWith({ language: 'typescript', source: 'const x: number = 1' }, sandbox);
    expect(sandbox.jobs[0]?.files[0]).toEqual({ name: 'main.mjs', content: '/*js*/const x: number = 1' });
    expect(result.compileMs).toBe(5);
  });
});

describe('runCode refuses what cannot run', () => {
  it('answers invalid_request for a bad request, without running anything', async () => {
    const sandbox = fakeSandbox();
    const result = await runWith({ language: 'cobol', source: '' } as unknown as RunRequestInput, sandbox);
    expect(result.status).toBe('invalid_request');
    expect(result.message).toMatch(/language/);
    expect(sandbox.jobs).toHaveLength(0);
  });

  it('answers invalid_request for source over 64 KB', async () => {
    const result = await runWith({ language: 'python', source: 'x'.repeat(64 * 1024 + 1) }, fakeSandbox());
    expect(result.status).toBe('invalid_request');
    expect(result.message).toMatch(/64 KB/);
  });

  it('answers unavailable with the sandbox message when the sandbox cannot run', async () => {
    const sandbox = fakeSandbox({ unavailable: 'install it with `apt-get install bubblewrap`' });
    const result = await runWith({ language: 'python', source: 'print(1)' }, sandbox);
    expect(result).toMatchObject({ status: 'unavailable', message: expect.stringContaining('apt-get install bubblewrap') });
    expect(sandbox.jobs).toHaveLength(0);
  });

  it('answers unavailable naming the packages when a toolchain is missing', async () => {
    const sandbox = fakeSandbox({ missingPrograms: ['mcs'] });
    const result = await runWith({ language: 'csharp', source: 'class P {}' }, sandbox);
    expect(result.status).toBe('unavailable');
    expect(result.message).toContain('mono-mcs and mono-runtime');
  });

  it('reports TypeScript syntax errors as compile errors without starting the sandbox', async () => {
    const sandbox = fakeSandbox();
    const result = await runWith({ language: 'typescript', source: 'const = ;' }, sandbox, async () => ({ ok: false, message: 'main.ts:1:6: ERROR: Expected identifier' }));
    expect(result).toMatchObject({ status: 'compile_error', compileOutput: expect.stringContaining('Expected identifier') });
    expect(sandbox.jobs).toHaveLength(0);
  });

  it('answers internal_error when the sandbox throws', async () => {
    const sandbox = fakeSandbox({ result: () => { throw new Error('spawn EAGAIN'); } });
    const result = await runWith({ language: 'python', source: 'print(1)' }, sandbox);
    expect(result).toMatchObject({ status: 'internal_error', message: expect.stringContaining('spawn EAGAIN') });
  });

  it('answers internal_error when the sandbox itself failed', async () => {
    const result = await runWith({ language: 'python', source: '' }, fakeSandbox({ result: { kind: 'failed', message: 'bwrap: setting up uid map' } }));
    expect(result).toMatchObject({ status: 'internal_error', message: expect.stringContaining('uid map') });
  });
});

describe('runCode maps what happened to a status', () => {
  const python = { language: 'python', source: 'x' } as const;
  const cpp = { language: 'cpp', source: 'x' } as const;

  it('ok: exit code 0, with output and durations', async () => {
    const result = await runWith(cpp, fakeSandbox({ result: completed({ compile: compile({ durationMs: 150.04 }), run: run({ stdout: 'hi\n' }) }) }));
    expect(result).toMatchObject({ status: 'ok', exitCode: 0, stdout: 'hi\n', durationMs: 12.3, compileMs: 150, truncated: false });
    expect(result.compileOutput).toBeUndefined();
  });

  it('compile_error: the compiler exited non-zero; its output is returned and nothing ran', async () => {
    const result = await runWith(cpp, fakeSandbox({ result: completed({ compile: compile({ exitCode: 1, output: 'main.cpp:1: error' }) }) }));
    expect(result).toMatchObject({ status: 'compile_error', compileOutput: 'main.cpp:1: error', exitCode: null, stdout: '' });
  });

  it('compile_error: compilation past its limit', async () => {
    const result = await runWith(cpp, fakeSandbox({ result: completed({ compile: compile({ exitCode: null, signal: 'SIGKILL', timedOut: true }) }) }));
    expect(result.status).toBe('compile_error');
    expect(result.message).toMatch(/longer than 10 s/);
  });

  it('runtime_error: a non-zero exit code', async () => {
    const result = await runWith(python, fakeSandbox({ result: completed({ run: run({ exitCode: 3 }) }) }));
    expect(result).toMatchObject({ status: 'runtime_error', exitCode: 3, message: 'The program exited with code 3.' });
  });

  it('runtime_error: killed by a signal', async () => {
    const result = await runWith(cpp, fakeSandbox({ result: completed({ compile: compile({}), run: run({ exitCode: null, signal: 'SIGSEGV' }) }) }));
    expect(result).toMatchObject({ status: 'runtime_error', exitCode: null, signal: 'SIGSEGV' });
  });

  it('runtime_error: a file over the size limit (SIGXFSZ)', async () => {
    const result = await runWith(python, fakeSandbox({ result: completed({ run: run({ exitCode: null, signal: 'SIGXFSZ' }) }) }));
    expect(result.status).toBe('runtime_error');
    expect(result.message).toMatch(/file larger than 16 MB/);
  });

  it('timeout: killed at the wall-clock limit', async () => {
    const result = await runWith(python, fakeSandbox({ result: completed({ run: run({ exitCode: null, signal: 'SIGKILL', timedOut: true }) }) }));
    expect(result).toMatchObject({ status: 'timeout', message: expect.stringMatching(/longer than 5 s/) });
  });

  it('timeout: the CPU limit (SIGXCPU)', async () => {
    const result = await runWith(python, fakeSandbox({ result: completed({ run: run({ exitCode: null, signal: 'SIGXCPU' }) }) }));
    expect(result.status).toBe('timeout');
  });

  it('memory_limit: the runtime reports running out of memory', async () => {
    const stderr = 'Traceback (most recent call last):\nMemoryError\n';
    const result = await runWith(python, fakeSandbox({ result: completed({ run: run({ exitCode: 1, stderr }) }) }));
    expect(result).toMatchObject({ status: 'memory_limit', stderr, message: expect.stringContaining('256 MB') });
  });

  it('memory_limit: C++ std::bad_alloc', async () => {
    const stderr = "terminate called after throwing an instance of 'std::bad_alloc'\n";
    const result = await runWith(cpp, fakeSandbox({ result: completed({ compile: compile({}), run: run({ exitCode: null, signal: 'SIGABRT', stderr }) }) }));
    expect(result.status).toBe('memory_limit');
  });

  it('output_limit: stopped at 64 KB, output kept and marked truncated', async () => {
    const result = await runWith(python, fakeSandbox({ result: completed({ run: run({ exitCode: null, signal: 'SIGKILL', outputLimitExceeded: true, stdout: 'y'.repeat(65536) }) }) }));
    expect(result).toMatchObject({ status: 'output_limit', truncated: true });
    expect(result.stdout).toHaveLength(65536);
  });

  it('marks truncated compiler output', async () => {
    const result = await runWith(cpp, fakeSandbox({ result: completed({ compile: compile({ exitCode: 1, output: 'e'.repeat(10), outputTruncated: true }) }) }));
    expect(result).toMatchObject({ status: 'compile_error', truncated: true });
  });
});

describe('availableLanguages', () => {
  it('lists every language, and for missing ones what to install', async () => {
    const list = await availableLanguages({ sandbox: fakeSandbox({ missingPrograms: ['mono', 'javac'] }) });
    expect(list.map((entry) => entry.language)).toEqual(['python', 'javascript', 'typescript', 'java', 'cpp', 'csharp']);
    expect(list.filter((entry) => entry.available).map((entry) => entry.language)).toEqual(['python', 'javascript', 'typescript', 'cpp']);
    expect(list.find((entry) => entry.language === 'csharp')?.message).toMatch(/mono-mcs and mono-runtime/);
    expect(list.find((entry) => entry.language === 'java')?.message).toMatch(/JDK 17/);
  });

  it('marks everything unavailable with the sandbox message when there is no sandbox', async () => {
    const list = await availableLanguages({ sandbox: fakeSandbox({ unavailable: 'apt-get install bubblewrap' }) });
    expect(list.every((entry) => !entry.available && entry.message === 'apt-get install bubblewrap')).toBe(true);
  });
});
