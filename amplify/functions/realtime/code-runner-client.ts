import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { runResultSchema, type RunRequest, type RunResult } from '../../../src/protocol/code.js';

/** Runs code in the executor function: a synchronous Lambda invoke with the RunRequest as payload. */
export type CodeRunner = (request: RunRequest) => Promise<RunResult>;

/**
 * Always answers with a RunResult, never rejects: the caller writes it into
 * the tile, which otherwise would show "running" until the run goes stale.
 * One attempt only: a throttled executor (TooManyRequestsException, at its
 * reserved or the account's concurrency) is reported as `busy` at once, not
 * after the SDK's backoff; the host can run again.
 */
export function lambdaCodeRunner(functionName: string, client = new LambdaClient({ maxAttempts: 1 })): CodeRunner {
  return async (request) => {
    let response;
    try {
      response = await client.send(
        new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(request)) }),
      );
    } catch (error) {
      return invokeFailure(error);
    }
    const payload = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    if (response.FunctionError) {
      const errorType = (safeJson(payload) as { errorType?: unknown } | undefined)?.errorType;
      const what = typeof errorType === 'string' ? `${response.FunctionError}: ${errorType}` : response.FunctionError;
      return result('internal_error', `The code executor failed (${what}). Try again; if it persists, check its logs.`);
    }
    const parsed = runResultSchema.safeParse(safeJson(payload));
    return parsed.success ? parsed.data : result('internal_error', 'The code executor answered with something unexpected.');
  };
}

/** Lambda's throttling errors: the function (or the account) is at its concurrency limit. */
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'EC2ThrottledException']);

function invokeFailure(error: unknown): RunResult {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  if (THROTTLED.has(name)) {
    return result('busy', 'The code executor is busy: every instance is running code. Try again in a moment.');
  }
  return result('internal_error', `The code executor could not be reached (${name}: ${message}). Try again; if it persists, check its logs.`);
}

function result(status: 'busy' | 'internal_error', message: string): RunResult {
  return { status, exitCode: null, stdout: '', stderr: '', durationMs: 0, truncated: false, message };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
