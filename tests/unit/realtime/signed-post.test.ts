import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTransientSocketError, signedPoster } from '../../../amplify/functions/shared/signed-post';

/** A loopback server that kills the first `failures` connections the given way, then answers 200. */
async function flakyServer(failures: number, kill: (socket: Socket) => void) {
  const state = { requests: 0, connections: 0, bodies: [] as string[] };
  const server: Server = createServer((request, response) => {
    state.requests++;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (state.requests <= failures) return kill(request.socket);
      state.bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200).end();
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`, state };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
});

describe('signedPoster', () => {
  it('retries once on a fresh socket when the first connection is reset', async () => {
    const { endpoint, state } = await flakyServer(1, (socket) => socket.resetAndDestroy());
    const result = await signedPoster(endpoint, { region: 'local' }).post('/@connections/abc', '{"n":1}');
    expect(result.status).toBe(200);
    expect(state.requests).toBe(2);
    expect(state.connections).toBe(2);
    expect(state.bodies).toEqual(['{"n":1}']);
  });

  it('retries once when the server hangs up without answering', async () => {
    const { endpoint, state } = await flakyServer(1, (socket) => socket.destroy());
    expect((await signedPoster(endpoint, { region: 'local' }).post('/@connections/abc', '{}')).status).toBe(200);
    expect(state.requests).toBe(2);
  });

  it('gives up after one retry', async () => {
    const { endpoint, state } = await flakyServer(5, (socket) => socket.resetAndDestroy());
    await expect(signedPoster(endpoint, { region: 'local' }).post('/@connections/abc', '{}')).rejects.toThrow();
    expect(state.requests).toBe(2);
  });

  it('treats exactly the transient socket errors as retryable', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT']) expect(isTransientSocketError(withCode(code))).toBe(true);
    expect(isTransientSocketError(new Error('socket hang up'))).toBe(true);
    expect(isTransientSocketError(withCode('ENOTFOUND'))).toBe(false);
    expect(isTransientSocketError(new Error('PostToConnection answered 500'))).toBe(false);
    expect(isTransientSocketError('ECONNRESET')).toBe(false);
  });
});
