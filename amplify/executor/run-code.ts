import {
  languages,
  runLimits,
  runRequestSchema,
  type LanguageAvailability,
  type RunRequestInput,
  type RunResult,
} from '../../src/protocol/code.js';
import { describeIssues } from '../../src/protocol/errors.js';
import {
  COMPILER_DATA_BYTES,
  PROGRAM_MEMORY_BYTES,
  languageSpec,
  type CommandSpec,
  type LanguageSpec,
} from './languages.js';
import type { Sandbox, SandboxJob, SandboxJobResult, SandboxStep, StepLimits } from './sandbox.js';
import type { TypeScriptTranspiler } from './typescript-transpiler.js';

/**
 * The executor core: request in, RunResult out, whatever the code does.
 * Everything that touches the machine comes in through deps, so the same
 * core runs in the bubblewrap sandbox, in Lambda, and against a fake in tests.
 */

export interface RunCodeDeps {
  sandbox: Sandbox;
  /** Monotonic milliseconds (performance.now in production). */
  clock: () => number;
  transpileTypeScript: TypeScriptTranspiler;
}

const MiB = 1024 * 1024;

/** Limits for the program. The wall-clock limit is the one users see; the CPU limit is a backstop. */
export const runStepLimits: StepLimits = {
  wallMs: runLimits.wallTimeMs,
  cpuSeconds: runLimits.wallTimeMs / 1000 + 1,
  dataBytes: PROGRAM_MEMORY_BYTES,
  fileSizeBytes: 16 * MiB,
  // Counts threads too: a JVM starts about 15, Node about 10.
  processes: 64,
  openFiles: 256,
};

export const compileStepLimits: StepLimits = {
  wallMs: runLimits.compileTimeMs,
  cpuSeconds: runLimits.compileTimeMs / 1000 + 2,
  dataBytes: COMPILER_DATA_BYTES,
  fileSizeBytes: 64 * MiB,
  processes: 64,
  openFiles: 512,
};

const stepOf = (command: CommandSpec, limits: StepLimits): SandboxStep => ({
  argv: command.argv,
  env: command.env,
  limits: { ...limits, dataBytes: command.dataBytes ?? limits.dataBytes },
});

const emptyResult = {
  exitCode: null,
  stdout: '',
  stderr: '',
  durationMs: 0,
  truncated: false,
} as const;

export async function runCode(input: RunRequestInput, deps: RunCodeDeps): Promise<RunResult> {
  const parsed = runRequestSchema.safeParse(input);
  if (!parsed.success) {
    return { ...emptyResult, status: 'invalid_request', message: `Invalid run request: ${describeIssues(parsed.error)}` };
  }
  const request = parsed.data;
  const spec = languageSpec(request.language);
  try {
    const missing = await missingRequirement(spec, deps.sandbox);
    if (missing) return { ...emptyResult, status: 'unavailable', message: missing };

    let source = request.source;
    let prepareMs = 0;
    if (spec.prepare === 'transpile-typescript') {
      const startedAt = deps.clock();
      const transpiled = await deps.transpileTypeScript(source);
      prepareMs = deps.clock() - startedAt;
      if (!transpiled.ok) {
        return {
          ...emptyResult,
          status: 'compile_error',
          compileOutput: transpiled.message,
          compileMs: round(prepareMs),
          message: 'TypeScript could not be parsed.',
        };
      }
      source = transpiled.code;
    }

    const job = jobFor(spec, request.source, source, request.stdin);
    const outcome = await deps.sandbox.runJob(job);
    const result = resultFromJob(spec, outcome);
    if (prepareMs > 0) result.compileMs = round((result.compileMs ?? 0) + prepareMs);
    return result;
  } catch (error) {
    return {
      ...emptyResult,
      status: 'internal_error',
      message: `The executor failed (${(error as Error).message}). This is not caused by the program; try again, and report it if it persists.`,
    };
  }
}

/** The job for one request; `originalSource` picks the file name (Java's public class), `source` is what runs. */
export function jobFor(spec: LanguageSpec, originalSource: string, source: string, stdin: string): SandboxJob {
  const fileName = spec.fileName(originalSource);
  return {
    files: [{ name: fileName, content: source }],
    compile: spec.compile ? stepOf(spec.compile(fileName), compileStepLimits) : undefined,
    run: stepOf(spec.run(fileName), runStepLimits),
    stdin,
    maxOutputBytes: runLimits.outputBytes,
  };
}

/** Why `spec` cannot run in `sandbox`, or null when it can. */
async function missingRequirement(spec: LanguageSpec, sandbox: Sandbox): Promise<string | null> {
  const availability = await sandbox.availability();
  if (!availability.available) return availability.message;
  for (const requirement of spec.requires) {
    if (!(await sandbox.findProgram(requirement.program))) {
      return `${spec.label} is not available here: \`${requirement.program}\` is missing. ${requirement.install}`;
    }
  }
  return null;
}

/** Which languages can run, and for the others, what to install. */
export async function availableLanguages(deps: Pick<RunCodeDeps, 'sandbox'>): Promise<LanguageAvailability[]> {
  return Promise.all(
    languages.map(async (language) => {
      const spec = languageSpec(language);
      const missing = await missingRequirement(spec, deps.sandbox);
      return missing
        ? { language, label: spec.label, available: false, message: missing }
        : { language, label: spec.label, available: true };
    }),
  );
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
const seconds = (ms: number): string => `${ms / 1000} s`;

/** Turns what the sandbox saw into the one RunResult shape. Pure. */
export function resultFromJob(spec: LanguageSpec, outcome: SandboxJobResult): RunResult {
  if (outcome.kind === 'unavailable') return { ...emptyResult, status: 'unavailable', message: outcome.message };
  if (outcome.kind === 'failed') {
    return { ...emptyResult, status: 'internal_error', message: `The sandbox failed: ${outcome.message}` };
  }

  const { compile, run } = outcome;
  // Successful compiles are usually silent; an empty compileOutput would only be noise.
  const compilePart = compile
    ? { ...(compile.output ? { compileOutput: compile.output } : {}), compileMs: round(compile.durationMs) }
    : {};
  const compileTruncated = compile?.outputTruncated ?? false;

  if (compile && (compile.timedOut || compile.exitCode !== 0)) {
    return {
      ...emptyResult,
      ...compilePart,
      status: 'compile_error',
      signal: compile.signal ?? undefined,
      truncated: compileTruncated,
      message: compile.timedOut
        ? `Compilation took longer than ${seconds(compileStepLimits.wallMs)} and was stopped.`
        : compile.signal
          ? `The compiler was stopped by ${compile.signal} (it may have run out of memory).`
          : 'Compilation failed.',
    };
  }
  if (!run) {
    return { ...emptyResult, ...compilePart, status: 'internal_error', message: 'The sandbox compiled the program but did not run it.' };
  }

  const base = {
    ...compilePart,
    exitCode: run.exitCode,
    signal: run.signal ?? undefined,
    stdout: run.stdout,
    stderr: run.stderr,
    durationMs: round(run.durationMs),
    truncated: run.outputLimitExceeded || compileTruncated,
  };
  const [status, message] = classifyRun(spec, run);
  return message ? { ...base, status, message } : { ...base, status };
}

type RunOutcomeOf<T> = T extends { kind: 'completed'; run?: infer R } ? NonNullable<R> : never;

function classifyRun(spec: LanguageSpec, run: RunOutcomeOf<SandboxJobResult>): [RunResult['status'], string?] {
  const memory = `${PROGRAM_MEMORY_BYTES / MiB} MB`;
  if (run.outputLimitExceeded) {
    return ['output_limit', `The program wrote more than ${runLimits.outputBytes / 1024} KB of output and was stopped.`];
  }
  if (run.timedOut) return ['timeout', `The program ran longer than ${seconds(runStepLimits.wallMs)} and was stopped.`];
  if (run.signal === 'SIGXCPU') {
    return ['timeout', `The program used more than ${runStepLimits.cpuSeconds} s of CPU time and was stopped.`];
  }
  if (run.exitCode === 0) return ['ok'];
  if (spec.outOfMemory.test(run.stderr)) return ['memory_limit', `The program ran out of memory (limit ${memory}).`];
  if (run.signal === 'SIGXFSZ') {
    return ['runtime_error', `The program tried to write a file larger than ${runStepLimits.fileSizeBytes / MiB} MB.`];
  }
  if (run.signal === 'SIGSYS') return ['runtime_error', 'The program made a system call the sandbox forbids.'];
  if (run.signal) return ['runtime_error', `The program was stopped by ${run.signal}.`];
  return ['runtime_error', `The program exited with code ${run.exitCode}.`];
}
