import type { AmplifyOutputsJson } from '../config';
import type { BroadcastHandlers, BroadcastSource } from './broadcast-source';

/**
 * The app's BroadcastSource: Amplify's `events` client (aws-amplify/data) subscribed to the
 * session's channel of the backend's Event API. Amplify is loaded on first use, in its own
 * chunk, so the viewer route's first render does not wait for it (tests/unit/web/bundle-boundaries).
 */
export function eventApiBroadcast(outputs: AmplifyOutputsJson): BroadcastSource {
  return {
    subscribe(sessionId, handlers) {
      let unsubscribe: (() => void) | undefined;
      let closed = false;
      import('./amplify-events').then(
        ({ subscribeToSession }) => {
          if (!closed) unsubscribe = subscribeToSession(outputs, sessionId, handlers);
        },
        (error: unknown) => handlers.failed(`The realtime client could not be loaded (${String(error)}).`),
      );
      return () => {
        closed = true;
        unsubscribe?.();
      };
    },
  };
}

export type { BroadcastHandlers };
