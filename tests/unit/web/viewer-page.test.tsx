// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reactionEmojis, type CanvasSnapshot } from '../../../src/protocol/realtime';
import type { Session } from '../../../src/protocol/session';
import WatchPage from '../../../src/viewer/WatchPage';
import { fakeApi } from './fake-api';
import { fakeConnector } from './fake-room';
import { makeSession } from './helpers';
import { renderPage } from './render';

beforeEach(() => localStorage.clear());
afterEach(cleanup);

const publicOf = ({ hostId: _hidden, ...rest }: Session) => rest;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

const liveCanvas = (state: Record<string, unknown> = { mode: 'stopwatch', swStartedAt: T0, swAccumulatedMs: 0 }): CanvasSnapshot => ({
  seq: 5,
  tiles: { c1: { kind: 'clock', frame: { x: 100, y: 60, w: 480, h: 280, z: 1 }, state: state as never } },
  canvas: { live: true },
});

async function watch({ snapshot, autoSync = true }: { snapshot?: CanvasSnapshot; autoSync?: boolean } = {}) {
  const session = makeSession({ title: 'Live coding' });
  const connector = fakeConnector({ autoSync, snapshot });
  const api = fakeApi({ getSession: vi.fn(async () => publicOf(session)) });
  renderPage(<WatchPage />, { api, path: `/watch/${session.sessionId}`, route: '/watch/:sessionId', connect: connector.connect });
  await screen.findByRole('heading', { level: 1, name: 'Live coding' });
  // Chat and reactions follow the canvas by a frame.
  if (autoSync) await screen.findByRole('group', { name: 'Reactions' });
  return { session, api, room: connector.latest() };
}

describe('viewer page', () => {
  it('connects without a token, and waits until the host goes live', async () => {
    const { room } = await watch();
    expect(room.options.getToken).toBeUndefined();
    expect(room.options.checkSession).toBeTypeOf('function');
    const canvas = screen.getByRole('region', { name: 'Canvas of Live coding' });
    expect(within(canvas).getByText('Waiting for the host…')).toBeTruthy();
    expect(within(canvas).queryByRole('group')).toBeNull();

    act(() => room.receive([{ type: 'tile.add', tileId: 'c1', kind: 'clock', frame: { x: 0, y: 0, w: 480, h: 280, z: 1 }, state: {} }]));
    expect(within(canvas).queryByRole('group')).toBeNull(); // not live yet: the host is still arranging
    act(() => room.receive([{ type: 'canvas.set', set: { live: true } }]));
    expect(within(canvas).getByRole('group', { name: 'Clock' })).toBeTruthy();
    expect(screen.getByText('Live')).toBeTruthy();

    act(() => room.receive([{ type: 'canvas.set', set: { live: false } }]));
    expect(within(canvas).getByText('The host paused the broadcast')).toBeTruthy();
  });

  it("shows a late joiner the current layout, with times from the server's clock", async () => {
    vi.spyOn(Date, 'now').mockReturnValue(T0 + 4_000);
    try {
      const { room } = await watch({ snapshot: liveCanvas() });
      const tile = await screen.findByRole('group', { name: 'Clock' });
      expect(tile.style.left).toBe('100px');
      expect(tile.style.top).toBe('60px');
      // This device's clock runs 1.5 s behind the server: the figure follows the server.
      act(() => {
        room.clockOffsetMs = 1_500;
        room.receive([{ type: 'tile.state', tileId: 'c1', set: { label: 'Warm-up' } }]);
      });
      expect(within(tile).getByRole('timer', { name: 'Stopwatch' }).textContent).toBe('0:05.5');
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('asks for a name once, remembers it, and sends chat', async () => {
    const { room } = await watch();
    const message = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(message, { target: { value: 'Hello!' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(screen.getByText('Enter a name first, so others know who is talking.')).toBeTruthy();
    expect(room.sentChat).toEqual([]);

    fireEvent.change(screen.getByRole('textbox', { name: 'Your name' }), { target: { value: 'Ada' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(room.sentChat).toEqual([{ name: 'Ada', text: 'Hello!' }]);
    expect(localStorage.getItem('streamcanvas:chat-name')).toBe('Ada');
    expect(screen.queryByRole('textbox', { name: 'Your name' })).toBeNull();
    expect(screen.getByText(/Chatting as/).textContent).toContain('Ada');
    // Pending until the server echoes it back.
    const log = screen.getByRole('log', { name: 'Chat messages' });
    expect(within(log).getByText('Sending…')).toBeTruthy();
    act(() => room.emit({ type: 'chat', message: { id: 'm1', name: 'Ada', text: 'Hello!', role: 'viewer', at: Date.now() } }));
    expect(within(log).queryByText('Sending…')).toBeNull();
    expect(within(log).getAllByText('Hello!')).toHaveLength(1);
  });

  it('keeps chat written offline as pending, sends it on reconnect, and says when it was refused', async () => {
    localStorage.setItem('streamcanvas:chat-name', 'Ada');
    const { room } = await watch();
    act(() => room.setStatus('reconnecting'));
    const message = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(message, { target: { value: 'Written offline' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const log = screen.getByRole('log', { name: 'Chat messages' });
    expect(within(log).getByText('Waiting for the connection…')).toBeTruthy();
    expect(room.sentChat).toEqual([]);

    act(() => room.setStatus('open'));
    expect(room.sentChat).toEqual([{ name: 'Ada', text: 'Written offline' }]);
    expect(within(log).getByText('Sending…')).toBeTruthy();
    act(() => room.emit({ type: 'rejected', code: 'rate_limited', message: 'Too many messages.', action: 'chat' }));
    expect(within(log).getByText('Not sent')).toBeTruthy();
    expect(within(log).getByText(/Too many messages\./)).toBeTruthy();
    fireEvent.click(within(log).getByRole('button', { name: 'Retry' }));
    expect(room.sentChat).toHaveLength(2);
  });

  it('counts characters near the limit and refuses, with a notice, to cut a long message', async () => {
    localStorage.setItem('streamcanvas:chat-name', 'Ada');
    const { room } = await watch();
    const message = screen.getByRole('textbox', { name: 'Message' }) as HTMLInputElement;
    fireEvent.change(message, { target: { value: 'x'.repeat(450) } });
    expect(screen.getByText('450 / 500')).toBeTruthy();
    fireEvent.change(message, { target: { value: 'x'.repeat(512) } });
    expect(message.value).toHaveLength(512); // nothing is cut silently
    expect(screen.getByText(/12 characters over the 500-character limit/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    expect(room.sentChat).toEqual([]);
  });

  it('paces chat to the server limit, and marks a refused message with Retry', async () => {
    localStorage.setItem('streamcanvas:chat-name', 'Ada');
    const { room } = await watch();
    const message = screen.getByRole('textbox', { name: 'Message' });
    for (let i = 1; i <= 6; i++) {
      fireEvent.change(message, { target: { value: `m${i}` } });
      fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    }
    expect(room.sentChat.map((sent) => sent.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(screen.getByText(/You're sending messages quickly/)).toBeTruthy();

    fireEvent.change(message, { target: { value: '' } });
    act(() => room.emit({ type: 'rejected', code: 'forbidden', message: 'Chat is turned off for this session.', action: 'chat' }));
    const log = screen.getByRole('log', { name: 'Chat messages' });
    expect(within(log).getByText(/Chat is turned off for this session\./)).toBeTruthy();
    expect(within(log).getAllByText('Not sent')).toHaveLength(1);
  });

  it('respects hidden chat', async () => {
    const { room } = await watch();
    act(() => room.receive([{ type: 'canvas.set', set: { chatHidden: true } }]));
    expect(screen.getByText('The host has turned chat off.')).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();
  });

  it('sends each allowed reaction and floats incoming ones over the canvas', async () => {
    const { room } = await watch({ snapshot: liveCanvas() });
    const bar = screen.getByRole('group', { name: 'Reactions' });
    expect(within(bar).getAllByRole('button')).toHaveLength(reactionEmojis.length);
    fireEvent.click(within(bar).getByRole('button', { name: 'React with applause' }));
    expect(room.sentReactions).toEqual(['👏']);
    act(() => room.emit({ type: 'reaction', emoji: '👏' }));
    const canvas = screen.getByRole('region', { name: 'Canvas of Live coding' });
    expect(within(canvas).getByTestId('floating-reaction').dataset.emoji).toBe('👏');
  });

  it('says when the connection drops and when it is back', async () => {
    const { room } = await watch();
    act(() => room.setStatus('reconnecting'));
    expect(screen.getByText('Connection lost. Reconnecting…')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Send' }).hasAttribute('disabled')).toBe(true);
    act(() => room.setStatus('open'));
    expect(screen.getByText('Reconnected')).toBeTruthy();
    await waitFor(() => expect(screen.queryByText('Reconnected')).toBeNull(), { timeout: 4000 });
  });

  it('shows the ended screen when the host ends the session', async () => {
    const { room } = await watch({ snapshot: liveCanvas() });
    act(() => room.setStatus('ended', 'The host ended this session.'));
    expect(screen.getByRole('heading', { level: 1, name: 'This session has ended' })).toBeTruthy();
    expect(screen.queryByRole('region', { name: /Canvas/ })).toBeNull();
  });

  it('shows "Session not found" when the room refuses the session', async () => {
    const { room } = await watch();
    act(() => room.setStatus('refused', 'This session does not exist.'));
    expect(screen.getByRole('heading', { level: 1, name: 'Session not found' })).toBeTruthy();
  });
});
