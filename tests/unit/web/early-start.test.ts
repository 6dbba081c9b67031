// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** The inline start-up script (src/boot/early-start.js), run as index.html runs it, on a viewer page. */
const script = readFileSync('src/boot/early-start.js', 'utf8');
const sessionId = '0b7e4f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

class FakeSocket {
  static opened: FakeSocket[] = [];
  closed = false;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
  }
}

function configAnswering(webSocketUrl: string) {
  let answer!: () => void;
  const response = new Response(JSON.stringify({ custom: { webSocketUrl } }), { headers: { 'content-type': 'application/json' } });
  const fetched = new Promise<Response>((resolve) => (answer = () => resolve(response)));
  vi.stubGlobal('fetch', () => fetched);
  return { answer: async () => (answer(), await new Promise((resolve) => setTimeout(resolve, 0))) };
}

const boot = () => (window as unknown as { __streamcanvasBoot: { socket?: { url: string } } }).__streamcanvasBoot;

describe('the early start-up script on a viewer page', () => {
  beforeEach(() => {
    FakeSocket.opened = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    window.history.replaceState(null, '', `/watch/${sessionId}`);
    localStorage.clear();
  });
  afterEach(() => vi.unstubAllGlobals());

  it('opens the room socket after the config when this browser has not been here before, and remembers its address', async () => {
    const config = configAnswering('ws://127.0.0.1:4011/prod');
    new Function(script)();
    expect(FakeSocket.opened).toHaveLength(0);
    await config.answer();
    expect(FakeSocket.opened.map((socket) => socket.url)).toEqual([`ws://127.0.0.1:4011/prod?sessionId=${sessionId}`]);
    FakeSocket.opened[0]!.onopen?.();
    expect(JSON.parse(FakeSocket.opened[0]!.sent[0]!)).toMatchObject({ action: 'sync' });
    expect(localStorage.getItem('streamcanvas:webSocketUrl')).toBe('ws://127.0.0.1:4011/prod');
  });

  it('opens it at once from the remembered address, and keeps it when the config agrees', async () => {
    localStorage.setItem('streamcanvas:webSocketUrl', 'ws://127.0.0.1:4011/prod');
    const config = configAnswering('ws://127.0.0.1:4011/prod');
    new Function(script)();
    expect(FakeSocket.opened).toHaveLength(1);
    await config.answer();
    expect(FakeSocket.opened).toHaveLength(1);
    expect(FakeSocket.opened[0]!.closed).toBe(false);
    expect(boot().socket?.url).toBe(`ws://127.0.0.1:4011/prod?sessionId=${sessionId}`);
  });

  it('replaces a socket opened from a stale address (a redeploy) with the config’s, dropping what the stale one received', async () => {
    localStorage.setItem('streamcanvas:webSocketUrl', 'ws://127.0.0.1:9999/old');
    const config = configAnswering('ws://127.0.0.1:4011/prod');
    new Function(script)();
    const stale = FakeSocket.opened[0]!;
    stale.onmessage?.({ data: '{"type":"snapshot"}' });
    await config.answer();
    expect(stale.closed).toBe(true);
    expect(FakeSocket.opened.map((socket) => socket.url)).toEqual([
      `ws://127.0.0.1:9999/old?sessionId=${sessionId}`,
      `ws://127.0.0.1:4011/prod?sessionId=${sessionId}`,
    ]);
    expect((boot() as unknown as { messages: unknown[] }).messages).toHaveLength(0);
    expect(localStorage.getItem('streamcanvas:webSocketUrl')).toBe('ws://127.0.0.1:4011/prod');
  });

  it('opens no second socket once the room has its own', async () => {
    localStorage.setItem('streamcanvas:webSocketUrl', 'ws://127.0.0.1:9999/old');
    const config = configAnswering('ws://127.0.0.1:4011/prod');
    new Function(script)();
    (boot() as unknown as { taken: boolean }).taken = true; // the room opened its socket first
    await config.answer();
    expect(FakeSocket.opened).toHaveLength(1);
  });

  it('ignores a remembered value that is not a WebSocket address', async () => {
    localStorage.setItem('streamcanvas:webSocketUrl', 'javascript:alert(1)');
    configAnswering('ws://127.0.0.1:4011/prod');
    new Function(script)();
    expect(FakeSocket.opened).toHaveLength(0);
  });
});

describe('the room taking over the early socket (earlySocketImpl)', () => {
  beforeEach(() => {
    FakeSocket.opened = [];
    vi.stubGlobal('WebSocket', FakeSocket);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    delete (window as { __streamcanvasBoot?: unknown }).__streamcanvasBoot;
  });

  const startWith = (url: string) => {
    const socket = new FakeSocket(url) as unknown as WebSocket & { readyState: number };
    Object.assign(socket, { readyState: 1 });
    (window as { __streamcanvasBoot?: unknown }).__streamcanvasBoot = { socket: { url, socket, syncSent: true }, messages: [] };
    return socket as unknown as FakeSocket;
  };

  it('adopts the early socket opened for its address, once', async () => {
    const { earlySocketImpl } = await import('../../../src/realtime/early-socket');
    const early = startWith('ws://a/prod?sessionId=s');
    const Impl = earlySocketImpl()!;
    const adopted = new Impl('ws://a/prod?sessionId=s');
    expect(adopted).not.toBeInstanceOf(FakeSocket);
    expect(early.closed).toBe(false);
    expect(new Impl('ws://a/prod?sessionId=s')).toBeInstanceOf(FakeSocket); // a reconnect opens its own
  });

  it('closes an early socket opened for another address, and opens its own', async () => {
    const { earlySocketImpl } = await import('../../../src/realtime/early-socket');
    const early = startWith('ws://old/prod?sessionId=s');
    const own = new (earlySocketImpl()!)('ws://a/prod?sessionId=s');
    expect(own).toBeInstanceOf(FakeSocket);
    expect((own as unknown as FakeSocket).url).toBe('ws://a/prod?sessionId=s');
    expect(early.closed).toBe(true);
    expect((window as unknown as { __streamcanvasBoot: { taken: boolean } }).__streamcanvasBoot.taken).toBe(true);
  });
});
