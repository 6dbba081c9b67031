/**
 * Names of StreamCanvas's own CloudWatch metrics, shared by the handlers that emit them
 * (shared/observability.ts) and the dashboard that shows them (amplify/monitoring/resource.ts).
 * Plain data only: the CDK app imports this file, so it must not pull in a runtime library.
 *
 * Every metric carries the Powertools default dimension `service` (the function's name below);
 * those with `dimensions` below are also published per value of each of those dimensions
 * (one dimension set each, so CodeRuns is counted by language and, separately, by status).
 */
export const METRICS_NAMESPACE = 'StreamCanvas';

/** The `service` dimension and the logger's `service` key, one per function. */
export const serviceNames = {
  realtime: 'realtime',
  sessionApi: 'session-api',
  wsAuthorizer: 'ws-authorizer',
  deckProcessor: 'deck-processor',
  eventsAuthorizer: 'events-authorizer',
  mediaSweep: 'media-sweep',
} as const;
export type ServiceName = (typeof serviceNames)[keyof typeof serviceNames];

export const metricDimensions = {
  service: 'service',
  reason: 'reason',
  language: 'language',
  status: 'status',
} as const;

/** Metric name, unit and extra dimensions of each custom metric. */
export const appMetrics = {
  /** One per accepted publishState batch. */
  publishes: { name: 'Publishes', unit: 'Count' },
  /** Listing a session's connections and posting the patch to each of them, per publish. */
  fanOutDuration: { name: 'FanOutDuration', unit: 'Milliseconds' },
  /** Connections a publish was posted to. */
  fanOutViewers: { name: 'FanOutViewers', unit: 'Count' },
  /** A session's viewer count, after each presence change (join, leave, gone). Use Maximum. */
  activeViewers: { name: 'ActiveViewers', unit: 'Count' },
  /** One per `error` message sent to a client, by its code (bad_message, rate_limited, …). */
  rejectedMessages: { name: 'RejectedMessages', unit: 'Count', dimensions: [metricDimensions.reason] },
  /** One per code run, by language and, separately, by RunResult status. */
  codeRuns: { name: 'CodeRuns', unit: 'Count', dimensions: [metricDimensions.language, metricDimensions.status] },
  /** Wall time of a code run as the caller saw it (executor invoke included), by language. */
  codeRunDuration: { name: 'CodeRunDuration', unit: 'Milliseconds', dimensions: [metricDimensions.language] },
} as const;
