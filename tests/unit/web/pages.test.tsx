// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/api/api-error';
import { safeNextPath } from '../../../src/auth/SignInPage';
import { LandingPage } from '../../../src/pages/LandingPage';
import type { Session } from '../../../src/protocol/session';
import { tileRegistry } from '../../../src/tiles/registry';
import StudioPage from '../../../src/studio/StudioPage';
import { loadHostSession } from '../../../src/studio/use-host-session';
import WatchPage from '../../../src/viewer/WatchPage';
import type { ConnectRoom } from '../../../src/realtime/use-room';
import { ReplayReaderProvider } from '../../../src/replay/reader-context';
import { fakeReader } from '../replay/fake-replay';
import { fakeApi } from './fake-api';
import { fakeConnector } from './fake-room';
import { makeSession } from './helpers';
import { renderPage } from './render';

afterEach(cleanup);

const publicOf = ({ hostId: _hidden, ...rest }: Session) => rest;
const notFound = () => new ApiError({ code: 'NotFound', status: 404, message: 'Session does not exist.' });

describe('landing page', () => {
  it('shows the product, the pitch and a way to host', () => {
    renderPage(<LandingPage />, { api: fakeApi() });
    expect(screen.getByRole('heading', { level: 1, name: 'StreamCanvas' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Sign in to host' }).getAttribute('href')).toBe('/signin');
  });

  it('names exactly the tile kinds the registry ships, and nothing else', () => {
    renderPage(<LandingPage />, { api: fakeApi() });
    const list = screen.getByRole('list', { name: 'Tiles you can broadcast' });
    expect(within(list).getAllByRole('listitem').map((item) => item.querySelector('strong')?.textContent)).toEqual(
      tileRegistry.kinds.map((kind) => kind.label),
    );
    const page = document.body.textContent ?? '';
    for (const word of ['webcam', 'screen share', 'slides', 'whiteboard']) {
      const shipped = tileRegistry.kinds.some((kind) => `${kind.label} ${kind.description}`.toLowerCase().includes(word));
      if (!shipped) expect(page.toLowerCase()).not.toContain(word);
    }
  });

  it('explains invalid input inline and joins with a pasted viewer link', async () => {
    renderPage(<LandingPage />, { api: fakeApi() });
    const input = screen.getByRole('textbox', { name: 'Join a session' });
    fireEvent.change(input, { target: { value: 'hello' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join' }));
    expect(screen.getByText("That isn't a session id or a viewer link.")).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe(screen.getByText("That isn't a session id or a viewer link.").id);

    const id = crypto.randomUUID();
    fireEvent.change(input, { target: { value: `https://streamcanvas.example/watch/${id}` } });
    expect(input.getAttribute('aria-invalid')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Join' }));
    expect(await screen.findByText('Navigated elsewhere')).toBeTruthy();
  });
});

describe('viewer page', () => {
  const renderWatch = (api: ReturnType<typeof fakeApi>, id: string, connect?: ConnectRoom) =>
    renderPage(<WatchPage />, { api, path: `/watch/${id}`, route: '/watch/:sessionId', connect });

  it('shows the title and the waiting canvas for an active session', async () => {
    const session = makeSession({ title: 'Live coding' });
    const api = fakeApi({ getSession: vi.fn(async () => publicOf(session)) });
    renderWatch(api, session.sessionId);
    expect(await screen.findByRole('heading', { level: 1, name: 'Live coding' })).toBeTruthy();
    const canvas = screen.getByRole('region', { name: 'Canvas of Live coding' });
    expect(within(canvas).getByText('Waiting for the host…')).toBeTruthy();
    expect(api.getSession).toHaveBeenCalledWith(session.sessionId, expect.anything());
  });

  it('replays a session that had ended before the viewer came', async () => {
    const session = makeSession({ title: 'Over', status: 'ended', endedAt: new Date().toISOString() });
    const asked: string[] = [];
    const element = (
      <ReplayReaderProvider factory={(sessionId) => (asked.push(sessionId), fakeReader().reader)}>
        <WatchPage />
      </ReplayReaderProvider>
    );
    renderPage(element, { api: fakeApi({ getSession: vi.fn(async () => publicOf(session)) }), path: `/watch/${session.sessionId}`, route: '/watch/:sessionId' });
    expect(await screen.findByTestId('replay-player')).toBeTruthy();
    expect(screen.getByText('Replay', { exact: true })).toBeTruthy();
    expect(asked).toEqual([session.sessionId]);
  });

  it('shows the ended screen when the host deleted the replay', async () => {
    const session = makeSession({ title: 'Over', status: 'ended', endedAt: new Date().toISOString() });
    renderWatch(fakeApi({ getSession: vi.fn(async () => ({ ...publicOf(session), replayDeletedAt: new Date().toISOString() })) }), session.sessionId);
    expect(await screen.findByRole('heading', { level: 1, name: 'This session has ended' })).toBeTruthy();
    expect(screen.getByText(/The host deleted its replay/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Watch the replay' })).toBeNull();
    expect(screen.queryByRole('region', { name: /Canvas/ })).toBeNull();
  });

  it('shows "Session not found" with a way home', async () => {
    renderWatch(fakeApi({ getSession: vi.fn(async () => Promise.reject(notFound())) }), crypto.randomUUID());
    expect(await screen.findByRole('heading', { level: 1, name: 'Session not found' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to the home page' }).getAttribute('href')).toBe('/');
  });

  it('does not call the API for an address that cannot be a session', async () => {
    const api = fakeApi();
    renderWatch(api, 'nonsense');
    expect(await screen.findByRole('heading', { name: 'Session not found' })).toBeTruthy();
    expect(api.getSession).not.toHaveBeenCalled();
  });

  it('explains an unreachable API and retries', async () => {
    const session = makeSession({ title: 'Second try' });
    const getSession = vi
      .fn()
      .mockRejectedValueOnce(new ApiError({ code: 'NetworkError', message: 'Cannot reach the StreamCanvas API at http://x.', resolution: 'Check your connection.' }))
      .mockResolvedValueOnce(publicOf(session));
    // Unreachable API, unreachable realtime server: the room never syncs either.
    renderWatch(fakeApi({ getSession }), session.sessionId, fakeConnector({ autoSync: false }).connect);
    // The details wait for the room's first snapshot, or 1 s when it never comes.
    expect(await screen.findByRole('heading', { name: "Couldn't load this session" }, { timeout: 10_000 })).toBeTruthy();
    expect(screen.getByText('Cannot reach the StreamCanvas API at http://x.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Second try' })).toBeTruthy();
  });
});

describe('studio page', () => {
  const renderStudio = (api: ReturnType<typeof fakeApi>, id: string, state?: unknown) =>
    renderPage(<StudioPage />, { api, path: `/studio/${id}`, route: '/studio/:sessionId', state });

  it('opens at once with the session the dashboard handed over, and ends it', async () => {
    const session = makeSession({ title: 'Handed over' });
    const api = fakeApi({
      getSession: vi.fn(async () => publicOf(session)),
      endSession: vi.fn(async () => ({ ...session, status: 'ended' as const, endedAt: new Date().toISOString() })),
    });
    renderStudio(api, session.sessionId, { session });

    expect(screen.getByRole('heading', { level: 1, name: 'Handed over' })).toBeTruthy();
    await waitFor(() => expect(screen.getByRole('region', { name: 'Canvas' }).textContent).toContain('Add tiles from the palette'));
    expect(screen.getByRole('link', { name: 'Copy viewer link' }).getAttribute('href')).toBe(`${window.location.origin}/watch/${session.sessionId}`);
    expect(screen.getByRole('link', { name: 'Back to dashboard' }).getAttribute('href')).toBe('/dashboard');
    expect(api.listSessions).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'End session' }));
    const dialog = screen.getByRole('dialog', { name: 'End this session?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'End session' }));
    await waitFor(() => expect(screen.getByText('Ended')).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'End session' })).toBeNull();
    expect(screen.getByText(/This session has ended\. Viewers see an ended screen/)).toBeTruthy();
  });

  it("finds the host's own session when opened from a link", async () => {
    const session = makeSession({ title: 'Mine' });
    const api = fakeApi({
      getSession: vi.fn(async () => publicOf(session)),
      listSessions: vi.fn(async () => ({ sessions: [makeSession(), session] })),
    });
    renderStudio(api, session.sessionId);
    expect(await screen.findByRole('heading', { level: 1, name: 'Mine' })).toBeTruthy();
  });

  it("says so when the session is someone else's", async () => {
    const session = makeSession({ title: 'Theirs' });
    const api = fakeApi({
      getSession: vi.fn(async () => publicOf(session)),
      listSessions: vi.fn(async () => ({ sessions: [makeSession()] })),
    });
    renderStudio(api, session.sessionId);
    expect(await screen.findByRole('heading', { level: 1, name: "This isn't your session" })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Watch this session' }).getAttribute('href')).toBe(`/watch/${session.sessionId}`);
  });

  it('says so when the session does not exist', async () => {
    renderStudio(fakeApi({ getSession: vi.fn(async () => Promise.reject(notFound())) }), crypto.randomUUID());
    expect(await screen.findByRole('heading', { level: 1, name: 'Session not found' })).toBeTruthy();
  });

  it('pages through the host sessions, with a bound', async () => {
    const target = makeSession();
    let calls = 0;
    const api = fakeApi({
      getSession: vi.fn(async () => publicOf(target)),
      listSessions: vi.fn(async () => ({ sessions: [makeSession()], nextToken: `t${++calls}` })),
    });
    await expect(loadHostSession(api, target.sessionId, { maxPages: 3 })).resolves.toMatchObject({ status: 'not-host' });
    expect(api.listSessions).toHaveBeenCalledTimes(3);
    expect(api.listSessions).toHaveBeenNthCalledWith(2, { limit: 100, nextToken: 't1' }, expect.anything());
  });
});

describe('sign-in redirect', () => {
  it.each([
    [null, '/dashboard'],
    ['/studio/abc', '/studio/abc'],
    ['https://evil.example/', '/dashboard'],
    ['//evil.example/', '/dashboard'],
    ['/\\evil.example', '/dashboard'],
    ['/signin?next=/x', '/dashboard'],
  ])('next=%s goes to %s', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });
});
