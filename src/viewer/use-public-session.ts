import { useCallback, useEffect, useState } from 'react';
import { isApiError } from '../api/api-error';
import type { SessionsApi } from '../api/sessions-api';
import { isAbortError } from '../lib/errors';
import type { PublicSession } from '../protocol/session';

export type PublicSessionState =
  | { status: 'loading' }
  | { status: 'ready'; session: PublicSession }
  | { status: 'not-found' }
  | { status: 'error'; error: unknown };

/** Reads a session's public fields (title, status) for the viewer page, with a retry; not before `enabled`. */
export function usePublicSession(api: SessionsApi, sessionId: string, validId: boolean, enabled = true) {
  const [state, setState] = useState<PublicSessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    if (!validId) {
      setState({ status: 'not-found' });
      return;
    }
    if (!enabled) return;
    const controller = new AbortController();
    setState({ status: 'loading' });
    api.getSession(sessionId, { signal: controller.signal }).then(
      (session) => setState({ status: 'ready', session }),
      (error: unknown) => {
        if (isAbortError(error) && controller.signal.aborted) return;
        setState(isApiError(error, 'NotFound') ? { status: 'not-found' } : { status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [api, sessionId, validId, enabled, attempt]);

  return { state, retry };
}
