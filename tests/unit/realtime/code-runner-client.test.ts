import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaCodeRunner } from '../../../amplify/functions/realtime/code-runner-client';

/**
 * The realtime function's executor client, with the real AWS SDK client (built as in production,
 * configured through the SDK's own environment variables) against a server that answers the way
 * the Lambda Invoke API does. Every failure must come back as a RunResult at once: the tile would
 * otherwise show "running" until the run goes stale.
 */

type Answer = (res: ServerResponse) => void;
let answer: Answer;
let requests = 0;
let server: Server;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      requests++;
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = {
    AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  for (const [name, value] of Object.entries(env)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});
afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests = 0;
});

const request = { language: 'python', source: 'print(1)', stdin: '' } as const;
const json = (status: number, headers: Record<string, string>, body: unknown): Answer => (res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('lambdaCodeRunner', () => {
  it('answers busy at once when the executor is throttled, without retrying', async () => {
    answer = json(429, { 'x-amzn-errortype': 'TooManyRequestsException' }, {
      Type: 'User',
      message: 'Rate Exceeded.',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
    const result = await lambdaCodeRunner('executor')(request);
    expect(result).toMatchObject({ status: 'busy', exitCode: null, stdout: '', stderr: '' });
    expect(result.message).toMatch(/busy.*Try again/);
    expect(requests).toBe(1);
  });

  it('answers internal_error when the invoke fails, naming the error', async () => {
    answer = json(500, { 'x-amzn-errortype': 'ServiceException' }, { message: 'Lambda had a moment' });
    const result = await lambdaCodeRunner('executor')(request);
    expect(result).toMatchObject({ status: 'internal_error', exitCode: null });
    expect(result.message).toMatch(/could not be reached \(ServiceException: Lambda had a moment\)/);
  });

  it('answers internal_error when the function itself failed (e.g. timed out), naming the error type', async () => {
    answer = json(200, { 'x-amz-function-error': 'Unhandled' }, { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 20.00 seconds' });
    const result = await lambdaCodeRunner('executor')(request);
    expect(result).toMatchObject({ status: 'internal_error' });
    expect(result.message).toContain('Unhandled: Sandbox.Timedout');
  });

  it('answers internal_error when the executor cannot be reached at all', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const previous = process.env.AWS_ENDPOINT_URL_LAMBDA;
    process.env.AWS_ENDPOINT_URL_LAMBDA = `http://127.0.0.1:${port}`;
    try {
      const result = await lambdaCodeRunner('executor')(request);
      expect(result).toMatchObject({ status: 'internal_error' });
      expect(result.message).toMatch(/could not be reached/);
    } finally {
      process.env.AWS_ENDPOINT_URL_LAMBDA = previous;
    }
  });

  it('passes a RunResult through, and refuses an answer that is none', async () => {
    const ok = { status: 'ok', exitCode: 0, stdout: '1\n', stderr: '', durationMs: 12, truncated: false };
    answer = json(200, {}, ok);
    expect(await lambdaCodeRunner('executor')(request)).toEqual(ok);
    answer = json(200, {}, { hello: 'world' });
    expect(await lambdaCodeRunner('executor')(request)).toMatchObject({ status: 'internal_error', message: expect.stringContaining('unexpected') });
  });
});
