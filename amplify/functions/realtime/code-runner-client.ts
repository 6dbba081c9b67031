import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { runResultSchema, type RunRequest, type RunResult } from '../../../src/protocol/code.js';

/** Runs code in the executor function: a synchronous Lambda invoke with the RunRequest as payload. */
export type CodeRunner = (request: RunRequest) => Promise<RunResult>;

export function lambdaCodeRunner(functionName: string): CodeRunner {
  const client = new LambdaClient({});
  return async (request) => {
    const response = await client.send(
      new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(request)) }),
    );
    const payload = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    if (response.FunctionError) {
      return failure(`The code executor failed (${response.FunctionError}). Try again; if it persists, check its logs.`);
    }
    const parsed = runResultSchema.safeParse(safeJson(payload));
    return parsed.success ? parsed.data : failure('The code executor answered with something unexpected.');
  };
}

function failure(message: string): RunResult {
  return { status: 'internal_error', exitCode: null, stdout: '', stderr: '', durationMs: 0, truncated: false, message };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
