import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useOptionalAppConfig } from '../config';
import { createReplayReader, type ReplayReader } from './replay-api';

/** Makes the reader of one session's replay; a live session's is read with the caller's connection id. */
export type ReplayReaderFactory = (sessionId: string, connectionId?: () => string | undefined) => ReplayReader;

const ReplayReaderContext = createContext<ReplayReaderFactory | null>(null);

/** Lets tests (and tools) serve a replay without the HTTP API. */
export function ReplayReaderProvider({ factory, children }: { factory: ReplayReaderFactory; children: ReactNode }) {
  return <ReplayReaderContext.Provider value={factory}>{children}</ReplayReaderContext.Provider>;
}

export function useReplayReaderFactory(): ReplayReaderFactory {
  const injected = useContext(ReplayReaderContext);
  const config = useOptionalAppConfig();
  return useMemo<ReplayReaderFactory>(() => {
    if (injected) return injected;
    if (!config) throw new Error('The replay needs the app config (httpApiUrl) or a ReplayReaderProvider.');
    return (sessionId, connectionId) => createReplayReader({ baseUrl: config.httpApiUrl }, sessionId, connectionId);
  }, [injected, config]);
}
