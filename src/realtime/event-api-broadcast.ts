import type { AmplifyOutputsJson } from '../config';
import { afterNextPaint } from '../lib/after-paint';
import type { BroadcastHandlers, BroadcastSource } from './broadcast-source';

/**
 * The app's BroadcastSource: Amplify's `events` client (aws-amplify/data) subscribed to the
 * session's channel of the backend's Event API. Amplify is loaded on first use, in its own
 * chunk, so the viewer route's first render does not wait for it (tests/unit/web/bundle-boundaries),
 * and after the next paint: the room subscribes on its first snapshot, whose canvas comes first.
 */
export function eventApiBroadcast(outputs: AmplifyOutputsJson): BroadcastSource {
  return {
    subscribe(sessionId, handlers) {
      let unsubscribe: (() => void) | undefined;
      let closed = false;
      const cancel = afterNextPaint(() =>
        import('./amplify-events').then(
          ({ subscribeToSession }) => {
            if (!closed) unsubscribe = subscribeToSession(outputs, sessionId, handlers);
          },
          (error: unknown) => handlers.failed(`The realtime client could not be loaded (${String(error)}).`),
        ),
      );
      return () => {
        closed = true;
        cancel();
        unsubscribe?.();
      };
    },
  };
}

export type { BroadcastHandlers };
