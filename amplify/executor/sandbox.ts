/**
 * A Sandbox runs an untrusted program, optionally after a compile step, in a
 * fresh work directory that is gone afterwards, under resource limits, with no
 * network and an empty environment. Two implementations exist: bubblewrap
 * (local, namespaces) and the Lambda variant (the Lambda itself is the
 * sandbox). runCode only speaks this interface, so tests can pass a fake.
 */

/** Per-process resource limits (setrlimit), plus the wall-clock limit. */
export interface StepLimits {
  /** Wall-clock limit, measured by the parent; past it the whole sandbox is killed. */
  wallMs: number;
  /** RLIMIT_CPU, seconds. A backstop for the wall limit. */
  cpuSeconds: number;
  /** RLIMIT_DATA, bytes: heap and other private writable memory of each process. */
  dataBytes: number;
  /** RLIMIT_FSIZE, bytes: the largest file a process may write. */
  fileSizeBytes: number;
  /** RLIMIT_NPROC: processes plus threads of the sandbox user. */
  processes: number;
  /** RLIMIT_NOFILE. */
  openFiles: number;
}

export interface SandboxStep {
  /** The program and its arguments; a bare name is looked up on the sandbox PATH. */
  argv: readonly string[];
  /** Extra environment for this step, on top of the sandbox's minimal one. */
  env?: Readonly<Record<string, string>>;
  limits: StepLimits;
}

export interface SandboxFile {
  /** A plain file name inside the work directory, e.g. 'Main.java'. */
  name: string;
  /** Text, or bytes (an uploaded document). */
  content: string | Uint8Array;
}

/** A file the run step leaves in the work directory, handed back as bytes (e.g. a converted document). */
export interface CollectedFile {
  /** A plain file name inside the work directory. */
  name: string;
  /** Larger files are not returned (`RunOutcome.collected.tooLarge`). */
  maxBytes: number;
}

export interface SandboxJob {
  /** Written into the fresh work directory, which is the working directory of both steps. */
  files: readonly SandboxFile[];
  /** Runs first with empty stdin; its stdout and stderr are captured together. */
  compile?: SandboxStep;
  /** Runs only when there is no compile step or it exited with 0. */
  run: SandboxStep;
  stdin: string;
  /** Budget for the run's stdout plus stderr; past it the run is killed. Also caps compile output. */
  maxOutputBytes: number;
  /** Read back after the run step, before the work directory goes away. */
  collect?: CollectedFile;
}

export interface StepOutcome {
  /** Null when the process was killed by a signal. */
  exitCode: number | null;
  /** Signal name ('SIGKILL', 'SIGSEGV', …) when a signal ended it. */
  signal: string | null;
  durationMs: number;
  /** True when the parent killed it for passing the wall-clock limit. */
  timedOut: boolean;
}

export interface CompileOutcome extends StepOutcome {
  output: string;
  outputTruncated: boolean;
}

export interface RunOutcome extends StepOutcome {
  stdout: string;
  stderr: string;
  /** True when the parent killed it for passing the output budget. */
  outputLimitExceeded: boolean;
  /** Only when the job asked to collect a file: its bytes, or why there are none. */
  collected?: { bytes: Uint8Array } | { missing: true } | { tooLarge: true };
}

export type SandboxJobResult =
  /** run is absent when the compile step failed (or timed out). */
  | { kind: 'completed'; compile?: CompileOutcome; run?: RunOutcome }
  /** The sandbox cannot run here at all; message says what to install. */
  | { kind: 'unavailable'; message: string }
  /** The sandbox itself broke; message is for operators. */
  | { kind: 'failed'; message: string };

export type SandboxAvailability = { available: true } | { available: false; message: string };

export interface Sandbox {
  /** For logs and messages, e.g. 'bubblewrap'. */
  readonly name: string;
  /** Whether this sandbox can run jobs on this machine, and if not, how to fix it. Cached. */
  availability(): Promise<SandboxAvailability>;
  /** Absolute path of a program as sandboxed code would find it on its PATH, or null. */
  findProgram(name: string): Promise<string | null>;
  /** Never rejects for anything the job's program does. */
  runJob(job: SandboxJob): Promise<SandboxJobResult>;
}

/** Signal names for the numbers a killed program reports (Linux, x86_64 and arm64 agree on these). */
const signalNames: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS',
  8: 'SIGFPE', 9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE',
  14: 'SIGALRM', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ', 31: 'SIGSYS',
};

export function signalName(signalNumber: number): string | null {
  return signalNames[signalNumber] ?? null;
}
