// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/api/api-error';
import DashboardPage from '../../../src/dashboard/DashboardPage';
import type { SessionList } from '../../../src/protocol/session';
import { fakeApi } from './fake-api';
import { makeSession } from './helpers';
import { renderPage } from './render';

afterEach(cleanup);

const renderDashboard = (api: ReturnType<typeof fakeApi>) => renderPage(<DashboardPage />, { api, path: '/dashboard', route: '/dashboard' });

function row(title: string) {
  return screen.getByRole('listitem', { name: title });
}

describe('dashboard', () => {
  beforeEach(() => {
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: vi.fn(async () => undefined) },
    });
  });

  it('shows a loading skeleton, then the sessions newest first with status and created time', async () => {
    const newer = makeSession({ title: 'Design review', createdAt: new Date(Date.now() - 2 * 60_000).toISOString() });
    const older = makeSession({ title: 'Sprint demo', status: 'ended', createdAt: new Date(Date.now() - 3 * 86_400_000).toISOString() });
    let resolve!: (value: SessionList) => void;
    const api = fakeApi({ listSessions: vi.fn(() => new Promise<SessionList>((r) => (resolve = r))) });
    renderDashboard(api);

    expect(screen.getByText('Loading your sessions…')).toBeTruthy();
    await act(async () => resolve({ sessions: [newer, older] }));

    const items = within(screen.getByRole('list', { name: 'Your sessions' })).getAllByRole('listitem');
    expect(items.map((item) => within(item).getByRole('heading').textContent)).toEqual(['Design review', 'Sprint demo']);
    expect(within(row('Design review')).getByText('Active')).toBeTruthy();
    expect(within(row('Sprint demo')).getByText('Ended')).toBeTruthy();

    const created = within(row('Design review')).getByText(/Created 2 minutes ago/);
    expect(created.tagName).toBe('TIME');
    expect(created.getAttribute('datetime')).toBe(newer.createdAt);
    expect(created.getAttribute('title')).toMatch(/\d{4}/); // the exact date on hover

    expect(within(row('Design review')).getByRole('link', { name: 'Open' }).getAttribute('href')).toBe(`/studio/${newer.sessionId}`);
    expect(within(row('Design review')).getByRole('button', { name: 'End' })).toBeTruthy();
    expect(within(row('Sprint demo')).queryByRole('button', { name: 'End' })).toBeNull();
    expect(api.listSessions).toHaveBeenCalledWith({ limit: 20 }, expect.anything());
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('shows the empty state when there are no sessions', async () => {
    renderDashboard(fakeApi({ listSessions: vi.fn(async () => ({ sessions: [] })) }));
    expect(await screen.findByRole('heading', { name: 'No sessions yet' })).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Your sessions' })).toBeNull();
  });

  it('loads more with the nextToken and appends', async () => {
    const first = makeSession({ title: 'Page one' });
    const second = makeSession({ title: 'Page two', createdAt: new Date(Date.now() - 86_400_000).toISOString() });
    const api = fakeApi({
      listSessions: vi.fn(async (params) => (params?.nextToken === 'next-1' ? { sessions: [second] } : { sessions: [first], nextToken: 'next-1' })),
    });
    renderDashboard(api);

    fireEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('listitem', { name: 'Page two' })).toBeTruthy();
    expect(api.listSessions).toHaveBeenLastCalledWith({ limit: 20, nextToken: 'next-1' });
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('ends a session after confirmation, without a reload', async () => {
    const session = makeSession({ title: 'Team standup' });
    const api = fakeApi({
      listSessions: vi.fn(async () => ({ sessions: [session] })),
      endSession: vi.fn(async () => ({ ...session, status: 'ended' as const, endedAt: new Date().toISOString() })),
    });
    renderDashboard(api);

    const endButton = within(await screen.findByRole('listitem', { name: 'Team standup' })).getByRole('button', { name: 'End' });
    endButton.focus(); // as a click does in a browser
    fireEvent.click(endButton);
    const dialog = screen.getByRole('dialog', { name: 'End this session?' });
    expect(dialog.textContent).toContain('“Team standup” will end for everyone watching');
    // Focus starts on Cancel, so Enter never ends a session by accident.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));

    // Escape (the native dialog's cancel event) closes without ending. Focus trapping and
    // its return to the opener are the platform's (showModal): the e2e suite checks them.
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.endSession).not.toHaveBeenCalled();

    fireEvent.click(endButton);
    fireEvent.click(within(screen.getByRole('dialog', { name: 'End this session?' })).getByRole('button', { name: 'End session' }));

    await waitFor(() => expect(within(row('Team standup')).getByText('Ended')).toBeTruthy());
    expect(api.endSession).toHaveBeenCalledWith(session.sessionId);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(within(row('Team standup')).queryByRole('button', { name: 'End' })).toBeNull();
    expect(screen.getByText('Session ended')).toBeTruthy();
  });

  it('is a native modal dialog, which keeps focus inside and the page inert', async () => {
    const session = makeSession({ title: 'Trap' });
    renderDashboard(fakeApi({ listSessions: vi.fn(async () => ({ sessions: [session] })) }));
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'Trap' })).getByRole('button', { name: 'End' }));
    const dialog = screen.getByRole('dialog', { name: 'End this session?' });
    expect(dialog.tagName).toBe('DIALOG');
    expect((dialog as HTMLDialogElement).open).toBe(true);
    // Clicking the backdrop (the dialog element itself, around its panel) cancels.
    fireEvent.click(dialog);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it("shows the API's message and resolution when ending fails", async () => {
    const session = makeSession({ title: 'Not mine' });
    const api = fakeApi({
      listSessions: vi.fn(async () => ({ sessions: [session] })),
      endSession: vi.fn(async () => {
        throw new ApiError({ code: 'Forbidden', status: 403, message: 'Only the host of this session may change it.', resolution: 'Sign in as the host.' });
      }),
    });
    renderDashboard(api);
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'Not mine' })).getByRole('button', { name: 'End' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'End session' }));

    const alert = await screen.findByText('Could not end the session');
    const toast = alert.closest('[data-testid="toast"]') as HTMLElement;
    expect(toast.textContent).toContain('Only the host of this session may change it.');
    expect(toast.textContent).toContain('Sign in as the host.');
    expect(toast.closest('[role="alert"]')).toBeTruthy();
    expect(within(row('Not mine')).getByText('Active')).toBeTruthy();
  });

  it('shows a load error as a toast and inline, and retries', async () => {
    const session = makeSession({ title: 'Back again' });
    const listSessions = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError({ code: 'NetworkError', message: 'Cannot reach the StreamCanvas API at http://localhost:4010.', resolution: 'Start the stack with `npm start`.' }),
      )
      .mockResolvedValueOnce({ sessions: [session] });
    renderDashboard(fakeApi({ listSessions }));

    expect(await screen.findByText('Could not load your sessions')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Your sessions could not be loaded' })).toBeTruthy();
    expect(screen.getAllByText('Cannot reach the StreamCanvas API at http://localhost:4010.').length).toBe(2);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('listitem', { name: 'Back again' })).toBeTruthy();
  });

  it('validates the title inline and creates a session at the top of the list', async () => {
    const existing = makeSession({ title: 'Older', createdAt: new Date(Date.now() - 3_600_000).toISOString() });
    const created = makeSession({ title: 'Brand new', createdAt: new Date().toISOString() });
    const api = fakeApi({
      listSessions: vi.fn(async () => ({ sessions: [existing] })),
      createSession: vi.fn(async () => created),
    });
    renderDashboard(api);
    await screen.findByRole('listitem', { name: 'Older' });

    const input = screen.getByRole('textbox', { name: 'Session title' });
    const submit = screen.getByRole('button', { name: 'New session' });

    fireEvent.click(submit);
    expect(screen.getByText('Give your session a title.')).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(api.createSession).not.toHaveBeenCalled();

    fireEvent.change(input, { target: { value: 'x'.repeat(121) } });
    expect(screen.getByText('Keep the title to 120 characters or fewer (it has 121).')).toBeTruthy();
    fireEvent.click(submit);
    expect(api.createSession).not.toHaveBeenCalled();

    fireEvent.change(input, { target: { value: '  Brand new  ' } });
    expect(input.getAttribute('aria-invalid')).toBeNull();
    fireEvent.click(submit);

    await screen.findByRole('listitem', { name: 'Brand new' });
    expect(api.createSession).toHaveBeenCalledWith({ title: 'Brand new' });
    expect(screen.getAllByRole('listitem').map((item) => within(item).getByRole('heading').textContent)).toEqual(['Brand new', 'Older']);
    expect((input as HTMLInputElement).value).toBe('');
    expect(screen.getByText('Session created')).toBeTruthy();
  });

  it('copies the viewer link and confirms with "Copied"', async () => {
    const session = makeSession({ title: 'Share me' });
    renderDashboard(fakeApi({ listSessions: vi.fn(async () => ({ sessions: [session] })) }));
    const link = within(await screen.findByRole('listitem', { name: 'Share me' })).getByRole('link', { name: 'Copy viewer link' });
    const expected = `${window.location.origin}/watch/${session.sessionId}`;
    expect(link.getAttribute('href')).toBe(expected);

    fireEvent.click(link);
    await waitFor(() => expect(within(row('Share me')).getByText('Copied')).toBeTruthy());
    expect(navigator.clipboard.writeText).toHaveBeenCalledWith(expected);
  });
});
