import { isApiError } from '../api/api-error';
import type { SessionsApi } from '../api/sessions-api';

/**
 * The room's `checkSession`: after a refused handshake (which browsers cannot tell apart from
 * a network error), asks the public HTTP API whether the session still exists and is active.
 */
export function checkSessionWith(api: SessionsApi, sessionId: string) {
  return async (): Promise<'active' | 'ended' | 'missing'> => {
    try {
      const session = await api.getSession(sessionId);
      return session.status === 'ended' ? 'ended' : 'active';
    } catch (error) {
      if (isApiError(error, 'NotFound')) return 'missing';
      throw error; // unknown: the room keeps retrying
    }
  };
}
