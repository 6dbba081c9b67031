import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Language, RunResult } from '../../src/protocol/code.js';
import { createBwrapSandbox } from '../../amplify/executor/bwrap-sandbox.js';
import { createLambdaSandbox } from '../../amplify/executor/lambda-sandbox.js';
import { availableLanguages, runCode, type RunCodeDeps } from '../../amplify/executor/run-code.js';
import type { Sandbox } from '../../amplify/executor/sandbox.js';
import { transpileTypeScriptWithEsbuild } from '../../amplify/executor/typescript-transpiler.js';

/**
 * Hostile programs against the bubblewrap sandbox, one test per attack, each
 * asserting containment from the outside (the host's view), not just the
 * status the executor reports. Python mostly: it starts fastest.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const depsFor = (sandbox: Sandbox): RunCodeDeps => ({
  sandbox,
  clock: () => performance.now(),
  transpileTypeScript: transpileTypeScriptWithEsbuild,
});
const bwrap = depsFor(createBwrapSandbox());
const available = new Set(
  (await availableLanguages(bwrap)).filter((entry) => entry.available).map((entry) => entry.language),
);

async function timed(language: Language, source: string, deps = bwrap, stdin = ''): Promise<{ result: RunResult; elapsedMs: number }> {
  const startedAt = performance.now();
  const result = await runCode({ language, source, stdin }, deps);
  return { result, elapsedMs: performance.now() - startedAt };
}
const python = (source: string, deps = bwrap) => timed('python', source, deps);
const everything = (result: RunResult) => `${result.stdout}\n${result.stderr}\n${result.compileOutput ?? ''}`;

/** Host processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

const skipPython = !available.has('python');

/**
 * Proves a run was stopped rather than left to run on (these would otherwise last 30 s or
 * forever), with room for a busy machine: speed belongs in `npm run bench`, not here.
 */
const STOPPED_WITHIN_MS = 20_000;

describe.concurrent('attacks on the bubblewrap sandbox', () => {
  it.skipIf(skipPython)('an infinite loop is stopped at the 5 s limit', async () => {
    const { result, elapsedMs } = await python('while True:\n    pass');
    expect(result).toMatchObject({ status: 'timeout', exitCode: null });
    expect(elapsedMs).toBeLessThan(STOPPED_WITHIN_MS);
  });

  it.skipIf(!available.has('cpp'))('allocating 2 GB gets at most the 256 MB limit, and the host keeps its memory', async () => {
    // Touches every page it gets, in 64 MB steps, so the limit is on real memory, not a lazy reservation.
    const { result, elapsedMs } = await timed('cpp', [
      '#include <cstdio>', '#include <cstdlib>', '#include <cstring>',
      'int main() {',
      '  long got = 0;',
      '  for (int i = 0; i < 32; i++) {',
      '    char* p = (char*) malloc(64L << 20);',
      '    if (!p) { printf("refused after %ld MB\\n", got); return 1; }',
      '    memset(p, 1, 64L << 20); got += 64;',
      '  }',
      '  printf("allocated %ld MB\\n", got);',
      '}',
    ].join('\n'));
    expect(['memory_limit', 'runtime_error']).toContain(result.status);
    const granted = Number(/refused after (\d+) MB/.exec(result.stdout)?.[1]);
    expect(granted).toBeLessThanOrEqual(256);
    expect(elapsedMs).toBeLessThan(STOPPED_WITHIN_MS);
  });

  it.skipIf(skipPython)('a 2 GB allocation in a managed runtime is a memory_limit', async () => {
    const { result } = await python('blob = bytearray(2 * 1024 ** 3)\nprint(len(blob))');
    expect(result.status).toBe('memory_limit');
    expect(result.stdout).toBe('');
  });

  it.skipIf(skipPython)('a fork bomb hits the process limit, and every process dies with the run', async () => {
    const marker = `forkbomb-${randomUUID()}`;
    // Re-exec with a marker so the host can find any survivor; every child holds its slot by sleeping.
    const { result, elapsedMs } = await python([
      'import os, sys, time',
      `if len(sys.argv) < 2: os.execv("/usr/bin/python3", ["python3", "-u", "main.py", "${marker}"])`,
      'children = 0',
      'while True:',
      '    try:',
      '        if os.fork() == 0:',
      '            time.sleep(60)',
      '            os._exit(0)',
      '        children += 1',
      '    except OSError as error:',
      '        print("refused after", children, "children:", error.strerror)',
      '        break',
    ].join('\n'));
    expect(result.status).toBe('ok');
    const children = Number(/refused after (\d+) children/.exec(result.stdout)?.[1]);
    expect(children).toBeGreaterThan(5);
    expect(children).toBeLessThan(64);
    expect(elapsedMs).toBeLessThan(STOPPED_WITHIN_MS);
    expect(processesWith(marker)).toEqual([]);
    expect(execFileSync('/bin/echo', ['host still forks']).toString()).toBe('host still forks\n');
  });

  it.skipIf(skipPython)('a 1 GB file stops at the 16 MB file-size limit', async () => {
    const { result } = await python([
      'chunk = b"\\0" * (1 << 20)',
      'with open("big.bin", "wb") as f:',
      '    for i in range(1024):',
      '        f.write(chunk)',
    ].join('\n'));
    expect(result.status).toBe('runtime_error');
    expect(result.stderr).toMatch(/File too large/);
  });

  it.skipIf(skipPython)('filling the disk stops at the tmpfs sizes; the root and /dev are read-only', async () => {
    const { result } = await python([
      'import errno, os',
      'chunk = b"\\0" * (1 << 20)',
      'for directory in ["/sandbox", "/tmp", "/dev/shm", "/", "/dev", "/usr"]:',
      '    written = 0',
      '    try:',
      '        for i in range(100000):',
      '            with open(os.path.join(directory, "fill%d" % i), "wb") as f:',
      '                f.write(chunk[: (1 << 20) - 4096])',
      '            written += 1',
      '    except OSError as error:',
      '        print(directory, written, errno.errorcode[error.errno])',
    ].join('\n'));
    const lines = Object.fromEntries(result.stdout.trim().split('\n').map((line) => {
      const [dir, megabytes, code] = line.split(' ');
      return [dir, { megabytes: Number(megabytes), code }];
    }));
    for (const dir of ['/sandbox', '/tmp']) expect(lines[dir]).toMatchObject({ code: 'ENOSPC', megabytes: expect.any(Number) });
    expect(lines['/sandbox']!.megabytes).toBeLessThanOrEqual(33);
    expect(lines['/tmp']!.megabytes).toBeLessThanOrEqual(33);
    expect(lines['/dev/shm']).toMatchObject({ code: 'ENOSPC' });
    expect(lines['/dev/shm']!.megabytes).toBeLessThanOrEqual(9);
    for (const dir of ['/', '/dev', '/usr']) expect(lines[dir]).toEqual({ megabytes: 0, code: 'EROFS' });
  });

  it.skipIf(skipPython)('100 MB of output is cut at 64 KB and the run returns promptly', async () => {
    const { result, elapsedMs } = await python('import sys\nchunk = "x" * 65536\nfor i in range(1600):\n    sys.stdout.write(chunk)');
    expect(result).toMatchObject({ status: 'output_limit', truncated: true });
    expect(result.stdout.length + result.stderr.length).toBeLessThanOrEqual(64 * 1024);
    expect(result.stdout.length).toBeGreaterThan(60 * 1024);
    expect(elapsedMs).toBeLessThan(STOPPED_WITHIN_MS);
  });

  describe('the network', () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it.skipIf(skipPython)('a socket to a listener on the host\'s 127.0.0.1 gets nowhere', async () => {
      const { result } = await python([
        'import socket',
        'for family in (socket.AF_INET, socket.AF_INET6):',
        '    try:',
        `        socket.create_connection(("127.0.0.1" if family == socket.AF_INET else "::1", ${port}), timeout=1)`,
        '        print("connected")',
        '    except OSError as error:',
        '        print("refused:", error)',
      ].join('\n'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(connections).toBe(0);
      expect(result.stdout).not.toMatch(/connected/);
      expect(result.stdout).toMatch(/refused: \[Errno 1\] Operation not permitted/);
    });
  });

  describe('host files', () => {
    const secret = randomUUID();
    const secretFile = join(repoRoot, `.executor-attack-secret-${secret.slice(0, 8)}`);
    beforeAll(() => writeFileSync(secretFile, secret));
    afterAll(() => rmSync(secretFile, { force: true }));

    it.skipIf(skipPython)('/etc/shadow and a secret file in the repository cannot be read', async () => {
      const { result } = await python([
        'import os',
        `for path in ["/etc/shadow", "/etc/passwd", ${JSON.stringify(secretFile)}, ${JSON.stringify(repoRoot)}, "/root", "/home"]:`,
        '    try:',
        '        print(path, "READ", open(path).read() if os.path.isfile(path) else os.listdir(path))',
        '    except OSError as error:',
        '        print(path, "denied:", error.strerror)',
      ].join('\n'));
      expect(everything(result)).not.toContain(secret);
      expect(result.stdout).not.toMatch(/READ/);
      expect(result.stdout).toMatch(/\/etc\/shadow denied: No such file or directory/);
    });
  });

  describe('the parent environment', () => {
    const secret = `env-secret-${randomUUID()}`;
    beforeAll(() => {
      process.env.EXECUTOR_ATTACK_SECRET = secret;
    });
    afterAll(() => {
      delete process.env.EXECUTOR_ATTACK_SECRET;
    });

    it.skipIf(skipPython)('is invisible: not in the environment, not in any /proc/*/environ or cmdline', async () => {
      const { result } = await python([
        'import os',
        'print(dict(os.environ))',
        'for pid in [p for p in os.listdir("/proc") if p.isdigit()]:',
        '    for name in ("environ", "cmdline"):',
        '        try:',
        '            print(pid, name, open("/proc/%s/%s" % (pid, name), "rb").read())',
        '        except OSError as error:',
        '            print(pid, name, error.strerror)',
      ].join('\n'));
      expect(result.status).toBe('ok');
      expect(result.stdout).toMatch(/^1 environ b''$/m);
      expect(everything(result)).not.toContain(secret);
      expect(result.stdout).toMatch(/'PATH': '\/usr\/local\/bin:\/usr\/bin'/);
    });
  });

  it.skipIf(skipPython)('a background process does not outlive the run, even detached and holding stdout', async () => {
    const marker = `leftover-${randomUUID()}`;
    const { result, elapsedMs } = await python([
      'import os, subprocess',
      `subprocess.Popen(["/bin/sh", "-c", "sleep 30; echo ${marker}"], start_new_session=True)`,
      'if os.fork() == 0:',
      '    os.setsid()',
      `    os.execv("/bin/sh", ["sh", "-c", "sleep 30; echo ${marker}-daemon"])`,
      'print("started")',
    ].join('\n'));
    expect(result).toMatchObject({ status: 'ok', stdout: 'started\n' });
    expect(elapsedMs).toBeLessThan(STOPPED_WITHIN_MS);
    expect(processesWith(marker)).toEqual([]);
  });

  it.skipIf(skipPython)('nothing persists from one run to the next', async () => {
    const name = `persist-${randomUUID()}`;
    const paths = [`/sandbox/${name}`, `/tmp/${name}`, `/dev/shm/${name}`];
    const first = await python(`for path in ${JSON.stringify(paths)}:\n    open(path, "w").write("x")\nprint("written")`);
    expect(first.result.stdout).toBe('written\n');
    const second = await python(`import os\nprint([os.path.exists(path) for path in ${JSON.stringify(paths)}])`);
    expect(second.result.stdout).toBe('[False, False, False]\n');
  });

  it.skipIf(skipPython)('nested user namespaces (and other namespaces) cannot be created', async () => {
    const { result } = await python([
      'import ctypes, subprocess',
      'print("unshare -U:", subprocess.run(["unshare", "-U", "true"], capture_output=True).returncode)',
      'print("unshare -n:", subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode)',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'print("unshare(CLONE_NEWUSER):", libc.unshare(0x10000000), ctypes.get_errno())',
    ].join('\n'));
    expect(result.stdout).toMatch(/^unshare -U: [1-9]/m);
    expect(result.stdout).toMatch(/^unshare -n: [1-9]/m);
    expect(result.stdout).toMatch(/^unshare\(CLONE_NEWUSER\): -1 1$/m);
  });

  it.skipIf(skipPython)('killing every visible process only ends the sandbox\'s own', async () => {
    const { result } = await python('import os, signal\nos.kill(-1, signal.SIGKILL)');
    expect(['ok', 'runtime_error']).toContain(result.status);
    expect(process.kill(process.pid, 0)).toBe(true);
  });
});

/**
 * The Lambda variant has no namespaces; it relies on the launcher (rlimits,
 * seccomp, empty environment), the sweep and the wipe. Here it runs code as a
 * dedicated uid, which needs root; as any other user these are skipped.
 */
const isRoot = process.getuid?.() === 0;
describe.skipIf(!isRoot || skipPython)('attacks on the Lambda sandbox (run as a dedicated uid)', () => {
  let scratch = '';
  let lambda: RunCodeDeps;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'executor-lambda-'));
    execFileSync('chmod', ['1777', scratch]); // like /tmp in Lambda: user code can write anywhere in it
    lambda = depsFor(createLambdaSandbox({ scratchDir: scratch, codeUser: 65531 }));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('runs code without our environment, as the dedicated uid', async () => {
    process.env.EXECUTOR_ATTACK_SECRET = 'lambda-env-secret';
    try {
      const { result } = await python('import os\nprint(os.getuid(), sorted(os.environ))', lambda);
      expect(result.stdout).toBe("65531 ['HOME', 'LANG', 'PATH', 'TMPDIR']\n");
    } finally {
      delete process.env.EXECUTOR_ATTACK_SECRET;
    }
  });

  it('denies sockets with seccomp (the only network barrier without namespaces)', async () => {
    const { result } = await python('import socket\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM)', lambda);
    expect(result.status).toBe('runtime_error');
    expect(result.stderr).toMatch(/Operation not permitted/);
  });

  it('sweeps leftover processes and wipes every file, including ones outside the work dir', async () => {
    const marker = `lambda-leftover-${randomUUID()}`;
    const { result } = await python([
      'import os, subprocess',
      `subprocess.Popen(["/bin/sh", "-c", "sleep 30; echo ${marker}"], start_new_session=True)`,
      `open(${JSON.stringify(join(scratch, 'planted'))}, "w").write("x")`,
      'print("started")',
    ].join('\n'), lambda);
    expect(result.stdout).toBe('started\n');
    expect(processesWith(marker)).toEqual([]);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('stops a fork bomb at the process limit', async () => {
    const { result } = await python([
      'import os, time',
      'children = 0',
      'while True:',
      '    try:',
      '        if os.fork() == 0:',
      '            time.sleep(60)',
      '            os._exit(0)',
      '        children += 1',
      '    except OSError:',
      '        print("refused after", children)',
      '        break',
    ].join('\n'), lambda);
    expect(Number(/refused after (\d+)/.exec(result.stdout)?.[1])).toBeLessThanOrEqual(64);
  });
});
