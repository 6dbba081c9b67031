import type { AppMetrics } from '../shared/observability.js';
import type { ConnectionPoster } from './connection-poster.js';

/**
 * Counts every `error` message the realtime function sends (RejectedMessages by `code`), at the
 * one place all of them pass: the poster. A rejection built anywhere in the handler, today's or
 * a future one, is counted without anyone remembering to.
 *
 * Server messages are serialized from objects whose first key is `type` (see `rejection()` in
 * handler.ts), so only frames starting with `{"type":"error"` are parsed; patches and other
 * fan-out traffic cost one string comparison.
 */
const ERROR_PREFIX = '{"type":"error"';

export function countingRejections(poster: ConnectionPoster, metrics: AppMetrics | undefined): ConnectionPoster {
  if (!metrics) return poster;
  return {
    post(connectionId, data) {
      // Counted whether or not the post then succeeds: the message was rejected either way.
      if (data.startsWith(ERROR_PREFIX)) metrics.recordRejected(errorCodeOf(data));
      return poster.post(connectionId, data);
    },
    close: (connectionId) => poster.close(connectionId),
  };
}

function errorCodeOf(data: string): string {
  try {
    const { code } = JSON.parse(data) as { code?: unknown };
    return typeof code === 'string' ? code : 'unknown';
  } catch {
    return 'unknown';
  }
}
