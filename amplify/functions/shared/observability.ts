import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { METRICS_NAMESPACE, appMetrics, metricDimensions, type ServiceName } from './metric-names.js';

/**
 * Structured logs and custom metrics for every handler, with Powertools for AWS Lambda.
 *
 * - Logs: one JSON object per line (`level`, `message`, `service`, `timestamp`, the entry's own
 *   keys, and the Lambda request id and cold start once `instrument` has seen a context).
 *   Level from POWERTOOLS_LOG_LEVEL or LOG_LEVEL (DEBUG, INFO, WARN, ERROR), default INFO;
 *   Lambda's own log-level setting (AWS_LAMBDA_LOG_LEVEL) wins when it is set.
 * - Metrics: CloudWatch embedded metric format (EMF) on stdout, namespace `StreamCanvas`,
 *   dimension `service`. CloudWatch Logs turns those lines into metrics; no API call, no
 *   permission beyond writing logs. POWERTOOLS_METRICS_DISABLED=true (or POWERTOOLS_DEV=true)
 *   turns them off: the local stack sets it, since its handlers share one process and stdout.
 *
 * Logger and Metrics are created on first use, not at import, so the environment the local
 * stack sets after importing the handlers is the one they read.
 */

export interface AppMetrics {
  /** An accepted publishState: how many connections it was posted to and how long that took. */
  recordPublish(viewers: number, fanOutMs: number): void;
  /** An `error` message sent to a client, by its code. */
  recordRejected(reason: string): void;
  /** A session's viewer count after a presence change. */
  recordActiveViewers(count: number): void;
  /** A finished code run: its language, RunResult status and wall time as the caller saw it. */
  recordCodeRun(language: string, status: string, durationMs: number): void;
}

/** The shape of the `log` dependency the handlers already take: `{ level?, message, ...fields }`. */
export type LogEntry = Record<string, unknown>;

export interface Observability {
  readonly service: ServiceName;
  readonly logger: Logger;
  /** Writes one structured log line; `level` (debug|info|warn|error|critical) defaults to info. */
  readonly log: (entry: LogEntry) => void;
  readonly metrics: AppMetrics;
  /** Publishes the metrics stored so far as one EMF line. Never throws. */
  flushMetrics(): void;
  /** Wraps a handler: adds the Lambda context to the logs and flushes metrics after every invocation. */
  instrument<E, R>(handler: (event: E) => Promise<R>): (event: E, context?: Context) => Promise<R>;
}

export interface ObservabilityOptions {
  /** For tests: use these instead of creating them from the environment. */
  logger?: Logger;
  metrics?: Metrics;
}

/** 'Count', 'Milliseconds', …: the values of Powertools' MetricUnit. */
type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

const logLevels = ['debug', 'info', 'warn', 'error', 'critical'] as const;
type LogLevelMethod = (typeof logLevels)[number];

export function createObservability(service: ServiceName, options: ObservabilityOptions = {}): Observability {
  let logger = options.logger;
  let metrics = options.metrics;
  const getLogger = (): Logger => (logger ??= new Logger({ serviceName: service }));
  const getMetrics = (): Metrics => (metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service }));

  const log = (entry: LogEntry): void => {
    const { level, message, ...fields } = entry;
    const method = levelMethod(level);
    getLogger()[method](typeof message === 'string' ? message : JSON.stringify(message ?? null), fields);
  };

  /** Metrics without extra dimensions collect in the shared store until the invocation ends. */
  const add = (metric: { name: string; unit: Unit }, value: number): void => {
    if (!Number.isFinite(value)) return;
    getMetrics().addMetric(metric.name, metric.unit, value);
  };

  /**
   * A metric with its own dimensions goes out at once as its own EMF line, so its dimensions
   * cannot leak onto the metrics stored for the rest of the invocation.
   */
  const addDimensioned = (
    metric: { name: string; unit: Unit },
    value: number,
    dimensions: Array<[name: string, value: string]>,
  ): void => {
    if (!Number.isFinite(value)) return;
    const single = getMetrics().singleMetric();
    const [first, ...others] = dimensions;
    if (first) single.addDimension(first[0], dimensionValue(first[1]));
    // Each further dimension is its own dimension set: the metric is published once per set.
    for (const [name, dimension] of others) single.addDimensions({ [name]: dimensionValue(dimension) });
    single.addMetric(metric.name, metric.unit, value);
  };

  const safely = (record: () => void): void => {
    try {
      record();
    } catch (error) {
      // A metric must never fail the request it describes.
      log({ level: 'warn', message: 'metric not recorded', error: String(error) });
    }
  };

  const appMetricsRecorder: AppMetrics = {
    recordPublish: (viewers, fanOutMs) =>
      safely(() => {
        add(appMetrics.publishes, 1);
        add(appMetrics.fanOutViewers, viewers);
        add(appMetrics.fanOutDuration, fanOutMs);
      }),
    recordRejected: (reason) =>
      safely(() => addDimensioned(appMetrics.rejectedMessages, 1, [[metricDimensions.reason, reason]])),
    recordActiveViewers: (count) => safely(() => add(appMetrics.activeViewers, count)),
    recordCodeRun: (language, status, durationMs) =>
      safely(() => {
        addDimensioned(appMetrics.codeRuns, 1, [
          [metricDimensions.language, language],
          [metricDimensions.status, status],
        ]);
        addDimensioned(appMetrics.codeRunDuration, durationMs, [[metricDimensions.language, language]]);
      }),
  };

  const flushMetrics = (): void => {
    // Untouched (a function that records nothing): nothing to create, nothing to print.
    if (!metrics?.hasStoredMetrics()) return;
    try {
      metrics.publishStoredMetrics();
    } catch (error) {
      metrics.clearMetrics();
      log({ level: 'warn', message: 'metrics not published', error: String(error) });
    }
  };

  return {
    service,
    get logger() {
      return getLogger();
    },
    log,
    metrics: appMetricsRecorder,
    flushMetrics,
    instrument<E, R>(handler: (event: E) => Promise<R>) {
      return async (event: E, context?: Context): Promise<R> => {
        if (context) getLogger().addContext(context);
        try {
          return await handler(event);
        } finally {
          flushMetrics();
        }
      };
    },
  };
}

function levelMethod(level: unknown): LogLevelMethod {
  const normalized = typeof level === 'string' ? level.toLowerCase() : 'info';
  if (normalized === 'warning') return 'warn';
  return (logLevels as readonly string[]).includes(normalized) ? (normalized as LogLevelMethod) : 'info';
}

/** EMF dimension values must be non-empty strings of at most 1024 characters. */
function dimensionValue(value: string): string {
  const trimmed = value.trim().slice(0, 256);
  return trimmed === '' ? 'unknown' : trimmed;
}
