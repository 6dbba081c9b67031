import WebSocket from 'ws';

/**
 * A raw AppSync Events client for Node tests and the bench: many of them can run in one process,
 * which Amplify's (a per-page singleton) cannot. It speaks what Amplify's `events` client speaks
 * (tests/integration/event-api-amplify.test.ts checks Amplify's itself against the stand-in):
 * the `aws-appsync-event-ws` subprotocol with the authorization headers base64url-encoded in a
 * second one, `connection_init`, then `subscribe` messages with their own authorization.
 */
export type EventApiError = { errorType: string; message?: string };

export class EventApiSubscriber {
  private readonly waiting = new Map<string, { resolve: () => void; reject: (error: Error & { errors?: EventApiError[] }) => void }>();
  private readonly handlers = new Map<string, (event: unknown) => void>();
  private nextId = 1;
  /** Every message the server sent, in order (`ka` included). */
  readonly received: Array<Record<string, unknown>> = [];

  private constructor(
    readonly socket: WebSocket,
    private readonly authorization: Record<string, string>,
  ) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown> & { id?: string; type?: string; event?: string; errors?: EventApiError[] };
      this.received.push(message);
      if (message.type === 'data' && message.id) return this.handlers.get(message.id)?.(JSON.parse(message.event ?? 'null'));
      const waiter = message.id ? this.waiting.get(message.id) : undefined;
      if (!waiter) return;
      this.waiting.delete(message.id!);
      if (message.type?.endsWith('_success')) waiter.resolve();
      else waiter.reject(Object.assign(new Error(`${message.type}: ${JSON.stringify(message.errors)}`), { errors: message.errors }));
    });
    socket.on('close', () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error('The Event API socket closed.'));
      this.waiting.clear();
    });
  }

  /** `url` is the endpoint Amplify is configured with (`ws://host:port/event`); `token` the Lambda authorizer's. */
  static connect(url: string, token: string): Promise<EventApiSubscriber> {
    const authorization = { Authorization: token, host: new URL(url).host };
    const header = `header-${Buffer.from(JSON.stringify(authorization)).toString('base64url')}`;
    const socket = new WebSocket(`${url}/realtime`, ['aws-appsync-event-ws', header]);
    return new Promise((resolve, reject) => {
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      socket.on('message', function first(data) {
        const message = JSON.parse(data.toString()) as { type: string; errors?: EventApiError[] };
        if (message.type === 'connection_ack') {
          socket.off('message', first);
          resolve(new EventApiSubscriber(socket, authorization));
        } else if (message.type === 'connection_error') {
          socket.off('message', first);
          reject(Object.assign(new Error(`connection_error: ${JSON.stringify(message.errors)}`), { errors: message.errors }));
        }
      });
      socket.once('error', reject);
      socket.once('close', (code) => reject(new Error(`The Event API socket closed (${code}) before it was acknowledged.`)));
    });
  }

  /** Resolves on `subscribe_success`; rejects with the server's `errors` on `subscribe_error`. */
  subscribe(channel: string, onEvent: (event: unknown) => void): Promise<string> {
    const id = `sub-${this.nextId++}`;
    this.handlers.set(id, onEvent);
    return this.request({ type: 'subscribe', id, channel, authorization: this.authorization }, id).then(() => id);
  }

  unsubscribe(id: string): Promise<void> {
    this.handlers.delete(id);
    return this.request({ type: 'unsubscribe', id }, id);
  }

  /** Publishing over the socket, as a client could try; resolves on `publish_success`. */
  publish(channel: string, events: unknown[]): Promise<void> {
    const id = `pub-${this.nextId++}`;
    return this.request({ type: 'publish', id, channel, events: events.map((e) => JSON.stringify(e)), authorization: this.authorization }, id);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  private request(message: Record<string, unknown>, id: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket.send(JSON.stringify(message));
    });
  }
}
