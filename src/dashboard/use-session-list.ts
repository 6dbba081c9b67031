import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { SessionsApi } from '../api/sessions-api';
import { isAbortError } from '../lib/errors';
import type { Session } from '../protocol/session';

export const PAGE_SIZE = 20;

export interface SessionListState {
  status: 'loading' | 'ready' | 'error';
  sessions: Session[];
  nextToken?: string;
  loadingMore: boolean;
  error?: unknown;
  /** The session just created, to highlight it. */
  highlightId?: string;
}

type Action =
  | { type: 'load' }
  | { type: 'loaded'; sessions: Session[]; nextToken?: string }
  | { type: 'failed'; error: unknown }
  | { type: 'load-more' }
  | { type: 'loaded-more'; sessions: Session[]; nextToken?: string }
  | { type: 'load-more-failed' }
  | { type: 'created'; session: Session }
  | { type: 'updated'; session: Pick<Session, 'sessionId'> & Partial<Session> };

function byNewest(a: Session, b: Session): number {
  return b.createdAt.localeCompare(a.createdAt);
}

function merge(existing: Session[], incoming: Session[]): Session[] {
  const seen = new Set(existing.map((session) => session.sessionId));
  return [...existing, ...incoming.filter((session) => !seen.has(session.sessionId))];
}

export function sessionListReducer(state: SessionListState, action: Action): SessionListState {
  switch (action.type) {
    case 'load':
      return { ...state, status: 'loading', error: undefined };
    case 'loaded':
      return { status: 'ready', sessions: action.sessions, nextToken: action.nextToken, loadingMore: false };
    case 'failed':
      return { ...state, status: 'error', error: action.error };
    case 'load-more':
      return { ...state, loadingMore: true };
    case 'loaded-more':
      return { ...state, loadingMore: false, sessions: merge(state.sessions, action.sessions), nextToken: action.nextToken };
    case 'load-more-failed':
      return { ...state, loadingMore: false };
    case 'created':
      return {
        ...state,
        sessions: [action.session, ...state.sessions.filter((s) => s.sessionId !== action.session.sessionId)].sort(byNewest),
        highlightId: action.session.sessionId,
      };
    case 'updated':
      return {
        ...state,
        sessions: state.sessions.map((session) =>
          session.sessionId === action.session.sessionId ? { ...session, ...action.session } : session,
        ),
      };
  }
}

/** The signed-in host's sessions, newest first, with paging, and local updates after create/end. */
export function useSessionList(api: SessionsApi, onError: (title: string, error: unknown) => void) {
  const [state, dispatch] = useReducer(sessionListReducer, { status: 'loading', sessions: [], loadingMore: false });
  const [attempt, retry] = useReducer((n: number) => n + 1, 0);
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;
  const nextTokenRef = useRef<string | undefined>(undefined);
  nextTokenRef.current = state.nextToken;
  const loadingMoreRef = useRef(false);

  useEffect(() => {
    const controller = new AbortController();
    dispatch({ type: 'load' });
    api.listSessions({ limit: PAGE_SIZE }, { signal: controller.signal }).then(
      (page) => dispatch({ type: 'loaded', sessions: page.sessions, nextToken: page.nextToken }),
      (error: unknown) => {
        if (controller.signal.aborted && isAbortError(error)) return;
        dispatch({ type: 'failed', error });
        onErrorRef.current('Could not load your sessions', error);
      },
    );
    return () => controller.abort();
  }, [api, attempt]);

  const loadMore = useCallback(async () => {
    const nextToken = nextTokenRef.current;
    if (!nextToken || loadingMoreRef.current) return;
    loadingMoreRef.current = true;
    dispatch({ type: 'load-more' });
    try {
      const page = await api.listSessions({ limit: PAGE_SIZE, nextToken });
      dispatch({ type: 'loaded-more', sessions: page.sessions, nextToken: page.nextToken });
    } catch (error) {
      dispatch({ type: 'load-more-failed' });
      onErrorRef.current('Could not load more sessions', error);
    } finally {
      loadingMoreRef.current = false;
    }
  }, [api]);

  return {
    state,
    retry,
    loadMore,
    created: useCallback((session: Session) => dispatch({ type: 'created', session }), []),
    updated: useCallback(
      (session: Pick<Session, 'sessionId'> & Partial<Session>) => dispatch({ type: 'updated', session }),
      [],
    ),
  };
}
