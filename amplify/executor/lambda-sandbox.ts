import { spawn } from 'node:child_process';
import { access, chmod, chown, constants, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CapturedText, OutputBudget } from './bounded-output.js';
import { Deadline, drained, exitOf, writeAndClose, type ProcessExit } from './process-watch.js';
import type {
  CollectedFile,
  CompileOutcome,
  RunOutcome,
  Sandbox,
  SandboxAvailability,
  SandboxJob,
  SandboxJobResult,
  SandboxStep,
  StepOutcome,
} from './sandbox.js';
import { buildSeccompFilter, seccompArchOf } from './seccomp-filter.js';

/**
 * The sandbox inside AWS Lambda. Lambda allows no namespaces, so bwrap cannot
 * run there: the Lambda itself is the sandbox (its role has no permissions,
 * its VPC no egress), and this module hardens each run within it:
 *
 * - a launcher (python3, which the image has anyway) applies rlimits, a
 *   seccomp filter that denies sockets (the runtime API on 127.0.0.1 would
 *   otherwise let code read or answer invocations) and namespaces, starts a
 *   new session, and execs the program with a minimal environment: user code
 *   never sees the runtime's AWS credentials;
 * - a fresh work dir per run; afterwards the scratch dirs are wiped, because
 *   /tmp survives into the next warm invocation;
 * - a sweep that kills every leftover process of the code's user, because
 *   background processes survive too.
 *
 * In Lambda user code runs as the same Linux user as the runtime. So the
 * runtime must hold nothing to steal: runtime-entrypoint.sh starts it without
 * AWS credentials and non-dumpable (its /proc/<pid>/environ, mem and fds are
 * then closed to user code), and this sandbox refuses to run code otherwise.
 */

export interface LambdaSandboxOptions {
  /** Per-run work dirs are created here. In Lambda: '/tmp'. */
  scratchDir: string;
  /** Directories whose whole contents are deleted after each run. Default: [scratchDir]. */
  wipeDirs?: readonly string[];
  /**
   * Who user code runs as. 'self' (Lambda: every process there is one
   * unprivileged user) is only allowed inside Lambda, because the sweep then
   * kills every other process of this user. A number (needs root) runs code as
   * that dedicated uid and sweeps only it: for tests on a workstation.
   */
  codeUser: 'self' | number;
  /** Python for the launcher. Default /usr/bin/python3. */
  python?: string;
  /** PATH for user code. Default: /usr/local/bin:/usr/bin:/bin. */
  path?: readonly string[];
  clock?: () => number;
  arch?: string;
  /** Environment to detect Lambda by. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The launcher: limits, privileges, seccomp, then exec. Errors go to fd 4; EOF on fd 4 means the exec happened. */
const LAUNCHER = String.raw`
import ctypes, json, os, resource, signal, sys
ERR = 4
def fail(message):
    os.write(ERR, message.encode())
    os._exit(126)
try:
    spec = json.loads(sys.argv[1])
    os.set_inheritable(ERR, False)
    os.setsid()
    # Lower priority: a busy program must not starve the runtime, whose timers enforce the limits.
    os.nice(10)
    for name, soft, hard in spec['rlimits']:
        resource.setrlimit(getattr(resource, name), (soft, hard))
    uid = spec['uid']
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    data = b''
    while True:
        chunk = os.read(3, 65536)
        if not chunk:
            break
        data += chunk
    os.close(3)
    class SockFprog(ctypes.Structure):
        _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]
    buffer = ctypes.create_string_buffer(data, len(data))
    program = SockFprog(len(data) // 8, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(38, 1, 0, 0, 0) != 0:
        fail('prctl(PR_SET_NO_NEW_PRIVS) failed: errno %d' % ctypes.get_errno())
    if libc.prctl(22, 2, ctypes.addressof(program), 0, 0) != 0:
        fail('prctl(PR_SET_SECCOMP) failed: errno %d' % ctypes.get_errno())
    # Python ignores these two; ignored signals would survive exec.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    os.closerange(5, 4096)
    os.execvpe(spec['argv'][0], spec['argv'], spec['env'])
except Exception as error:
    fail('%s: %s' % (type(error).__name__, error))
`;

const FD_SECCOMP = 3;
const FD_LAUNCH_ERROR = 4;
const MiB = 1024 * 1024;
const STACK_BYTES = 64 * MiB;
const DRAIN_GRACE_MS = 500;
const SWEEP_PASSES = 20;

export function createLambdaSandbox(options: LambdaSandboxOptions): Sandbox {
  const clock = options.clock ?? (() => performance.now());
  const python = options.python ?? '/usr/bin/python3';
  const path = options.path ?? ['/usr/local/bin', '/usr/bin', '/bin'];
  const wipeDirs = options.wipeDirs ?? [options.scratchDir];
  const ownUid = process.getuid?.() ?? -1;
  const codeUid = options.codeUser === 'self' ? ownUid : options.codeUser;
  const arch = seccompArchOf(options.arch ?? process.arch);
  let availabilityCache: Promise<SandboxAvailability> | undefined;
  // One job at a time: the sweep after a job would kill a concurrent job's processes.
  let queue: Promise<unknown> = Promise.resolve();

  async function checkAvailability(): Promise<SandboxAvailability> {
    if (!arch) return { available: false, message: `No seccomp filter exists for CPU architecture ${process.arch}.` };
    const env = options.env ?? process.env;
    if (options.codeUser === 'self' && !env.AWS_LAMBDA_FUNCTION_NAME) {
      return {
        available: false,
        message: 'The Lambda sandbox runs code as this process\'s own user and kills that user\'s other processes after each run, so it only runs inside AWS Lambda. Use the bubblewrap sandbox elsewhere.',
      };
    }
    if (codeUid === 0) return { available: false, message: 'User code must not run as root: RLIMIT_NPROC does not apply to root.' };
    if (options.codeUser === 'self') {
      const problem = await runtimeHardeningProblem(env, ownUid);
      if (problem) return { available: false, message: problem };
    }
    if (options.codeUser !== 'self' && ownUid !== 0) {
      return { available: false, message: `Running code as uid ${options.codeUser} needs root.` };
    }
    if (!(await isExecutable(python))) return { available: false, message: `The Lambda sandbox launcher needs ${python}.` };
    const probe = await runSerially({
      files: [],
      run: { argv: ['true'], limits: { wallMs: 5_000, cpuSeconds: 5, dataBytes: 64 * MiB, fileSizeBytes: MiB, processes: 16, openFiles: 64 } },
      stdin: '',
      maxOutputBytes: 4096,
    });
    if (probe.kind === 'completed' && probe.run?.exitCode === 0) return { available: true };
    return { available: false, message: `The Lambda sandbox launcher does not work here: ${describe(probe)}` };
  }

  function runSerially(job: SandboxJob): Promise<SandboxJobResult> {
    const result = queue.then(() => runJobNow(job));
    queue = result.catch(() => {});
    return result;
  }

  async function cleanUp(): Promise<void> {
    await sweepProcesses(codeUid, codeUid === ownUid);
    await Promise.all(wipeDirs.map((dir) => wipeContents(dir, new Set([codeUid, ownUid]))));
  }

  async function runJobNow(job: SandboxJob): Promise<SandboxJobResult> {
    // Also before: an invocation cut short (a Lambda timeout) never reached its own clean-up.
    await cleanUp();
    const workDir = await mkdtemp(join(options.scratchDir, 'run-'));
    try {
      await mkdir(join(workDir, 'tmp'));
      for (const file of job.files) await writeFile(join(workDir, safeFileName(file.name)), file.content);
      if (options.codeUser !== 'self') await chownTree(workDir, codeUid);

      let compile: CompileOutcome | undefined;
      if (job.compile) {
        const step = await runStep(job.compile, workDir, '', job.maxOutputBytes, true);
        if (step.kind === 'failed') return step;
        compile = { ...step.outcome, output: step.stdout, outputTruncated: step.truncated };
        if (compile.timedOut || compile.exitCode !== 0) return { kind: 'completed', compile };
      }
      const step = await runStep(job.run, workDir, job.stdin, job.maxOutputBytes, false);
      if (step.kind === 'failed') return step;
      const run: RunOutcome = {
        ...step.outcome,
        stdout: step.stdout,
        stderr: step.stderr,
        outputLimitExceeded: step.overflowKilled,
        ...(job.collect ? { collected: await collectFile(workDir, job.collect) } : {}),
      };
      return { kind: 'completed', compile, run };
    } finally {
      await cleanUp();
    }
  }

  type StepResult =
    | { kind: 'failed'; message: string }
    | {
        kind: 'ran';
        outcome: StepOutcome;
        stdout: string;
        stderr: string;
        truncated: boolean;
        overflowKilled: boolean;
      };

  /** One launcher process: limits applied, program exec'd, watched until it and its group are gone. */
  async function runStep(step: SandboxStep, workDir: string, stdin: string, maxOutputBytes: number, mergeOutput: boolean): Promise<StepResult> {
    const launchSpec = {
      argv: step.argv,
      env: {
        PATH: path.join(':'),
        HOME: workDir,
        TMPDIR: join(workDir, 'tmp'),
        LANG: 'C.UTF-8',
        ...step.env,
      },
      rlimits: await rlimitsFor(step, codeUid),
      uid: options.codeUser === 'self' ? null : codeUid,
    };
    const spawnedAt = clock();
    const child = spawn(python, ['-I', '-S', '-c', LAUNCHER, JSON.stringify(launchSpec)], {
      cwd: workDir,
      env: {},
      stdio: [mergeOutput ? 'ignore' : 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    const exit = exitOf(child);
    let killedFor: 'deadline' | 'output' | null = null;
    const killGroup = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const kill = (reason: 'deadline' | 'output'): void => {
      killedFor ??= reason;
      child.kill('SIGKILL');
      killGroup();
    };
    const deadline = new Deadline(() => kill('deadline'));
    deadline.arm(step.limits.wallMs);

    const budget = new OutputBudget(maxOutputBytes);
    const stdout = new CapturedText(budget);
    const stderr = mergeOutput ? stdout : new CapturedText(budget);
    const pipes = child.stdio as unknown as Readable[];
    // Compiler output is only truncated; a program that floods is stopped so the run returns promptly.
    pipes[1]?.on('data', (chunk: Buffer) => stdout.push(chunk) && !mergeOutput && kill('output'));
    pipes[2]?.on('data', (chunk: Buffer) => stderr.push(chunk) && !mergeOutput && kill('output'));
    let launchError = '';
    let programStartedAt = spawnedAt;
    pipes[FD_LAUNCH_ERROR]?.on('data', (chunk: Buffer) => (launchError += chunk.toString('utf8')));
    pipes[FD_LAUNCH_ERROR]?.on('end', () => (programStartedAt = clock()));
    writeAndClose(child.stdin, stdin);
    writeAndClose(child.stdio[FD_SECCOMP] as NodeJS.WritableStream, buildSeccompFilter(arch!));

    let exited: ProcessExit;
    try {
      exited = await exit;
    } catch (error) {
      deadline.disarm();
      return { kind: 'failed', message: `Could not start ${python}: ${(error as Error).message}` };
    }
    const endedAt = clock();
    deadline.disarm();
    // Leftovers of the program may hold its pipes open: end them before waiting for the pipes.
    killGroup();
    await sweepProcesses(codeUid, codeUid === ownUid);
    await Promise.all([1, 2, FD_LAUNCH_ERROR].map((fd) => drained(pipes[fd], DRAIN_GRACE_MS)));

    if (launchError) return { kind: 'failed', message: `The launcher failed: ${launchError.trim()}` };
    return {
      kind: 'ran',
      outcome: {
        exitCode: killedFor ? null : exited.code,
        signal: killedFor ? 'SIGKILL' : exited.signal,
        durationMs: endedAt - programStartedAt,
        timedOut: killedFor === 'deadline',
      },
      stdout: stdout.text(),
      stderr: stderr === stdout ? '' : stderr.text(),
      truncated: budget.isExceeded,
      overflowKilled: killedFor === 'output',
    };
  }

  return {
    name: 'lambda',
    availability: () => (availabilityCache ??= checkAvailability()),
    async findProgram(name) {
      if (name.includes('/')) return null;
      for (const dir of path) if (await isExecutable(`${dir}/${name}`)) return `${dir}/${name}`;
      return null;
    },
    async runJob(job) {
      const availability = await this.availability();
      if (!availability.available) return { kind: 'unavailable', message: availability.message };
      return runSerially(job);
    },
  };
}

/** Environment variables that hold the function's credentials; runtime-entrypoint.sh removes them. */
export const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
] as const;

/**
 * Why this process is not fit to run code as its own user, or null when it is:
 * it must hold no credentials, and be non-dumpable (the kernel then gives its
 * /proc files to root, which is how a process can tell).
 */
export async function runtimeHardeningProblem(
  env: Readonly<Record<string, string | undefined>>,
  ownUid: number,
  procSelf = '/proc/self',
): Promise<string | null> {
  const resolution = 'Resolution: start the runtime through amplify/executor/runtime-entrypoint.sh, as the executor image\'s ENTRYPOINT does.';
  const held = CREDENTIAL_VARIABLES.filter((name) => env[name]);
  if (held.length > 0) {
    return `The runtime's environment holds ${held.join(', ')}, which user code running as the same user could read. ${resolution}`;
  }
  const owner = await stat(`${procSelf}/environ`).then((s) => s.uid, () => ownUid);
  if (ownUid !== 0 && owner !== 0) {
    return `The runtime process is dumpable: user code running as the same user could open its /proc/<pid>/mem and copy its socket to the Runtime API. ${resolution}`;
  }
  return null;
}

function describe(result: SandboxJobResult): string {
  if (result.kind !== 'completed') return result.message;
  return result.run?.stderr.trim() || `exit ${result.run?.exitCode ?? result.run?.signal}`;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The file a job asked for, read before the work dir is wiped; a symlink or anything else but a file counts as missing. */
async function collectFile(workDir: string, collect: CollectedFile): Promise<NonNullable<RunOutcome['collected']>> {
  const path = join(workDir, safeFileName(collect.name));
  const info = await lstat(path).catch(() => null);
  if (!info?.isFile() || info.size === 0) return { missing: true };
  if (info.size > collect.maxBytes) return { tooLarge: true };
  return { bytes: new Uint8Array(await readFile(path)) };
}

function safeFileName(name: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`Sandbox file name "${name}" must be a plain file name`);
  return name;
}

async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const entryPath = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(entryPath, uid);
    else await chown(entryPath, uid, uid);
  }
}

/**
 * RLIMIT_NPROC counts every task of the user, not just this run's: in Lambda
 * the runtime's own threads count too. So the limit is what exists now plus
 * the step's allowance.
 */
async function rlimitsFor(step: SandboxStep, uid: number): Promise<Array<[string, number, number]>> {
  const { limits } = step;
  const existing = (await processesOf(uid)).reduce((sum, p) => sum + p.threads, 0);
  return [
    ['RLIMIT_CPU', limits.cpuSeconds, limits.cpuSeconds + 1],
    ['RLIMIT_DATA', limits.dataBytes, limits.dataBytes],
    ['RLIMIT_FSIZE', limits.fileSizeBytes, limits.fileSizeBytes],
    ['RLIMIT_NPROC', existing + limits.processes, existing + limits.processes],
    ['RLIMIT_NOFILE', limits.openFiles, limits.openFiles],
    ['RLIMIT_STACK', STACK_BYTES, STACK_BYTES],
    ['RLIMIT_CORE', 0, 0],
  ];
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  threads: number;
  zombie: boolean;
}

/** Processes whose real or effective uid is `uid`, from /proc. */
async function processesOf(uid: number): Promise<ProcessInfo[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: ProcessInfo[] = [];
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
        const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
        if (!uids || (Number(uids[1]) !== uid && Number(uids[2]) !== uid)) return;
        found.push({
          pid: Number(entry),
          ppid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0),
          threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1),
          zombie: /^State:\s+Z/m.test(status),
        });
      }),
  );
  return found;
}

/** This process, its ancestors and init: never swept (direct children, e.g. esbuild's service, neither). */
async function protectedPids(): Promise<Set<number>> {
  // Init ignores SIGKILL from its own namespace anyway (in the runtime emulator it runs as our user).
  const keep = new Set<number>([1, process.pid]);
  let pid = process.ppid;
  while (pid > 1 && !keep.has(pid)) {
    keep.add(pid);
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    pid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return keep;
}

/**
 * Kills every process of `uid` that is left, in passes until none remain, so
 * a process that forks while we sweep is caught by the next pass. Code that
 * ran is never our child once its launcher exited: orphans go to init.
 */
export async function sweepProcesses(uid: number, sharesOurUid: boolean): Promise<void> {
  const keep = sharesOurUid ? await protectedPids() : new Set<number>([1]);
  let previous = '';
  for (let pass = 0; pass < SWEEP_PASSES; pass++) {
    const targets = (await processesOf(uid)).filter(
      (p) => !p.zombie && !keep.has(p.pid) && !(sharesOurUid && p.ppid === process.pid),
    );
    // Done when none are left, or when the same ones survived SIGKILL (nothing more to do).
    const current = targets.map((p) => p.pid).sort().join(',');
    if (targets.length === 0 || current === previous) return;
    previous = current;
    for (const target of targets) {
      try {
        process.kill(target.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(5);
  }
}

/**
 * Deletes every entry of `dir` that the code's user or this process owns (in
 * Lambda: all of them, one user; others are not the code's to touch). Code may have left directories it made
 * read-only: those are made writable again, or one run could break every
 * later run of this warm Lambda.
 */
async function wipeContents(dir: string, owners: ReadonlySet<number>): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries.map(async (entry) => {
      const entryPath = join(dir, entry);
      const info = await lstat(entryPath).catch(() => null);
      if (!info || !owners.has(info.uid)) return;
      try {
        await rm(entryPath, { recursive: true, force: true });
      } catch {
        await makeWritable(entryPath);
        await rm(entryPath, { recursive: true, force: true });
      }
    }),
  );
}

async function makeWritable(path: string): Promise<void> {
  const info = await lstat(path).catch(() => null);
  if (!info?.isDirectory()) return;
  await chmod(path, 0o700).catch(() => {});
  for (const entry of await readdir(path).catch(() => [] as string[])) await makeWritable(join(path, entry));
}
