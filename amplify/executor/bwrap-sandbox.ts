import { execFile, spawn, type StdioOptions } from 'node:child_process';
import { constants } from 'node:fs';
import { access, lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Readable, Writable } from 'node:stream';
import { CapturedText, CollectedBytes, OutputBudget } from './bounded-output.js';
import { TOOL_CACHE_DIR } from './languages.js';
import { Deadline, drained, exitOf, writeAndClose, type ProcessExit } from './process-watch.js';
import { buildSeccompFilter, seccompArchOf } from './seccomp-filter.js';
import {
  signalName,
  type CompileOutcome,
  type RunOutcome,
  type Sandbox,
  type SandboxAvailability,
  type SandboxJob,
  type SandboxJobResult,
  type SandboxStep,
  type StepLimits,
} from './sandbox.js';

/**
 * The local sandbox: bubblewrap (Debian package `bubblewrap`).
 *
 * One bwrap invocation per job. Inside: fresh user, pid, net, ipc, uts,
 * cgroup and mount namespaces; a read-only root with read-only /usr and a few
 * /etc entries the toolchains need; size-limited tmpfs for the work dir, /tmp
 * and /dev/shm; no capabilities; no nested user namespaces; a seccomp filter;
 * and prlimit for per-process limits. A small /bin/sh driver inside runs the
 * compile step, reports on a status pipe, then execs the program.
 *
 * When bwrap exits, the kernel kills everything left in its pid namespace and
 * the tmpfs mounts vanish: nothing outlives or persists past a job.
 */

export const SANDBOX_WORK_DIR = '/sandbox';

export interface BwrapSandboxOptions {
  /** Default: the first of /usr/bin/bwrap, /usr/local/bin/bwrap. */
  bwrapPath?: string;
  /**
   * uid and gid the sandbox runs as when this process is root: RLIMIT_NPROC
   * does not bind uid 0, so a fork bomb would not be stopped. Default 65534 (nobody).
   */
  unprivilegedId?: number;
  /** Size of the work dir tmpfs. Default 32 MiB. */
  workDirBytes?: number;
  /** Size of the /tmp tmpfs. Default 32 MiB. */
  tmpDirBytes?: number;
  /** PATH inside the sandbox. All of it must live under /usr. */
  path?: readonly string[];
  /** Extra host paths to expose read-only when present (toolchain config lives in /etc). */
  extraReadOnlyPaths?: readonly string[];
  /** Compiler start-up caches (ensureLocalToolCache), mounted read-only at TOOL_CACHE_DIR. */
  toolCacheDir?: string;
  /** Milliseconds, for durations. Default performance.now. */
  clock?: () => number;
  /** Defaults to process.arch; picks the seccomp syscall table. */
  arch?: string;
}

const MiB = 1024 * 1024;
const SANDBOX_NICENESS = 10;
const SHM_BYTES = 8 * MiB;
const STACK_BYTES = 64 * MiB;
/** How long bwrap may take to set up before we give up on it. */
const SETUP_TIMEOUT_MS = 10_000;
/** After the program exits, how long we wait for its pipes to close (the namespace is gone by then). */
const DRAIN_GRACE_MS = 1_000;

/** /etc entries toolchains read: Debian's alternatives symlinks (java), JVM and Mono config, the loader cache. */
const DEFAULT_ETC_PATHS = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/mono'];
const ROOT_LINK_DIRS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

// File descriptors the bwrap process gets, beyond stdin/stdout/stderr.
const FD_COMPILE_OUTPUT = 3;
const FD_STATUS = 4;
const FD_SECCOMP = 5;
const FD_FIRST_FILE = 6;

export function createBwrapSandbox(options: BwrapSandboxOptions = {}): Sandbox {
  const clock = options.clock ?? (() => performance.now());
  const sandboxPath = options.path ?? ['/usr/local/bin', '/usr/bin'];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const unprivilegedId = options.unprivilegedId ?? 65534;
  let availabilityCache: Promise<SandboxAvailability> | undefined;
  let hostLayoutCache: Promise<HostLayout> | undefined;

  const hostLayout = (): Promise<HostLayout> =>
    (hostLayoutCache ??= discoverHostLayout(options));

  async function checkAvailability(): Promise<SandboxAvailability> {
    const arch = seccompArchOf(options.arch ?? process.arch);
    if (!arch) {
      return { available: false, message: `The code sandbox has no seccomp filter for CPU architecture ${process.arch}; run on x86_64 or arm64.` };
    }
    const layout = await hostLayout();
    if (!layout.bwrap) {
      return { available: false, message: 'The local code sandbox needs bubblewrap: install it with `apt-get install bubblewrap`.' };
    }
    if (!layout.bwrapVersion || !atLeast(layout.bwrapVersion, [0, 5, 0])) {
      return { available: false, message: `The local code sandbox needs bubblewrap 0.5 or newer (found ${layout.bwrapVersion?.join('.') ?? 'an unknown version'}): upgrade the bubblewrap package.` };
    }
    if (!layout.prlimit) {
      return { available: false, message: 'The local code sandbox needs prlimit: install it with `apt-get install util-linux`.' };
    }
    if (isRoot && !layout.setpriv) {
      return { available: false, message: 'Running as root, the code sandbox needs setpriv to drop to an unprivileged user: install it with `apt-get install util-linux`.' };
    }
    const probe = await runWithLayout(layout, {
      files: [],
      run: { argv: ['/bin/sh', '-c', 'exit 0'], limits: PROBE_LIMITS },
      stdin: '',
      maxOutputBytes: 4096,
    });
    if (probe.kind === 'completed' && probe.run?.exitCode === 0) return { available: true };
    const detail = probe.kind === 'completed' ? probe.run?.stderr.trim() ?? '' : probe.message;
    return {
      available: false,
      message:
        `bubblewrap is installed but cannot create its namespaces here (${detail || 'no detail'}). ` +
        'Allow unprivileged user namespaces (on Ubuntu 24.04: `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`), or run outside a container that forbids them.',
    };
  }

  async function runWithLayout(layout: HostLayout, job: SandboxJob): Promise<SandboxJobResult> {
    const arch = seccompArchOf(options.arch ?? process.arch);
    if (!layout.bwrap || !layout.prlimit || !arch) return { kind: 'failed', message: 'bubblewrap is not usable here' };
    const bwrapArgs = [
      ...namespaceArgs(layout),
      ...filesystemArgs(layout, options, job),
      '--seccomp', String(FD_SECCOMP),
      '--chdir', SANDBOX_WORK_DIR,
      ...environmentArgs(sandboxPath),
      '/bin/sh', '-c', driverScript(job, layout.prlimit, job.files.length),
    ];
    // Lower priority: a busy program must not starve this process (its deadline timers) or the server.
    const niced = layout.nice ? [layout.nice, '-n', String(SANDBOX_NICENESS), layout.bwrap] : [layout.bwrap];
    const argv =
      isRoot && layout.setpriv
        ? [layout.setpriv, `--reuid=${unprivilegedId}`, `--regid=${unprivilegedId}`, '--clear-groups', '--', ...niced, ...bwrapArgs]
        : [...niced, ...bwrapArgs];
    return superviseBwrap(argv[0]!, argv.slice(1), job, buildSeccompFilter(arch), clock);
  }

  return {
    name: 'bubblewrap',
    availability: () => (availabilityCache ??= checkAvailability()),
    async findProgram(name) {
      return findOnPath(name, sandboxPath, ['/usr/']);
    },
    async runJob(job) {
      const availability = await this.availability();
      if (!availability.available) return { kind: 'unavailable', message: availability.message };
      return runWithLayout(await hostLayout(), job);
    },
  };
}

const PROBE_LIMITS: StepLimits = {
  wallMs: 5_000, cpuSeconds: 5, dataBytes: 64 * MiB, fileSizeBytes: MiB, processes: 16, openFiles: 64,
};

interface HostLayout {
  bwrap: string | null;
  /** [major, minor, patch] of bwrap, or null when unknown. */
  bwrapVersion: number[] | null;
  supportsDisableUserns: boolean;
  prlimit: string | null;
  setpriv: string | null;
  nice: string | null;
  /** bwrap arguments recreating /bin, /lib… as on the host (symlinks into /usr on merged-/usr systems). */
  rootLinks: string[];
  etcPaths: string[];
}

async function discoverHostLayout(options: BwrapSandboxOptions): Promise<HostLayout> {
  const bwrap = options.bwrapPath ?? (await findOnPath('bwrap', ['/usr/bin', '/usr/local/bin'], ['/']));
  const rootLinks: string[] = [];
  for (const dir of ROOT_LINK_DIRS) {
    const stat = await lstat(`/${dir}`).catch(() => null);
    if (stat?.isSymbolicLink()) rootLinks.push('--symlink', await readlink(`/${dir}`), `/${dir}`);
    else if (stat?.isDirectory()) rootLinks.push('--ro-bind', `/${dir}`, `/${dir}`);
  }
  // Debian keeps each JDK's conf/ and security/ as symlinks into /etc/java-<version>-openjdk.
  const javaEtc = (await readdir('/etc').catch(() => [] as string[]))
    .filter((entry) => entry.startsWith('java-'))
    .map((entry) => `/etc/${entry}`);
  const bwrapVersion = bwrap ? await versionOf(bwrap) : null;
  return {
    bwrap,
    bwrapVersion,
    supportsDisableUserns: !!bwrapVersion && atLeast(bwrapVersion, [0, 8, 0]),
    prlimit: await findOnPath('prlimit', ['/usr/bin'], ['/usr/']),
    setpriv: await findOnPath('setpriv', ['/usr/bin'], ['/usr/']),
    nice: await findOnPath('nice', ['/usr/bin'], ['/usr/']),
    rootLinks,
    etcPaths: [...DEFAULT_ETC_PATHS, ...javaEtc, ...(options.extraReadOnlyPaths ?? [])],
  };
}

/** "bubblewrap 0.8.0" -> [0, 8, 0]. */
function versionOf(bwrap: string): Promise<number[] | null> {
  return new Promise((resolve) => {
    execFile(bwrap, ['--version'], { env: {}, timeout: 5_000 }, (error, stdout) => {
      const match = /(\d+)\.(\d+)\.(\d+)/.exec(stdout);
      resolve(error || !match ? null : match.slice(1).map(Number));
    });
  });
}

function atLeast(version: number[], minimum: number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    if ((version[i] ?? 0) !== minimum[i]) return (version[i] ?? 0) > minimum[i]!;
  }
  return true;
}

/** `name` on `path` as an executable whose real location is under one of `visibleRoots`. */
async function findOnPath(name: string, path: readonly string[], visibleRoots: readonly string[]): Promise<string | null> {
  if (name.includes('/')) return null;
  for (const dir of path) {
    const candidate = `${dir}/${name}`;
    try {
      await access(candidate, constants.X_OK);
      const real = await realpath(candidate);
      if (visibleRoots.some((root) => real.startsWith(root))) return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return null;
}

function namespaceArgs(layout: HostLayout): string[] {
  return [
    '--unshare-all',
    '--unshare-user', // explicit: --unshare-all only tries, and --disable-userns needs it
    // bwrap 0.8+; before it, the seccomp filter alone refuses new user namespaces.
    ...(layout.supportsDisableUserns ? ['--disable-userns'] : []),
    '--die-with-parent',
    '--new-session',
    '--cap-drop', 'ALL',
    '--hostname', 'sandbox',
  ];
}

function filesystemArgs(layout: HostLayout, options: BwrapSandboxOptions, job: SandboxJob): string[] {
  const args = ['--ro-bind', '/usr', '/usr', ...layout.rootLinks];
  for (const path of layout.etcPaths) args.push('--ro-bind-try', path, path);
  if (options.toolCacheDir) args.push('--ro-bind-try', options.toolCacheDir, TOOL_CACHE_DIR);
  args.push(
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(SHM_BYTES), '--tmpfs', '/dev/shm',
    '--size', String(options.tmpDirBytes ?? 32 * MiB), '--tmpfs', '/tmp',
    '--size', String(options.workDirBytes ?? 32 * MiB), '--tmpfs', SANDBOX_WORK_DIR,
  );
  job.files.forEach((file, index) => {
    args.push('--perms', '0644', '--file', String(FD_FIRST_FILE + index), `${SANDBOX_WORK_DIR}/${safeFileName(file.name)}`);
  });
  // Only the tmpfs mounts stay writable: the root tmpfs and /dev are unlimited in size otherwise.
  args.push('--remount-ro', '/dev', '--remount-ro', '/');
  return args;
}

function environmentArgs(path: readonly string[]): string[] {
  return [
    '--clearenv',
    '--setenv', 'PATH', path.join(':'),
    '--setenv', 'HOME', SANDBOX_WORK_DIR,
    '--setenv', 'TMPDIR', '/tmp',
    '--setenv', 'LANG', 'C.UTF-8',
  ];
}

function safeFileName(name: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`Sandbox file name "${name}" must be a plain file name`);
  return name;
}

const shellQuote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

function limitedCommand(prlimit: string, step: SandboxStep): string {
  const { limits } = step;
  const words = [
    prlimit,
    // Soft limit below the hard one: SIGXCPU (reported as a timeout) rather than SIGKILL.
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--data=${limits.dataBytes}`,
    `--fsize=${limits.fileSizeBytes}`,
    `--nproc=${limits.processes}`,
    `--nofile=${limits.openFiles}`,
    `--stack=${STACK_BYTES}`,
    '--core=0',
    '--',
    ...step.argv,
  ];
  return words.map(shellQuote).join(' ');
}

function exportLines(step: SandboxStep): string {
  return Object.entries(step.env ?? {})
    .map(([key, value]) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new Error(`Environment variable name "${key}" is not allowed`);
      return `export ${key}=${shellQuote(value)}; `;
    })
    .join('');
}

/**
 * The script bwrap runs. It reports on FD_STATUS ("compile-start",
 * "compile-exit N", "run-start"), sends compiler output to FD_COMPILE_OUTPUT,
 * and closes every extra descriptor before the program starts, so user code
 * cannot forge status lines.
 */
export function driverScript(job: SandboxJob, prlimit: string, fileCount: number): string {
  const extraFds = [FD_SECCOMP, ...Array.from({ length: fileCount }, (_, i) => FD_FIRST_FILE + i)];
  const lines = [extraFds.map((fd) => `exec ${fd}<&-`).join('; ')];
  if (job.compile) {
    lines.push(
      `echo compile-start >&${FD_STATUS}`,
      `(${exportLines(job.compile)}exec ${limitedCommand(prlimit, job.compile)}) </dev/null >&${FD_COMPILE_OUTPUT} 2>&${FD_COMPILE_OUTPUT} ${FD_STATUS}>&-`,
      'status=$?',
      `echo "compile-exit $status" >&${FD_STATUS}`,
      '[ "$status" -eq 0 ] || exit 0',
    );
  }
  lines.push(`exec ${FD_COMPILE_OUTPUT}>&-`, `echo run-start >&${FD_STATUS}`, `exec ${FD_STATUS}>&-`);
  if (!job.collect) {
    lines.push(`${exportLines(job.run)}exec ${limitedCommand(prlimit, job.run)}`);
    return lines.join('\n');
  }
  // The shell outlives the program to hand back the file it left; the program never holds that descriptor.
  const collectFd = collectFdOf(fileCount);
  const collectPath = shellQuote(`${SANDBOX_WORK_DIR}/${safeFileName(job.collect.name)}`);
  lines.push(
    `(${exportLines(job.run)}exec ${limitedCommand(prlimit, job.run)}) ${collectFd}>&-`,
    'status=$?',
    `[ -f ${collectPath} ] && cat ${collectPath} >&${collectFd}`,
    'exit $status',
  );
  return lines.join('\n');
}

/** The descriptor a collected file comes back on: the first after the job's files. */
const collectFdOf = (fileCount: number): number => FD_FIRST_FILE + fileCount;

type Phase = 'setup' | 'compile' | 'run';

/** Spawns bwrap, feeds it, watches deadlines and output budgets, and turns what happened into a result. */
async function superviseBwrap(
  command: string,
  args: string[],
  job: SandboxJob,
  seccompFilter: Buffer,
  clock: () => number,
): Promise<SandboxJobResult> {
  const stdio: StdioOptions = ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', ...job.files.map(() => 'pipe' as const), ...(job.collect ? ['pipe' as const] : [])];
  const startedAt = clock();
  const child = spawn(command, args, { env: {}, stdio });
  const exit = exitOf(child);

  let phase: Phase = 'setup';
  let killedFor: 'deadline' | 'output' | null = null;
  let compileStartedAt = startedAt;
  let compileEnd: { at: number; status: number } | null = null;
  let runStartedAt = 0;
  const kill = (reason: 'deadline' | 'output'): void => {
    killedFor ??= reason;
    child.kill('SIGKILL');
  };
  const deadline = new Deadline(() => kill('deadline'));
  deadline.arm(SETUP_TIMEOUT_MS);

  const runBudget = new OutputBudget(job.maxOutputBytes);
  const stdout = new CapturedText(runBudget);
  const stderr = new CapturedText(runBudget);
  const compileOutput = new CapturedText(new OutputBudget(job.maxOutputBytes));
  const pipes = child.stdio as unknown as Array<Readable & Writable>;

  pipes[1]?.on('data', (chunk: Buffer) => stdout.push(chunk) && kill('output'));
  pipes[2]?.on('data', (chunk: Buffer) => stderr.push(chunk) && kill('output'));
  pipes[FD_COMPILE_OUTPUT]?.on('data', (chunk: Buffer) => void compileOutput.push(chunk));
  const collected = job.collect ? new CollectedBytes(job.collect.maxBytes) : undefined;
  const collectPipe = job.collect ? pipes[collectFdOf(job.files.length)] : undefined;
  collectPipe?.on('data', (chunk: Buffer) => collected?.push(chunk));
  let statusBuffer = '';
  pipes[FD_STATUS]?.on('data', (chunk: Buffer) => {
    statusBuffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = statusBuffer.indexOf('\n')) >= 0) {
      onStatus(statusBuffer.slice(0, newline));
      statusBuffer = statusBuffer.slice(newline + 1);
    }
  });

  function onStatus(line: string): void {
    const now = clock();
    if (line === 'compile-start' && job.compile) {
      phase = 'compile';
      compileStartedAt = now;
      deadline.arm(job.compile.limits.wallMs);
    } else if (line.startsWith('compile-exit ')) {
      compileEnd = { at: now, status: Number(line.slice('compile-exit '.length)) };
      deadline.disarm();
    } else if (line === 'run-start') {
      phase = 'run';
      runStartedAt = now;
      deadline.arm(job.run.limits.wallMs);
    }
  }

  writeAndClose(pipes[0], job.stdin);
  writeAndClose(pipes[FD_SECCOMP], seccompFilter);
  job.files.forEach((file, index) => writeAndClose(pipes[FD_FIRST_FILE + index], file.content));

  let exited: ProcessExit;
  try {
    exited = await exit;
  } catch (error) {
    deadline.disarm();
    return { kind: 'failed', message: `Could not start ${command}: ${(error as Error).message}` };
  }
  const endedAt = clock();
  deadline.disarm();
  // The pid namespace died with bwrap, so the pipes close at once; the grace only guards against surprises.
  await Promise.all([pipes[1], pipes[2], pipes[FD_COMPILE_OUTPUT], pipes[FD_STATUS], collectPipe].map((pipe) => drained(pipe, DRAIN_GRACE_MS)));

  if (phase === 'setup') {
    const detail = stderr.text().trim();
    return {
      kind: 'failed',
      message: killedFor
        ? `bubblewrap did not start the sandbox within ${SETUP_TIMEOUT_MS} ms`
        : `bubblewrap failed to start the sandbox: ${detail || `exit status ${exited.code}`}`,
    };
  }

  let compile: CompileOutcome | undefined;
  if (job.compile) {
    const ended = compileEnd as { at: number; status: number } | null;
    compile = {
      ...(ended ? statusFromShell(ended.status) : { exitCode: null, signal: 'SIGKILL' }),
      durationMs: (ended?.at ?? endedAt) - compileStartedAt,
      timedOut: !ended && killedFor === 'deadline',
      output: compileOutput.text(),
      outputTruncated: compileOutput.truncated,
    };
  }
  if (phase !== 'run') return { kind: 'completed', compile };

  const run: RunOutcome = {
    ...(killedFor ? { exitCode: null, signal: 'SIGKILL' } : statusFromShell(exited.code ?? 128 + 9)),
    durationMs: endedAt - runStartedAt,
    timedOut: killedFor === 'deadline',
    outputLimitExceeded: killedFor === 'output',
    stdout: stdout.text(),
    stderr: stderr.text(),
    ...(collected ? { collected: collected.result() } : {}),
  };
  return { kind: 'completed', compile, run };
}

/**
 * bwrap and sh report "killed by signal N" as exit status 128+N, the shell
 * convention, so that is how we read it. A program that calls exit(139)
 * itself is reported as SIGSEGV: rare, and the convention every shell user knows.
 */
function statusFromShell(status: number): { exitCode: number | null; signal: string | null } {
  const signal = status > 128 ? signalName(status - 128) : null;
  return signal ? { exitCode: null, signal } : { exitCode: status, signal: null };
}
