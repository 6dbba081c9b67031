/**
 * Where a room's broadcasts (patches, chat, reactions, beacons, `ended`) arrive when the backend
 * has an Event API: a subscription to the session's channel, beside the WebSocket API socket
 * that carries everything addressed to this connection. `RoomConnection` takes one; the app's is
 * Amplify's `events` client (./event-api-broadcast.ts), tests pass their own.
 */
export interface BroadcastHandlers {
  /** A message published to the session's channel, as parsed JSON. */
  message(message: unknown): void;
  /** The subscription is live: the first time, and again after the client re-subscribed following a drop. */
  ready(): void;
  /** Its socket dropped; the client reconnects and re-subscribes by itself, then reports `ready`. */
  interrupted(): void;
  /** The Event API refused the subscription: the session ended, or does not exist. */
  refused(reason: string): void;
  /** It could not be set up for another reason (network, outage); the room tries again later. */
  failed(reason: string): void;
}

export interface BroadcastSource {
  /** Subscribes to a session's broadcasts; the returned function unsubscribes. */
  subscribe(sessionId: string, handlers: BroadcastHandlers): () => void;
}
