import { performance } from 'node:perf_hooks';
import { createBwrapSandbox } from '../amplify/executor/bwrap-sandbox.js';
import type { RunCodeDeps } from '../amplify/executor/run-code.js';
import { ensureLocalToolCache } from '../amplify/executor/tool-cache.js';
import { transpileTypeScriptWithEsbuild } from '../amplify/executor/typescript-transpiler.js';
import { createCodeRunnerHandler } from '../amplify/functions/code-runner/handler.js';
import type { LocalFunction } from './lambda-service.js';

/**
 * The executor as it runs on this machine: the bubblewrap sandbox in place of Lambda's own
 * isolation, with the compiler start-up caches. Make it once: the sandbox caches its
 * availability check, and the caches take a moment to build.
 */
export async function localRunCodeDeps(): Promise<RunCodeDeps> {
  const toolCacheDir = (await ensureLocalToolCache()) ?? undefined;
  return {
    sandbox: createBwrapSandbox({ toolCacheDir }),
    clock: () => performance.now(),
    transpileTypeScript: transpileTypeScriptWithEsbuild,
  };
}

/** The executor Lambda's handler on the local deps, made on first use. */
export function localCodeRunner(log: (line: string) => void): LocalFunction {
  let handler: Promise<LocalFunction> | undefined;
  return async (event) => {
    handler ??= localRunCodeDeps().then((deps) =>
      createCodeRunnerHandler(() => ({
        ...deps,
        log: (entry) => {
          if (entry.status === 'internal_error') log(`code run failed: ${JSON.stringify(entry)}`);
        },
      })),
    );
    return (await handler)(event);
  };
}
