import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeepAlivePool, ResponseParser } from '../../../amplify/functions/shared/keep-alive-pool';

const servers: Array<Server | TcpServer> = [];
const pools: KeepAlivePool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) pool.close();
  for (const server of servers.splice(0)) {
    (server as Server).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

const head = (path: string, bodyLength = 0) => `POST ${path} HTTP/1.1\r\nhost: test\r\ncontent-length: ${bodyLength}\r\n\r\n`;

/** A Node HTTP server that echoes the path and body, counting connections and the most open at once. */
async function echoServer(handle?: (path: string, respond: (status: number, body: string, headers?: Record<string, string>) => void) => void) {
  const state = { connections: 0, open: 0, maxOpen: 0, paths: [] as string[] };
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.paths.push(request.url ?? '');
      const respond = (status: number, body: string, headers: Record<string, string> = {}) => response.writeHead(status, headers).end(body);
      if (handle) handle(request.url ?? '', respond);
      else respond(200, `${request.url}:${Buffer.concat(chunks).toString()}`);
    });
  });
  server.on('connection', (socket) => {
    state.connections++;
    state.maxOpen = Math.max(state.maxOpen, ++state.open);
    socket.on('close', () => state.open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), state };
}

/** A raw TCP server answering every request with the given bytes. */
async function rawServer(answer: (socket: Socket, requestNumber: number) => void) {
  let requests = 0;
  const server = createTcpServer((socket) => socket.on('data', () => answer(socket, ++requests)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

function pool(url: URL, options?: ConstructorParameters<typeof KeepAlivePool>[1]) {
  const created = new KeepAlivePool(url, options);
  pools.push(created);
  return created;
}

describe('KeepAlivePool', () => {
  it('sends head and body and reuses one connection for requests one after another', async () => {
    const { url, state } = await echoServer();
    const p = pool(url);
    for (const n of [1, 2, 3]) {
      const body = Buffer.from(`{"n":${n}}`);
      const response = await p.request(head(`/post/${n}`, body.length), body);
      expect(response.status).toBe(200);
      expect(response.body.toString()).toBe(`/post/${n}:{"n":${n}}`);
    }
    expect(state.connections).toBe(1);
  });

  it('never opens more than maxSockets, queues the rest in order and answers all', async () => {
    const { url, state } = await echoServer((path, respond) => setTimeout(() => respond(200, path), 5));
    const p = pool(url, { maxSockets: 3 });
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => p.request(head(`/${i}`), Buffer.alloc(0))));
    expect(responses.map((r) => r.body.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `/${i}`));
    expect(state.maxOpen).toBeLessThanOrEqual(3);
    expect(state.connections).toBe(3);
    expect(p.size).toBe(3);
  });

  it('reads error statuses and their headers, and a chunked body', async () => {
    const url = await rawServer((socket) =>
      socket.write(
        'HTTP/1.1 410 Gone\r\nx-amzn-ErrorType: GoneException:http://internal\r\ntransfer-encoding: chunked\r\n\r\n' +
          '5\r\n{"mes\r\n9;ext=1\r\nsage":nul\r\n2\r\nl}\r\n0\r\n\r\n',
      ),
    );
    const response = await pool(url).request(head('/x'), Buffer.alloc(0));
    expect(response.status).toBe(410);
    expect(response.headers['x-amzn-errortype']).toBe('GoneException:http://internal');
    expect(JSON.parse(response.body.toString())).toEqual({ message: null });
  });

  it('opens a new connection after a response that says connection: close', async () => {
    const { url, state } = await echoServer((path, respond) => respond(200, path, { connection: 'close' }));
    const p = pool(url);
    await p.request(head('/a'), Buffer.alloc(0));
    await p.request(head('/b'), Buffer.alloc(0));
    expect(state.connections).toBe(2);
  });

  it('forgets an idle connection the server closed, and the next request works', async () => {
    let sockets: Socket[] = [];
    const url = await rawServer((socket) => {
      sockets.push(socket);
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const p = pool(url);
    await p.request(head('/a'), Buffer.alloc(0));
    sockets[0]!.end();
    await vi.waitFor(() => expect(p.size).toBe(0));
    sockets = [];
    expect((await p.request(head('/b'), Buffer.alloc(0))).body.toString()).toBe('ok');
  });

  it('fails a request with ECONNRESET when the connection dies before the answer, and with ETIMEDOUT when none comes', async () => {
    const url = await rawServer((socket, n) => (n === 1 ? socket.resetAndDestroy() : undefined));
    const p = pool(url, { requestTimeoutMs: 200 });
    await expect(p.request(head('/a'), Buffer.alloc(0))).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(p.request(head('/b'), Buffer.alloc(0))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(p.size).toBe(0);
  });

  it('refuses a malformed answer rather than guessing', async () => {
    const url = await rawServer((socket) => socket.write('SMTP ready\r\n\r\n'));
    await expect(pool(url).request(head('/a'), Buffer.alloc(0))).rejects.toMatchObject({ code: 'EPROTO' });
  });

  it('sends a fresh request on a new connection even when idle ones exist', async () => {
    const { url, state } = await echoServer();
    const p = pool(url);
    await p.request(head('/a'), Buffer.alloc(0));
    await p.request(head('/b'), Buffer.alloc(0), { fresh: true });
    expect(state.connections).toBe(2);
  });
});

describe('ResponseParser', () => {
  it('assembles a response fed one byte at a time, skipping an interim 100 Continue', () => {
    const bytes = Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 5\r\nA: 1\r\na: 2\r\n\r\nhello');
    const parser = new ResponseParser();
    let response;
    for (let i = 0; i < bytes.length; i++) {
      expect(response).toBeUndefined();
      response = parser.feed(bytes.subarray(i, i + 1));
    }
    expect(response).toMatchObject({ status: 201, headers: { a: '1, 2', 'content-length': '5' } });
    expect(response!.body.toString()).toBe('hello');
  });

  it('refuses a body longer than its Content-Length and a response without a length', () => {
    expect(() => new ResponseParser().feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nxy'))).toThrow(/More data/);
    expect(() => new ResponseParser().feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\nxy'))).toThrow(/without a length/);
  });
});
