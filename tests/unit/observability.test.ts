import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createObservability } from '../../amplify/functions/shared/observability.js';
import { captureOutput, clearPowertoolsEnv, metricsIn } from './observability-support.js';

/** amplify/functions/shared/observability.ts: structured logs and EMF metrics through Powertools. */

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  clearPowertoolsEnv();
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  vi.unstubAllEnvs();
});

describe('metrics', () => {
  it('records a publish as Publishes, FanOutViewers and FanOutDuration in namespace StreamCanvas, service realtime', () => {
    const observability = createObservability('realtime');
    observability.metrics.recordPublish(42, 17.5);
    observability.flushMetrics();
    expect(metricsIn(output.emf())).toEqual([
      { namespace: 'StreamCanvas', name: 'Publishes', unit: 'Count', dimensionSets: [['service']], dimensions: { service: 'realtime' }, value: 1 },
      { namespace: 'StreamCanvas', name: 'FanOutViewers', unit: 'Count', dimensionSets: [['service']], dimensions: { service: 'realtime' }, value: 42 },
      {
        namespace: 'StreamCanvas',
        name: 'FanOutDuration',
        unit: 'Milliseconds',
        dimensionSets: [['service']],
        dimensions: { service: 'realtime' },
        value: 17.5,
      },
    ]);
  });

  it('records active viewers as ActiveViewers, several values in one document', () => {
    const observability = createObservability('realtime');
    observability.metrics.recordActiveViewers(3);
    observability.metrics.recordActiveViewers(4);
    observability.flushMetrics();
    expect(metricsIn(output.emf())).toEqual([
      { namespace: 'StreamCanvas', name: 'ActiveViewers', unit: 'Count', dimensionSets: [['service']], dimensions: { service: 'realtime' }, value: [3, 4] },
    ]);
  });

  it('records a rejected message as RejectedMessages by reason, at once, apart from the stored metrics', () => {
    const observability = createObservability('realtime');
    observability.metrics.recordPublish(1, 2);
    observability.metrics.recordRejected('rate_limited');
    // Published before the flush, and without the reason leaking onto the publish metrics.
    expect(metricsIn(output.emf())).toEqual([
      {
        namespace: 'StreamCanvas',
        name: 'RejectedMessages',
        unit: 'Count',
        dimensionSets: [['service', 'reason']],
        dimensions: { service: 'realtime', reason: 'rate_limited' },
        value: 1,
      },
    ]);
    observability.flushMetrics();
    const stored = metricsIn(output.emf()).filter((m) => m.name !== 'RejectedMessages');
    expect(stored.map((m) => [m.name, m.dimensionSets])).toEqual([
      ['Publishes', [['service']]],
      ['FanOutViewers', [['service']]],
      ['FanOutDuration', [['service']]],
    ]);
  });

  it('records a code run as CodeRuns by language and separately by status, and CodeRunDuration by language', () => {
    const observability = createObservability('realtime');
    observability.metrics.recordCodeRun('python', 'ok', 85);
    expect(metricsIn(output.emf())).toEqual([
      {
        namespace: 'StreamCanvas',
        name: 'CodeRuns',
        unit: 'Count',
        dimensionSets: [
          ['service', 'language'],
          ['service', 'status'],
        ],
        dimensions: { service: 'realtime', language: 'python', status: 'ok' },
        value: 1,
      },
      {
        namespace: 'StreamCanvas',
        name: 'CodeRunDuration',
        unit: 'Milliseconds',
        dimensionSets: [['service', 'language']],
        dimensions: { service: 'realtime', language: 'python' },
        value: 85,
      },
    ]);
  });

  it('prints nothing when nothing was recorded (no Powertools "no metrics" warning)', () => {
    const observability = createObservability('session-api');
    observability.flushMetrics();
    observability.metrics.recordActiveViewers(1);
    observability.flushMetrics();
    observability.flushMetrics();
    expect(output.json()).toHaveLength(1);
  });

  it('skips values that are not finite numbers and empty dimension values, without throwing', () => {
    const observability = createObservability('realtime');
    observability.metrics.recordPublish(Number.NaN, Number.POSITIVE_INFINITY);
    observability.metrics.recordRejected('  ');
    observability.flushMetrics();
    expect(metricsIn(output.emf()).map((m) => [m.name, m.dimensions])).toEqual([
      ['RejectedMessages', { service: 'realtime', reason: 'unknown' }],
      ['Publishes', { service: 'realtime' }],
    ]);
  });

  it.each([
    ['POWERTOOLS_METRICS_DISABLED', 'true'],
    ['POWERTOOLS_DEV', 'true'],
  ])('prints no metrics at all with %s=%s (the local stack), and does not fail', (name, value) => {
    vi.stubEnv(name, value);
    const observability = createObservability('realtime');
    observability.metrics.recordPublish(5, 10);
    observability.metrics.recordRejected('bad_message');
    observability.metrics.recordCodeRun('java', 'timeout', 5000);
    observability.metrics.recordActiveViewers(2);
    observability.flushMetrics();
    expect(output.emf()).toEqual([]);
  });
});

describe('logs', () => {
  it('writes each entry as one JSON line: level, message, service, timestamp and the entry’s fields', () => {
    const observability = createObservability('realtime');
    observability.log({ level: 'warn', message: 'fan-out posts failed', failed: 2, sessionId: 's-1' });
    observability.log({ level: 'error', message: 'realtime action failed', routeKey: 'chat', error: 'Error: boom' });
    observability.log({ message: 'no level means info' });
    const logs = output.logs();
    expect(logs).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'fan-out posts failed', service: 'realtime', failed: 2, sessionId: 's-1' }),
      expect.objectContaining({ level: 'ERROR', message: 'realtime action failed', service: 'realtime', routeKey: 'chat', error: 'Error: boom' }),
      expect.objectContaining({ level: 'INFO', message: 'no level means info', service: 'realtime' }),
    ]);
    for (const line of logs) expect(Date.parse(line.timestamp as string)).not.toBeNaN();
  });

  it('takes the level from LOG_LEVEL (default INFO)', () => {
    vi.stubEnv('LOG_LEVEL', 'WARN');
    const observability = createObservability('ws-authorizer');
    observability.log({ level: 'info', message: 'connection refused', reason: 'session has ended' });
    observability.log({ level: 'debug', message: 'detail' });
    observability.log({ level: 'error', message: 'authorizer failed' });
    expect(output.logs().map((line) => line.message)).toEqual(['authorizer failed']);
  });

  it('logs DEBUG only when asked', () => {
    const quiet = createObservability('session-api');
    quiet.log({ level: 'debug', message: 'hidden' });
    vi.stubEnv('LOG_LEVEL', 'DEBUG');
    const verbose = createObservability('session-api');
    verbose.log({ level: 'debug', message: 'shown' });
    expect(output.logs().map((line) => line.message)).toEqual(['shown']);
  });
});

describe('instrument', () => {
  const context = {
    functionName: 'realtime-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:realtime-fn',
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
  } as Context;

  it('adds the Lambda request id and cold start to the logs and flushes metrics after each invocation', async () => {
    const observability = createObservability('realtime');
    const handler = observability.instrument(async (event: { n: number }) => {
      observability.metrics.recordActiveViewers(event.n);
      observability.log({ message: 'handled' });
      return event.n * 2;
    });
    await expect(handler({ n: 3 }, context)).resolves.toBe(6);
    expect(output.logs()).toEqual([
      expect.objectContaining({ message: 'handled', function_request_id: 'request-1', function_name: 'realtime-fn', cold_start: expect.any(Boolean) }),
    ]);
    expect(metricsIn(output.emf()).map((m) => [m.name, m.value])).toEqual([['ActiveViewers', 3]]);
  });

  it('flushes metrics even when the handler throws, and rethrows', async () => {
    const observability = createObservability('realtime');
    const handler = observability.instrument(async () => {
      observability.metrics.recordPublish(1, 1);
      throw new Error('boom');
    });
    await expect(handler({})).rejects.toThrow('boom');
    expect(metricsIn(output.emf()).map((m) => m.name)).toEqual(['Publishes', 'FanOutViewers', 'FanOutDuration']);
  });

  it('works without a context (the local stack calls handlers with the event only)', async () => {
    const observability = createObservability('session-api');
    const handler = observability.instrument(async () => 'ok');
    await expect(handler(undefined)).resolves.toBe('ok');
    expect(output.json()).toEqual([]);
  });
});
