import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResultSchema, type Language, type RunResult } from '../../src/protocol/code.js';
import { attackProblems, lambdaAttacks } from '../support/lambda-harness/attacks.js';
import { harnessUnavailableReason, RUNTIME_UID, startLambdaHarness, type LambdaHarness } from '../support/lambda-harness/harness.js';

/**
 * Hostile programs against the executor as AWS Lambda runs it (see
 * tests/support/lambda-harness/harness.ts): the real handler and Lambda
 * sandbox, started through the image's runtime-entrypoint.sh as an
 * unprivileged uid with fake AWS credentials in its environment and a fake
 * Runtime API on a loopback port. User code runs as that same uid, as in
 * Lambda. Every attack must fail, no credential may appear anywhere in what
 * the function answers, and the Runtime API and another loopback service must
 * hear from nobody but the runtime.
 *
 * What only the real image can show (Docker is needed) is in the
 * executor-image workflow's smoke test, which runs the same attacks.
 */

const unavailable = harnessUnavailableReason();
if (unavailable) console.warn(`Skipping the Lambda-like executor attacks: ${unavailable}.`);


describe.skipIf(unavailable !== null)('attacks on the executor in a Lambda-like runtime', () => {
  let harness: LambdaHarness;
  let invocations = 0;
  const answers: string[] = [];

  beforeAll(async () => {
    harness = await startLambdaHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function run(language: Language, source: string): Promise<RunResult> {
    invocations++;
    const answer = await harness.invoke({ language, source, stdin: '' });
    answers.push(answer.body);
    expect(answer.kind, answer.body).toBe('response');
    return runResultSchema.parse(JSON.parse(answer.body));
  }

  function expectNoCredentialIn(text: string): void {
    for (const value of Object.values(harness.credentials)) expect(text).not.toContain(value);
  }

  it('runs user code as the runtime\'s own unprivileged user, a child of the runtime', async () => {
    const result = await run('python', 'import os\nprint(os.getuid(), os.getppid(), sorted(os.environ))');
    expect(result.status, result.message).toBe('ok');
    expect(result.stdout).toBe(`${RUNTIME_UID} ${harness.runtimePid()} ['HOME', 'LANG', 'PATH', 'TMPDIR']\n`);
  });

  for (const [name, toolchain] of [['python', '/usr/bin/python3'], ['cpp', '/usr/bin/g++'], ['java', '/usr/bin/java']] as const) {
    it.skipIf(!existsSync(toolchain))(`${name}: the runtime's environ, memory, fds and socket, every process's environ and cmdline, the Runtime API, loopback and files outside /tmp are out of reach`, async () => {
      const program = lambdaAttacks({ runtimeApiPort: harness.runtimeApiPort, otherPort: harness.otherPort, taskRoot: harness.taskRoot })
        .find((candidate) => candidate.name === name)!;
      const result = await run(program.language, program.source);
      expect(attackProblems(program, result)).toEqual([]);
    });
  }

  it('a process left behind is gone before the next run, and so are the previous run\'s files, even read-only ones', async () => {
    const marker = `lambda-leftover-${randomUUID()}`;
    const planted = [`/tmp/${marker}`, `/dev/shm/${marker}`, `/tmp/${marker}-dir/inside`];
    const first = await run('python', [
      'import os, subprocess',
      `subprocess.Popen(["/bin/sh", "-c", "sleep 60; echo ${marker}"], start_new_session=True)`,
      'if os.fork() == 0:',
      '    os.setsid()',
      `    os.execv("/bin/sh", ["sh", "-c", "sleep 60; echo ${marker}-daemon"])`,
      `os.mkdir("/tmp/${marker}-dir")`,
      `for path in ${JSON.stringify(planted)}:`,
      '    open(path, "w").write("secret of the previous run")',
      `os.chmod("/tmp/${marker}-dir", 0o500)`,
      'open("in-work-dir", "w").write("secret of the previous run")',
      'print(os.getcwd())',
    ].join('\n'));
    expect(first.status, first.stderr).toBe('ok');
    const firstWorkDir = first.stdout.trim();
    expect(firstWorkDir).toMatch(/^\/tmp\/run-/);
    expect(processesWith(marker)).toEqual([]);

    const second = await run('python', [
      'import os',
      `print([os.path.exists(path) for path in ${JSON.stringify([...planted, `${firstWorkDir}/in-work-dir`, firstWorkDir])}])`,
      `print(sorted(entry for entry in os.listdir("/tmp") if os.lstat("/tmp/" + entry).st_uid == os.getuid()) == [os.path.basename(os.getcwd())])`,
    ].join('\n'));
    expect(second.stdout).toBe('[False, False, False, False, False]\nTrue\n');
  });

  it('nothing the function answered or logged holds a credential, and only the runtime spoke to the Runtime API', () => {
    expect(answers.length).toBe(invocations);
    expectNoCredentialIn(answers.join('\n'));
    expectNoCredentialIn(harness.logs());
    expect(harness.otherConnections()).toBe(0);
    const unexpected = harness.runtimeApiRequests.filter(
      (request) =>
        !(request.method === 'GET' && request.url === '/2018-06-01/runtime/invocation/next') &&
        !(request.method === 'POST' && /^\/2018-06-01\/runtime\/invocation\/[0-9a-f-]{36}\/response$/.test(request.url)),
    );
    expect(unexpected).toEqual([]);
    const nexts = harness.runtimeApiRequests.filter((request) => request.method === 'GET').length;
    expect(nexts).toBeLessThanOrEqual(invocations + 1);
  });
});

describe.skipIf(unavailable !== null)('a runtime started without runtime-entrypoint.sh', () => {
  let harness: LambdaHarness;
  beforeAll(async () => {
    harness = await startLambdaHarness({ useEntrypoint: false });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('runs no code: it holds credentials and is dumpable, and says how to fix that', async () => {
    const answer = await harness.invoke({ language: 'python', source: 'print("ran")', stdin: '' });
    const result = runResultSchema.parse(JSON.parse(answer.body));
    expect(result.status).toBe('unavailable');
    expect(result.stdout).toBe('');
    expect(result.message).toMatch(/holds AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.*runtime-entrypoint\.sh/);
    for (const value of Object.values(harness.credentials)) expect(answer.body).not.toContain(value);
  });
});

/** Processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}
