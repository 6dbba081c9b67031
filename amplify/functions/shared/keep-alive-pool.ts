import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/**
 * A bounded pool of keep-alive HTTP/1.1 connections to one origin, for requests whose head the
 * caller has already written out (signed). One request at a time per socket, at most
 * `maxSockets` sockets; further requests wait in order. Head and body leave in one write.
 *
 * Node's `http.request` costs tens of microseconds per request in objects, header validation and
 * parser setup; fan-out makes one request per viewer per message, so this does the least:
 * write bytes, read a status line, headers and a Content-Length or chunked body.
 */
export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface KeepAlivePoolOptions {
  maxSockets?: number;
  /** A request that has no complete response after this long fails with ETIMEDOUT. */
  requestTimeoutMs?: number;
  /** Idle sockets are closed after this long; a server may close them sooner, which is handled too. */
  idleTimeoutMs?: number;
}

interface Pending {
  head: string;
  body: Buffer;
  resolve: (response: HttpResponse) => void;
  reject: (error: Error) => void;
}

export class KeepAlivePool {
  private readonly idle: PooledSocket[] = [];
  private readonly queue: Pending[] = [];
  private open = 0;
  private closed = false;
  readonly maxSockets: number;

  constructor(
    private readonly origin: URL,
    private readonly options: KeepAlivePoolOptions = {},
  ) {
    this.maxSockets = options.maxSockets ?? 64;
  }

  /**
   * `head` is the request line and headers, ending with an empty line; `body` is sent as is.
   * `fresh` sends it on a new connection at once: for the retry after a pooled socket died (a
   * frozen Lambda's sockets all die together, so the next idle one is likely dead too).
   */
  request(head: string, body: Buffer, { fresh = false } = {}): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('The connection pool is closed.'));
      if (fresh) return this.connect().send({ head, body, resolve, reject });
      this.queue.push({ head, body, resolve, reject });
      this.dispatch();
    });
  }

  /** Sockets currently open (idle or busy). */
  get size(): number {
    return this.open;
  }

  close(): void {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('The connection pool is closed.'));
    for (const socket of this.idle.splice(0)) socket.destroy();
  }

  private dispatch() {
    while (this.queue.length > 0) {
      const socket = this.idle.pop() ?? (this.open < this.maxSockets ? this.connect() : undefined);
      if (!socket) return;
      socket.send(this.queue.shift()!);
    }
  }

  private connect(): PooledSocket {
    const secure = this.origin.protocol === 'https:';
    const port = Number(this.origin.port) || (secure ? 443 : 80);
    const socket = secure
      ? connectTls({ host: this.origin.hostname, port, servername: this.origin.hostname, ALPNProtocols: ['http/1.1'] })
      : connectTcp({ host: this.origin.hostname, port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    this.open++;
    return new PooledSocket(socket, this.options.requestTimeoutMs ?? 5000, this.options.idleTimeoutMs ?? 60_000, {
      released: (pooled) => {
        if (this.closed) return pooled.destroy();
        this.idle.push(pooled);
        this.dispatch();
      },
      gone: (pooled) => {
        this.open--;
        const at = this.idle.indexOf(pooled);
        if (at >= 0) this.idle.splice(at, 1);
        this.dispatch();
      },
    });
  }
}

/** An error code the callers' retry logic recognizes (see isTransientSocketError). */
function socketError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

class PooledSocket {
  private current: Pending | undefined;
  private parser = new ResponseParser();
  private requestTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private gone = false;

  constructor(
    private readonly socket: Socket,
    private readonly requestTimeoutMs: number,
    private readonly idleTimeoutMs: number,
    private readonly pool: { released(socket: PooledSocket): void; gone(socket: PooledSocket): void },
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(socketError('socket hang up', 'ECONNRESET')));
  }

  send(pending: Pending) {
    clearTimeout(this.idleTimer);
    this.current = pending;
    this.parser = new ResponseParser();
    this.requestTimer = setTimeout(
      () => this.fail(socketError(`No response within ${this.requestTimeoutMs} ms`, 'ETIMEDOUT')),
      this.requestTimeoutMs,
    );
    this.socket.cork();
    this.socket.write(pending.head, 'latin1');
    if (pending.body.length > 0) this.socket.write(pending.body);
    process.nextTick(() => this.socket.uncork());
  }

  /** Closes the socket; its 'close' event then tells the pool. */
  destroy() {
    clearTimeout(this.idleTimer);
    this.socket.destroy();
  }

  private onData(chunk: Buffer) {
    if (!this.current) {
      // Nothing was asked: the server broke the protocol. This socket cannot be trusted again.
      return this.fail(socketError('Unexpected data on an idle connection', 'ECONNRESET'));
    }
    let response: HttpResponse | undefined;
    try {
      response = this.parser.feed(chunk);
    } catch (error) {
      return this.fail(error as Error);
    }
    if (!response) return;
    const { resolve } = this.current;
    this.current = undefined;
    clearTimeout(this.requestTimer);
    if (this.parser.reusable && response.headers.connection !== 'close') {
      this.idleTimer = setTimeout(() => this.destroy(), this.idleTimeoutMs);
      this.idleTimer.unref();
      this.pool.released(this);
    } else {
      this.destroy();
    }
    resolve(response);
  }

  private fail(error: Error) {
    clearTimeout(this.requestTimer);
    clearTimeout(this.idleTimer);
    const current = this.current;
    this.current = undefined;
    if (!this.gone) {
      this.gone = true;
      this.socket.destroy();
      this.pool.gone(this);
    }
    current?.reject(error);
  }
}

/** Reads one HTTP/1.1 response from a byte stream: head, then a Content-Length, chunked or empty body. */
export class ResponseParser {
  private buffered: Buffer = Buffer.alloc(0);
  private head: { status: number; headers: Record<string, string> } | undefined;
  private chunks: Buffer[] = [];
  /** False when the body ran to the end of the connection, which then cannot carry another request. */
  reusable = true;

  /** Returns the response once it is complete; throws on a malformed one. */
  feed(chunk: Buffer): HttpResponse | undefined {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    if (!this.head) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buffered.length > 64 * 1024) throw socketError('Response head over 64 KB', 'EPROTO');
        return undefined;
      }
      this.head = parseHead(this.buffered.toString('latin1', 0, end));
      this.buffered = this.buffered.subarray(end + 4);
      if (this.head.status >= 100 && this.head.status < 200) {
        // An interim response (100 Continue): the real one follows.
        this.head = undefined;
        return this.feed(Buffer.alloc(0));
      }
    }
    const { status, headers } = this.head;
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) return this.readChunked(status, headers);
    const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : status === 204 || status === 304 ? 0 : undefined;
    if (length === undefined) {
      // Delimited by the end of the connection: not supported on a pooled socket.
      this.reusable = false;
      throw socketError('Response without a length', 'EPROTO');
    }
    if (!Number.isSafeInteger(length) || length < 0) throw socketError(`Bad Content-Length ${headers['content-length']}`, 'EPROTO');
    if (this.buffered.length < length) return undefined;
    if (this.buffered.length > length) throw socketError('More data than the response holds', 'EPROTO');
    return { status, headers, body: this.buffered };
  }

  private readChunked(status: number, headers: Record<string, string>): HttpResponse | undefined {
    for (;;) {
      const lineEnd = this.buffered.indexOf('\r\n');
      if (lineEnd < 0) return undefined;
      const size = parseInt(this.buffered.toString('latin1', 0, lineEnd).split(';')[0]!, 16);
      if (!Number.isSafeInteger(size) || size < 0) throw socketError('Bad chunk size', 'EPROTO');
      if (size === 0) {
        // The last chunk; trailers (none expected) end with an empty line.
        const end = this.buffered.indexOf('\r\n\r\n', lineEnd);
        if (end < 0) return undefined;
        return { status, headers, body: Buffer.concat(this.chunks) };
      }
      if (this.buffered.length < lineEnd + 2 + size + 2) return undefined;
      this.chunks.push(this.buffered.subarray(lineEnd + 2, lineEnd + 2 + size));
      this.buffered = this.buffered.subarray(lineEnd + 2 + size + 2);
    }
  }
}

function parseHead(text: string): { status: number; headers: Record<string, string> } {
  const lines = text.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!match) throw socketError(`Not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`, 'EPROTO');
  const headers: Record<string, string> = Object.create(null);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(match[1]), headers };
}
