import { signedPoster, type SignedPoster } from '../shared/signed-post.js';

/**
 * Publishes to an AWS AppSync Events API over its HTTP endpoint (`POST /event`, IAM-signed):
 * one request per message, whatever the audience; the Event API fans it out to every
 * subscriber of the channel. The function's role may publish to the `live` namespace only
 * (amplify/realtime/live-events.ts).
 */
export interface EventPublisher {
  /** Resolves once the Event API accepted the message; throws if it did not, after one retry. */
  publish(channel: string, message: string): Promise<void>;
}

/** The configured endpoint, `https://<http domain>/event` (EVENT_API_URL), or none. */
export const EVENT_API_URL_ENV = 'EVENT_API_URL';

const publishers = new Map<string, EventPublisher>();

/** One publisher per endpoint for the life of the process: its connections stay warm between invocations. */
export function eventApiPublisher(url: string): EventPublisher {
  let existing = publishers.get(url);
  if (!existing) publishers.set(url, (existing = createPublisher(signedPoster(url, { service: 'appsync', maxSockets: 8 }))));
  return existing;
}

export function createPublisher(poster: SignedPoster): EventPublisher {
  return {
    async publish(channel, message) {
      const body = JSON.stringify({ channel, events: [message] });
      for (let attempt = 1; ; attempt++) {
        const { status, errorType, body: answer } = await poster.post('', body);
        if (status >= 200 && status < 300) {
          const failed = (JSON.parse(answer.toString('utf8') || '{}') as { failed?: unknown[] }).failed ?? [];
          if (failed.length === 0) return;
          throw new Error(`The Event API did not take the message: ${JSON.stringify(failed)}`);
        }
        // One retry for throttling or a transient server error, as the SDK would.
        if (attempt < 2 && (status === 429 || status >= 500)) {
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
          continue;
        }
        throw new Error(`The Event API answered ${status}${errorType ? ` ${errorType}` : ''}: ${answer.toString('utf8').slice(0, 200)}`);
      }
    },
  };
}
