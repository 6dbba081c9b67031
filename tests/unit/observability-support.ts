import { vi } from 'vitest';

/**
 * Captures what Powertools writes (logs: INFO/DEBUG to stdout, WARN/ERROR to stderr; metrics:
 * EMF lines to stdout) as parsed JSON objects. Powertools writes through a Console bound to
 * process.stdout/stderr, which looks `write` up on every call, so spying on it works even for
 * loggers created before the capture started.
 */
export function captureOutput() {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(record as typeof process.stdout.write);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(record as typeof process.stderr.write);
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '');
  return {
    /** Every line, parsed; a line that is not JSON fails the test (structured output only). */
    json: (): Array<Record<string, unknown>> => lines().map((line) => JSON.parse(line) as Record<string, unknown>),
    /** EMF documents: the lines that carry `_aws.CloudWatchMetrics`. */
    emf: () => captured(lines()).filter(isEmf),
    /** Log lines: everything that is not EMF. */
    logs: () => captured(lines()).filter((line) => !isEmf(line)),
    restore() {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
}

export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

function captured(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

function isEmf(line: Record<string, unknown>): line is EmfDocument {
  return typeof line._aws === 'object' && line._aws !== null && 'CloudWatchMetrics' in line._aws;
}

/**
 * Every metric in the EMF documents, flattened: name, unit, namespace, its dimension sets,
 * the dimension values, and the value(s).
 */
export function metricsIn(documents: EmfDocument[]) {
  return documents.flatMap((doc) =>
    doc._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((metric) => ({
        namespace: directive.Namespace,
        name: metric.Name,
        unit: metric.Unit,
        dimensionSets: directive.Dimensions,
        dimensions: Object.fromEntries(directive.Dimensions.flat().map((key) => [key, doc[key]])),
        value: doc[metric.Name],
      })),
    ),
  );
}

/** Environment variables that change what Powertools prints; unset for a test unless it sets them. */
export const powertoolsVariables = [
  'POWERTOOLS_DEV',
  'POWERTOOLS_METRICS_DISABLED',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'LOG_LEVEL',
  'AWS_LAMBDA_LOG_LEVEL',
] as const;

export function clearPowertoolsEnv(): void {
  for (const name of powertoolsVariables) vi.stubEnv(name, undefined);
}
