// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Patch } from '../../../src/protocol/realtime';
import type { Session } from '../../../src/protocol/session';
import StudioPage from '../../../src/studio/StudioPage';
import { fakeApi } from './fake-api';
import { fakeConnector, type FakeRoom } from './fake-room';
import { makeSession } from './helpers';
import { renderPage } from './render';

afterEach(cleanup);

const publicOf = ({ hostId: _hidden, ...rest }: Session) => rest;

async function openStudio() {
  const session = makeSession({ title: 'Studio test' });
  const connector = fakeConnector();
  const api = fakeApi({ getSession: vi.fn(async () => publicOf(session)) });
  renderPage(<StudioPage />, { api, path: `/studio/${session.sessionId}`, route: '/studio/:sessionId', state: { session }, connect: connector.connect });
  await screen.findByText('Add tiles from the palette');
  return { session, api, room: connector.latest() };
}

const lastPatch = (room: FakeRoom): Patch | undefined => room.published.at(-1);

async function addClock(room: FakeRoom) {
  fireEvent.click(screen.getByRole('button', { name: 'Add clock tile' }));
  const added = room.published.find((patch) => patch.type === 'tile.add');
  expect(added).toBeDefined();
  return { tileId: (added as Extract<Patch, { type: 'tile.add' }>).tileId, tile: screen.getByRole('group', { name: 'Clock' }) };
}

describe('studio', () => {
  it('connects as host with a token getter and shows the controls', async () => {
    const { room } = await openStudio();
    expect(room.options.getToken).toBeTypeOf('function');
    expect(screen.getByText('Not live')).toBeTruthy();
    expect(screen.getByTestId('viewer-count').textContent).toBe('0 viewers');
    expect(screen.getByText('Connected')).toBeTruthy();
  });

  it('adds a clock tile from the palette, selected, with its settings', async () => {
    const { room } = await openStudio();
    const { tile } = await addClock(room);
    expect(lastPatch(room)).toMatchObject({ type: 'tile.add', kind: 'clock', frame: { x: 80, y: 80, w: 480, h: 280, z: 1 } });
    expect(tile.className).toContain('canvas-tile--selected');
    expect(within(tile).getByRole('timer', { name: 'Clock' })).toBeTruthy();
    // The editor loads lazily into the inspector.
    expect(await screen.findByRole('radio', { name: 'Stopwatch' }, { timeout: 45_000 })).toBeTruthy(); // a lazy chunk: slow under load
  });

  it('moves, resizes, stacks and removes a tile from the keyboard, with undo', async () => {
    const { room } = await openStudio();
    const { tileId, tile } = await addClock(room);
    tile.focus();

    fireEvent.keyDown(tile, { key: 'ArrowRight' });
    expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { x: 100 } });
    fireEvent.keyDown(tile, { key: 'ArrowDown', shiftKey: true });
    expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { y: 180 } });
    fireEvent.keyDown(tile, { key: 'ArrowRight', altKey: true });
    expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { w: 500 } });
    expect(screen.getByText('Clock resized: x 100, y 180, 500 × 280.')).toBeTruthy();

    // A second tile, then "]" brings the first back on top.
    fireEvent.click(screen.getByRole('button', { name: 'Add clock tile' }));
    tile.focus();
    fireEvent.keyDown(tile, { key: ']' });
    expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { z: 3 } });

    fireEvent.keyDown(tile, { key: 'Delete' });
    expect(lastPatch(room)).toEqual({ type: 'tile.remove', tileId });
    expect(room.snapshot.tiles[tileId]).toBeUndefined();
    fireEvent.click(await screen.findByRole('button', { name: 'Undo' }));
    expect(lastPatch(room)).toMatchObject({ type: 'tile.add', tileId, frame: { x: 100, y: 180, w: 500, h: 280, z: 3 } });
  });

  it('drags a tile: throttled moves while dragging, the exact frame on release', async () => {
    const { room } = await openStudio();
    const { tileId, tile } = await addClock(room);
    // The throttle's clock too, so the count does not depend on how fast this machine renders.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const before = room.published.length;
      fireEvent.pointerDown(tile, { pointerId: 1, button: 0, clientX: 0, clientY: 0 });
      for (let i = 1; i <= 20; i++) fireEvent.pointerMove(tile, { pointerId: 1, clientX: i * 10, clientY: i * 3 });
      const during = room.published.slice(before);
      expect(during.length).toBeGreaterThanOrEqual(1);
      expect(during.length).toBeLessThan(5); // 20 moves in no time: throttled
      fireEvent.pointerUp(tile, { pointerId: 1, clientX: 203, clientY: 61 });
      expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { x: 280, y: 140, w: 480, h: 280 } });
      act(() => vi.advanceTimersByTime(500));
      expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { x: 280, y: 140, w: 480, h: 280 } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('only selects on a click without movement', async () => {
    const { room } = await openStudio();
    const { tile } = await addClock(room);
    const before = room.published.length;
    fireEvent.pointerDown(tile, { pointerId: 1, button: 0, clientX: 50, clientY: 50 });
    fireEvent.pointerMove(tile, { pointerId: 1, clientX: 51, clientY: 51 });
    fireEvent.pointerUp(tile, { pointerId: 1, clientX: 51, clientY: 51 });
    expect(room.published.length).toBe(before);
  });

  it('undoes and redoes moves, state changes and removals with Ctrl/Cmd+Z and Shift+Ctrl/Cmd+Z', async () => {
    const { room } = await openStudio();
    const { tileId, tile } = await addClock(room);
    tile.focus();
    fireEvent.keyDown(tile, { key: 'ArrowRight' });
    fireEvent.keyDown(tile, { key: 'ArrowRight' }); // one step with the press before
    expect(room.snapshot.tiles[tileId]!.frame.x).toBe(120);

    fireEvent.keyDown(tile, { key: 'z', ctrlKey: true });
    expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { x: 80 } });
    fireEvent.keyDown(tile, { key: 'Z', ctrlKey: true, shiftKey: true });
    expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { x: 120 } });

    // A state change through the inspector, undone by Cmd+Z (macOS).
    fireEvent.click(await screen.findByRole('radio', { name: 'Stopwatch' }, { timeout: 45_000 }));
    fireEvent.keyDown(document.body, { key: 'z', metaKey: true });
    expect(lastPatch(room)).toMatchObject({ type: 'tile.state', tileId, set: { mode: 'clock' } });

    // Typing in a field keeps the field's own undo.
    const x = screen.getByRole('spinbutton', { name: 'X' });
    const before = room.published.length;
    fireEvent.keyDown(x, { key: 'z', ctrlKey: true });
    expect(room.published).toHaveLength(before);

    // The X field sets an exact position, one undo step.
    fireEvent.change(x, { target: { value: '333' } });
    fireEvent.keyDown(x, { key: 'Enter' });
    expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { x: 333 } });
    fireEvent.click(screen.getByRole('button', { name: 'Undo: Move Clock' }));
    expect(lastPatch(room)).toEqual({ type: 'tile.frame', tileId, frame: { x: 120 } });

    // Removal, then undo puts it back exactly.
    fireEvent.keyDown(screen.getByRole('group', { name: 'Clock' }), { key: 'Delete' });
    expect(room.snapshot.tiles[tileId]).toBeUndefined();
    fireEvent.keyDown(document.body, { key: 'z', ctrlKey: true });
    expect(room.snapshot.tiles[tileId]?.frame).toMatchObject({ x: 120, y: 80 });
  });

  it('spotlights the selected tile for viewers, and clears the spotlight when the tile goes', async () => {
    const { room } = await openStudio();
    const { tileId } = await addClock(room);
    fireEvent.click(screen.getByRole('button', { name: 'Spotlight' }));
    expect(lastPatch(room)).toEqual({ type: 'canvas.set', set: { spotlight: tileId } });
    expect(screen.getByRole('button', { name: 'Spotlight' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    expect(lastPatch(room)).toEqual({ type: 'canvas.set', set: { spotlight: null } });
  });

  it('edits the clock through the inspector', async () => {
    const { room } = await openStudio();
    const { tileId } = await addClock(room);
    fireEvent.click(await screen.findByRole('radio', { name: 'Stopwatch' }, { timeout: 45_000 }));
    expect(lastPatch(room)).toMatchObject({ type: 'tile.state', tileId, set: { mode: 'stopwatch' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(lastPatch(room)).toMatchObject({ type: 'tile.state', tileId, set: { swStartedAt: expect.any(Number) } });
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Lap' }));
    expect(screen.getByRole('list', { name: 'Laps' })).toBeTruthy();

    fireEvent.click(screen.getByRole('radio', { name: 'Timer' }));
    const duration = screen.getByRole('textbox', { name: 'Duration' });
    fireEvent.change(duration, { target: { value: 'soon' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set' }));
    expect(screen.getByText('Enter a duration like 5:00 or 1:30:00, up to 23:59:59.')).toBeTruthy();
    fireEvent.change(duration, { target: { value: '1:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set' }));
    expect(lastPatch(room)).toMatchObject({ type: 'tile.state', set: { timerDurationMs: 90_000, timerRemainingMs: 90_000 } });
  });

  it('goes live, hides chat, and shows who is watching', async () => {
    const { room } = await openStudio();
    fireEvent.click(screen.getByRole('button', { name: 'Go live' }));
    expect(lastPatch(room)).toEqual({ type: 'canvas.set', set: { live: true } });
    expect(screen.getByText('Live')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Stop live' })).toBeTruthy();

    fireEvent.click(screen.getByRole('switch', { name: 'Hide chat' }));
    expect(lastPatch(room)).toEqual({ type: 'canvas.set', set: { chatHidden: true } });
    expect(screen.getByText(/Chat is hidden for everyone/)).toBeTruthy();

    act(() => room.emit({ type: 'presence', viewerCount: 2 }));
    expect(screen.getByTestId('viewer-count').textContent).toBe('2 viewers');
  });

  it('shows chat, sends as Host, floats reactions and toasts refusals', async () => {
    const { room } = await openStudio();
    act(() => room.emit({ type: 'chat', message: { id: 'm1', name: 'Ada', text: '<b>hi</b>', role: 'viewer', at: Date.now() } }));
    const log = screen.getByRole('log', { name: 'Chat messages' });
    expect(within(log).getByText('<b>hi</b>')).toBeTruthy(); // text, never HTML
    expect(log.querySelector('b')).toBeNull();

    expect(screen.getByText('Chatting as')).toBeTruthy();
    fireEvent.change(screen.getByRole('textbox', { name: 'Message' }), { target: { value: 'Welcome!' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(room.sentChat).toEqual([{ name: 'Host', text: 'Welcome!' }]);

    act(() => room.emit({ type: 'reaction', emoji: '🎉' }));
    expect(screen.getAllByTestId('floating-reaction').map((element) => element.dataset.emoji)).toEqual(['🎉']);
    expect(screen.getByTestId('floating-reaction').querySelector('img')?.getAttribute('src')).toBe('/reactions/1f389.svg');

    act(() => room.emit({ type: 'rejected', code: 'unknown_tile', message: 'Tile x does not exist; add it first.', action: 'publishState' }));
    expect(await screen.findByText('A change could not be saved')).toBeTruthy();
    expect(screen.getByText('The canvas now shows what was saved.')).toBeTruthy();
  });

  it('ends the session through the room after confirmation', async () => {
    const { room, api } = await openStudio();
    fireEvent.click(screen.getByRole('button', { name: 'End session' }));
    const dialog = screen.getByRole('dialog', { name: 'End this session?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'End session' }));
    await waitFor(() => expect(screen.getByText('Ended')).toBeTruthy());
    expect(room.endRequested).toBe(true);
    expect(api.endSession).not.toHaveBeenCalled();
  });

  it('notices when the server treats this user as a viewer', async () => {
    const { room } = await openStudio();
    act(() => room.sync({ role: 'viewer' }));
    expect(await screen.findByRole('heading', { level: 1, name: "This isn't your session" })).toBeTruthy();
  });

  it('explains a refused connection', async () => {
    const { room } = await openStudio();
    act(() => room.setStatus('refused', 'This session does not exist.'));
    expect(screen.getByRole('heading', { level: 1, name: "This session can't be opened" })).toBeTruthy();
    expect(screen.getByText('This session does not exist.')).toBeTruthy();
  });

  it('warns about unsaved changes while offline', async () => {
    const { room } = await openStudio();
    act(() => {
      room.unconfirmedCount = 2;
      room.setStatus('reconnecting');
    });
    expect(screen.getByText('Offline · 2 unsent changes')).toBeTruthy();
    expect(screen.getByText(/Offline — 2 changes will be sent when you reconnect; viewers see the last saved state\./)).toBeTruthy();
  });
});
