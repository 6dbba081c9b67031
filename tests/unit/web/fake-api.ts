import { vi } from 'vitest';
import type { SessionsApi } from '../../../src/api/sessions-api';

/** A SessionsApi whose methods are vi.fn()s; tests set the behaviour they need. */
export function fakeApi(overrides: Partial<SessionsApi> = {}) {
  const api = {
    createSession: vi.fn<SessionsApi['createSession']>(async () => {
      throw new Error('createSession not stubbed');
    }),
    listSessions: vi.fn<SessionsApi['listSessions']>(async () => ({ sessions: [] })),
    getSession: vi.fn<SessionsApi['getSession']>(async () => {
      throw new Error('getSession not stubbed');
    }),
    updateSession: vi.fn<SessionsApi['updateSession']>(async () => {
      throw new Error('updateSession not stubbed');
    }),
    endSession: vi.fn<SessionsApi['endSession']>(async () => {
      throw new Error('endSession not stubbed');
    }),
  };
  Object.assign(api, overrides);
  return api;
}
