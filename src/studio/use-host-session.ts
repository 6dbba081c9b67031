import { useCallback, useEffect, useState } from 'react';
import { isApiError } from '../api/api-error';
import type { SessionsApi } from '../api/sessions-api';
import { isAbortError } from '../lib/errors';
import { sessionIdSchema, sessionSchema, type PublicSession, type Session } from '../protocol/session';

export type HostSessionState =
  | { status: 'loading' }
  | { status: 'ready'; session: Session }
  | { status: 'not-found' }
  | { status: 'not-host'; session: PublicSession }
  | { status: 'error'; error: unknown };

/** How many pages of the host's own sessions to search (100 each) before concluding "not yours". */
const MAX_OWNERSHIP_PAGES = 10;

/**
 * Loads a session for its studio and checks that the signed-in user is its host.
 *
 * The HTTP API has no "get my session" route: `GET /sessions/{id}` is public and hides the
 * host. So: the dashboard hands over the session it listed (router state); otherwise the
 * session is read publicly (404 → not found) and looked up among the caller's own sessions.
 */
export async function loadHostSession(
  api: SessionsApi,
  sessionId: string,
  options: { signal?: AbortSignal; maxPages?: number } = {},
): Promise<Exclude<HostSessionState, { status: 'loading' } | { status: 'error' }>> {
  if (!sessionIdSchema.safeParse(sessionId).success) return { status: 'not-found' };
  let publicSession: PublicSession;
  try {
    publicSession = await api.getSession(sessionId, { signal: options.signal });
  } catch (error) {
    if (isApiError(error, 'NotFound')) return { status: 'not-found' };
    throw error;
  }
  let nextToken: string | undefined;
  for (let page = 0; page < (options.maxPages ?? MAX_OWNERSHIP_PAGES); page++) {
    const list = await api.listSessions({ limit: 100, nextToken }, { signal: options.signal });
    const mine = list.sessions.find((session) => session.sessionId === sessionId);
    if (mine) return { status: 'ready', session: mine };
    nextToken = list.nextToken;
    if (!nextToken) break;
  }
  return { status: 'not-host', session: publicSession };
}

export function useHostSession(api: SessionsApi, sessionId: string, handedOver: unknown) {
  const initial = sessionSchema.safeParse(handedOver);
  const [state, setState] = useState<HostSessionState>(() =>
    initial.success && initial.data.sessionId === sessionId ? { status: 'ready', session: initial.data } : { status: 'loading' },
  );
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    if (attempt === 0 && state.status === 'ready' && state.session.sessionId === sessionId) {
      // Handed over by the dashboard: show it at once, and refresh its public fields (status,
      // title) in the background, since history state survives reloads and may be stale.
      api.getSession(sessionId, { signal: controller.signal }).then(
        (fresh) =>
          setState((current) =>
            current.status === 'ready'
              ? { status: 'ready', session: { ...current.session, ...fresh, hostId: current.session.hostId } }
              : current,
          ),
        (error: unknown) => {
          if (isApiError(error, 'NotFound')) setState({ status: 'not-found' });
        },
      );
      return () => controller.abort();
    }
    setState({ status: 'loading' });
    loadHostSession(api, sessionId, { signal: controller.signal }).then(setState, (error: unknown) => {
      if (controller.signal.aborted && isAbortError(error)) return;
      setState({ status: 'error', error });
    });
    return () => controller.abort();
    // `state` is read only to skip the full load when the dashboard handed the session over.
  }, [api, sessionId, attempt]);

  /** Applies a change made here (e.g. the session ended) without a reload. */
  const update = useCallback(
    (change: Partial<Session>) =>
      setState((current) => (current.status === 'ready' ? { status: 'ready', session: { ...current.session, ...change } } : current)),
    [],
  );

  /** The realtime server says this user is not the host (it connected them as a viewer). */
  const markNotHost = useCallback(
    () =>
      setState((current) => {
        if (current.status !== 'ready') return current;
        const { hostId: _hidden, ...publicSession } = current.session;
        return { status: 'not-host', session: publicSession };
      }),
    [],
  );

  return { state, retry: () => setAttempt((n) => n + 1), update, markNotHost };
}
