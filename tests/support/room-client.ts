import WebSocket from 'ws';
import { sessionChannel } from '../../src/protocol/live-events.js';
import type { ClientMessage, ServerMessage } from '../../src/protocol/realtime.js';
import { EventApiSubscriber } from './event-api-client.js';

/**
 * A raw protocol client for integration tests: records every server message in order. Like the
 * browser's RoomConnection it has two ways in: its WebSocket API socket, and (when the stack has
 * an Event API) a subscription to the session's channel, whose messages are recorded alike.
 */
export class RoomClient {
  /** The Event API of each local stack, by its WebSocket URL (tests/support/local-stack.ts fills it). */
  static readonly eventApis = new Map<string, string>();

  readonly received: ServerMessage[] = [];
  /** The part of `received` that came on the WebSocket API socket (the rest came on the Event API). */
  readonly receivedOnSocket: ServerMessage[] = [];
  private waiters: Array<{ match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }> = [];
  closed?: { code: number; reason: string };
  /** The session's broadcast subscription, when the stack has an Event API. */
  events?: EventApiSubscriber;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      this.receivedOnSocket.push(message);
      this.record(message);
    });
    socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  private record(message: ServerMessage) {
    this.received.push(message);
    this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
  }

  /** Opens the socket, then (with an Event API and a sessionId) subscribes to the session's channel before resolving. */
  static async connect(url: string, query: Record<string, string>): Promise<RoomClient> {
    const client = await RoomClient.open(url, query);
    const eventApi = RoomClient.eventApis.get(url);
    if (eventApi && query.sessionId) {
      try {
        client.events = await EventApiSubscriber.connect(eventApi, query.sessionId);
        await client.events.subscribe(sessionChannel(query.sessionId), (event) => client.record(event as ServerMessage));
      } catch (error) {
        await client.close();
        throw error;
      }
    }
    return client;
  }

  private static open(url: string, query: Record<string, string>): Promise<RoomClient> {
    const socket = new WebSocket(`${url}?${new URLSearchParams(query)}`);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RoomClient(socket)));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => reject(Object.assign(new Error(`HTTP ${response.statusCode}: ${body}`), { status: response.statusCode, body })));
      });
      socket.once('error', reject);
    });
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Sends one text message as several frames of at most `frameBytes` each (a fragmented message). */
  sendFragmented(text: string, frameBytes: number): void {
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length; offset += frameBytes) {
      const end = Math.min(offset + frameBytes, bytes.length);
      this.socket.send(bytes.subarray(offset, end), { binary: false, fin: end === bytes.length });
    }
  }

  /** Resolves with the first message, already received or yet to come, that matches. */
  waitFor<T extends ServerMessage['type']>(
    type: T,
    match: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 5000,
    since = 0,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const test = (m: ServerMessage) => m.type === type && match(m as Extract<ServerMessage, { type: T }>);
    const existing = this.received.slice(since).find(test);
    if (existing) return Promise.resolve(existing as Extract<ServerMessage, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}`)), timeoutMs);
      this.waiters.push({ match: test, resolve: (m) => (clearTimeout(timer), resolve(m as Extract<ServerMessage, { type: T }>)) });
    });
  }

  /** Sends and waits for the next reply of a type, ignoring earlier ones. */
  async request<T extends ServerMessage['type']>(message: ClientMessage | Record<string, unknown>, type: T, timeoutMs = 5000) {
    const since = this.received.length;
    this.send(message);
    return this.waitFor(type, () => true, timeoutMs, since);
  }

  of<T extends ServerMessage['type']>(type: T): Array<Extract<ServerMessage, { type: T }>> {
    return this.received.filter((m) => m.type === type) as Array<Extract<ServerMessage, { type: T }>>;
  }

  async close(): Promise<void> {
    await this.events?.close();
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
