import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useAppConfig } from '../config';
import { createSessionsApi, type SessionsApi } from './sessions-api';

const SessionsApiContext = createContext<SessionsApi | null>(null);

/**
 * Provides the sessions client. At the root it has no token getter (viewers read public
 * sessions only); the signed-in area wraps its routes in another provider that passes
 * Amplify's access token. Tests pass a fake client through `value`.
 */
export function SessionsApiProvider({
  getAccessToken,
  value,
  children,
}: {
  getAccessToken?: () => Promise<string | undefined>;
  value?: SessionsApi;
  children: ReactNode;
}) {
  if (value) return <SessionsApiContext.Provider value={value}>{children}</SessionsApiContext.Provider>;
  return <ConfiguredSessionsApiProvider getAccessToken={getAccessToken}>{children}</ConfiguredSessionsApiProvider>;
}

function ConfiguredSessionsApiProvider({
  getAccessToken,
  children,
}: {
  getAccessToken?: () => Promise<string | undefined>;
  children: ReactNode;
}) {
  const { httpApiUrl } = useAppConfig();
  const api = useMemo(() => createSessionsApi({ baseUrl: httpApiUrl, getAccessToken }), [httpApiUrl, getAccessToken]);
  return <SessionsApiContext.Provider value={api}>{children}</SessionsApiContext.Provider>;
}

export function useSessionsApi(): SessionsApi {
  const api = useContext(SessionsApiContext);
  if (!api) throw new Error('useSessionsApi must be used inside <SessionsApiProvider>.');
  return api;
}
