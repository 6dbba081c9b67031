import { performance } from 'node:perf_hooks';
import { createBwrapSandbox } from '../amplify/executor/bwrap-sandbox.js';
import { ensureLocalToolCache } from '../amplify/executor/tool-cache.js';
import { transpileTypeScriptWithEsbuild } from '../amplify/executor/typescript-transpiler.js';
import { createCodeRunnerHandler } from '../amplify/functions/code-runner/handler.js';
import type { LocalFunction } from './lambda-service.js';

/**
 * The executor Lambda's handler with the bubblewrap sandbox in place of Lambda's own
 * isolation. Made once, on first use: the sandbox caches its availability check, and the
 * compiler caches take a moment to build.
 */
export function localCodeRunner(log: (line: string) => void): LocalFunction {
  let handler: Promise<LocalFunction> | undefined;
  return async (event) => {
    handler ??= ensureLocalToolCache().then((toolCacheDir) => {
      const deps = {
        sandbox: createBwrapSandbox({ toolCacheDir: toolCacheDir ?? undefined }),
        clock: () => performance.now(),
        transpileTypeScript: transpileTypeScriptWithEsbuild,
        log: (entry: Record<string, unknown>) => {
          if (entry.status === 'internal_error') log(`code run failed: ${JSON.stringify(entry)}`);
        },
      };
      return createCodeRunnerHandler(() => deps);
    });
    return (await handler)(event);
  };
}
