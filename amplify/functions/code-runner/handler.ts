import { performance } from 'node:perf_hooks';
import { runRequestSchema, type RunResult } from '../../../src/protocol/code.js';
import { describeIssues } from '../../../src/protocol/errors.js';
import { createLambdaSandbox } from '../../executor/lambda-sandbox.js';
import { runCode, type RunCodeDeps } from '../../executor/run-code.js';
import { transpileTypeScriptWithEsbuild } from '../../executor/typescript-transpiler.js';

/**
 * The code-runner Lambda (container image, amplify/executor/Dockerfile).
 * Invoked directly with a RunRequest ({ language, source, stdin }) by the
 * realtime function; answers with a RunResult, always, never an error.
 *
 * The sandbox is injected: in Lambda it is the Lambda sandbox; a local stack
 * that calls this handler builds it with the bubblewrap sandbox instead.
 */

export interface CodeRunnerDeps extends RunCodeDeps {
  log: (entry: Record<string, unknown>) => void;
}

export function createCodeRunnerHandler(deps: () => CodeRunnerDeps) {
  return async (event: unknown): Promise<RunResult> => {
    const parsed = runRequestSchema.safeParse(event);
    if (!parsed.success) {
      return {
        status: 'invalid_request',
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: 0,
        truncated: false,
        message: `Invalid run request: ${describeIssues(parsed.error)}. Send { language, source, stdin? }.`,
      };
    }
    const resolved = deps();
    const result = await runCode(parsed.data, resolved);
    // Status and timings only: source and output are the user's, and can be large.
    resolved.log({
      message: 'code run',
      language: parsed.data.language,
      status: result.status,
      durationMs: result.durationMs,
      compileMs: result.compileMs,
      ...(result.status === 'internal_error' || result.status === 'unavailable' ? { detail: result.message } : {}),
    });
    return result;
  };
}

let lambdaDeps: CodeRunnerDeps | undefined;

export const handler = createCodeRunnerHandler(
  () =>
    (lambdaDeps ??= {
      // /tmp and background processes survive into the next warm invocation: the sandbox wipes and sweeps them.
      // Code runs as this runtime's own user: it refuses to unless runtime-entrypoint.sh started us (no credentials, non-dumpable).
      sandbox: createLambdaSandbox({ scratchDir: '/tmp', wipeDirs: ['/tmp', '/dev/shm'], codeUser: 'self' }),
      clock: () => performance.now(),
      transpileTypeScript: transpileTypeScriptWithEsbuild,
      log: (entry) => console.log(JSON.stringify(entry)),
    }),
);
