import { z } from 'zod';

/** The code tile's run request and result, shared by the browser and the code-runner handler. */

export const languages = ['python', 'javascript', 'typescript', 'java', 'cpp', 'csharp'] as const;
export const languageSchema = z.enum(languages, { message: `must be one of ${languages.join(', ')}` });
export type Language = z.infer<typeof languageSchema>;

export const languageLabels: Record<Language, string> = {
  python: 'Python 3',
  javascript: 'JavaScript (Node.js)',
  typescript: 'TypeScript',
  java: 'Java 17',
  cpp: 'C++ (g++)',
  csharp: 'C# (Mono)',
};

export const MAX_SOURCE_BYTES = 64 * 1024;
export const MAX_STDIN_BYTES = 16 * 1024;

const utf8Bytes = (text: string): number => new TextEncoder().encode(text).length;

export const runRequestSchema = z.strictObject({
  language: languageSchema,
  source: z
    .string({ message: 'must be a string' })
    .refine((source) => utf8Bytes(source) <= MAX_SOURCE_BYTES, {
      message: `must be at most ${MAX_SOURCE_BYTES / 1024} KB`,
    }),
  stdin: z
    .string({ message: 'must be a string' })
    .refine((stdin) => utf8Bytes(stdin) <= MAX_STDIN_BYTES, {
      message: `must be at most ${MAX_STDIN_BYTES / 1024} KB`,
    })
    .default(''),
});
export type RunRequest = z.infer<typeof runRequestSchema>;
/** What a caller may send: stdin is optional. */
export type RunRequestInput = z.input<typeof runRequestSchema>;

/**
 * How a run ended. Exactly one applies:
 * - ok: the program exited with code 0.
 * - compile_error: compilation (or TypeScript transpilation) failed; see compileOutput.
 * - runtime_error: the program exited non-zero or was killed by a signal.
 * - timeout: the program ran past the wall-clock or CPU limit and was killed.
 * - memory_limit: the program ran out of its memory allowance.
 * - output_limit: stdout + stderr passed the output limit; the run was stopped there.
 * - invalid_request: the request failed validation (see message); nothing ran.
 * - unavailable: this language or the sandbox is not installed (see message).
 * - busy: the executor is at its concurrency limit (throttled); nothing ran, try again.
 * - internal_error: the executor itself failed; the program's fault is not implied.
 */
export const runStatuses = [
  'ok',
  'compile_error',
  'runtime_error',
  'timeout',
  'memory_limit',
  'output_limit',
  'invalid_request',
  'unavailable',
  'busy',
  'internal_error',
] as const;
export const runStatusSchema = z.enum(runStatuses);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const runResultSchema = z.object({
  status: runStatusSchema,
  /** Null when the program did not exit by itself (killed, or never started). */
  exitCode: z.number().int().nullable(),
  /** The signal that ended the program, e.g. 'SIGSEGV', when one did. */
  signal: z.string().optional(),
  stdout: z.string(),
  stderr: z.string(),
  compileOutput: z.string().optional(),
  /** Wall time of the program itself (not compilation), in milliseconds. */
  durationMs: z.number().nonnegative(),
  compileMs: z.number().nonnegative().optional(),
  /** True when stdout, stderr or compileOutput were cut at the output limit. */
  truncated: z.boolean(),
  /** A human explanation of the status, e.g. why a language is unavailable. */
  message: z.string().optional(),
});
export type RunResult = z.infer<typeof runResultSchema>;

/** Limits the executor enforces, so the UI can state them. */
export const runLimits = {
  wallTimeMs: 5_000,
  compileTimeMs: 10_000,
  memoryBytes: 256 * 1024 * 1024,
  outputBytes: 64 * 1024,
} as const;

export const languageAvailabilitySchema = z.object({
  language: languageSchema,
  label: z.string(),
  available: z.boolean(),
  /** Why it is missing and how to install it. */
  message: z.string().optional(),
});
export type LanguageAvailability = z.infer<typeof languageAvailabilitySchema>;

// ---------------------------------------------------------------- the code tile's shared state

/** The tile kind whose state the realtime handler reads to run code. */
export const CODE_TILE_KIND = 'code';
/** Source travels in one patch, so it must fit a 32 KB WebSocket frame with room to spare. */
export const MAX_TILE_SOURCE_BYTES = 24 * 1024;
export const MAX_TILE_STDIN_BYTES = 4 * 1024;
/** What of a run's output the canvas keeps; every viewer receives it and late joiners load it. */
export const TILE_OUTPUT_LIMITS = { stdout: 16 * 1024, stderr: 8 * 1024, compileOutput: 8 * 1024 } as const;

/** A run as the code tile's state holds it: `running` until the executor answers. */
export type TileRun =
  | { runId: string; status: 'running'; language: Language; startedAt: number }
  | (Omit<RunResult, 'status'> & { runId: string; status: RunStatus; language: Language; startedAt: number; finishedAt: number });

/** Cuts a result's texts to what the canvas keeps, marking it truncated when anything was cut. */
export function tileRunFromResult(result: RunResult, base: { runId: string; language: Language; startedAt: number; finishedAt: number }): TileRun {
  let truncated = result.truncated;
  const cut = (text: string | undefined, limit: number) => {
    if (text === undefined || text.length <= limit) return text;
    truncated = true;
    return text.slice(0, limit);
  };
  const stdout = cut(result.stdout, TILE_OUTPUT_LIMITS.stdout) ?? '';
  const stderr = cut(result.stderr, TILE_OUTPUT_LIMITS.stderr) ?? '';
  const compileOutput = cut(result.compileOutput, TILE_OUTPUT_LIMITS.compileOutput);
  return { ...result, ...base, stdout, stderr, ...(compileOutput !== undefined ? { compileOutput } : {}), truncated };
}
