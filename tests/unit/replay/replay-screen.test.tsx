// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplayReaderProvider } from '../../../src/replay/reader-context';
import ReplayScreen from '../../../src/replay/ReplayScreen';
import { fakeReader } from './fake-replay';

afterEach(cleanup);

const session = { sessionId: '00000000-0000-4000-8000-000000000000', title: 'Test', status: 'ended' as const, createdAt: '', updatedAt: '' };

function renderReplay() {
  const fake = fakeReader();
  const asked: string[] = [];
  render(
    <ReplayReaderProvider
      factory={(sessionId) => {
        asked.push(sessionId);
        return fake.reader;
      }}
    >
      <ReplayScreen session={session} />
    </ReplayReaderProvider>,
  );
  return { fake, asked };
}

const position = () => Number(screen.getByRole('slider', { name: 'Replay position' }).getAttribute('aria-valuenow'));

describe('the replay screen', () => {
  it('reads the session through the provided reader and plays it from where the host went live', async () => {
    const { asked, fake } = renderReplay();
    await screen.findByRole('group', { name: 'Replay controls' });
    expect(asked).toEqual([session.sessionId]);
    expect(fake.calls[0]).toBe('manifest');
    expect(screen.getByRole('region', { name: 'Replay of Test' })).toBeTruthy();
    // The fake session goes live 5 s in; playing may already have moved it on a little.
    expect(position()).toBeGreaterThanOrEqual(5);
    expect(position()).toBeLessThan(60);
  });

  it('answers the keyboard: arrows skip 10 s, < and > step the speed, space toggles play', async () => {
    renderReplay();
    const player = await screen.findByTestId('replay-player');
    const start = position();
    act(() => void fireEvent.keyDown(document.body, { key: 'ArrowRight' }));
    await waitFor(() => expect(position()).toBeGreaterThanOrEqual(start + 10));
    act(() => void fireEvent.keyDown(document.body, { key: 'ArrowLeft' }));
    await waitFor(() => expect(position()).toBeLessThan(start + 10));
    act(() => void fireEvent.keyDown(document.body, { key: '>' }));
    expect(player.getAttribute('data-speed')).toBe('1.25');
    act(() => void fireEvent.keyDown(document.body, { key: '<' }));
    act(() => void fireEvent.keyDown(document.body, { key: '<' }));
    expect(player.getAttribute('data-speed')).toBe('0.75');
    const playing = player.getAttribute('data-playing');
    act(() => void fireEvent.keyDown(document.body, { key: ' ' }));
    expect(player.getAttribute('data-playing')).not.toBe(playing);
  });
});
