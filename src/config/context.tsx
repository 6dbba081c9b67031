import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { FullPageMessage } from '../ui/EmptyState';
import { AlertIcon } from '../ui/icons';
import { LoadingPage } from '../ui/Spinner';
import { describeError } from '../lib/errors';
import type { AppConfig } from './schema';

const AppConfigContext = createContext<AppConfig | null>(null);

type State = { status: 'loading' } | { status: 'ready'; config: AppConfig } | { status: 'error'; error: unknown };

/**
 * Loads the config once (unless it is `loaded` already), then renders the app with it. Until
 * then: a loading screen; if it fails: a full-page explanation of what is wrong and how to fix it.
 */
export function AppConfigProvider({ load, loaded, children }: { load: () => Promise<AppConfig>; loaded?: AppConfig; children: ReactNode }) {
  const [state, setState] = useState<State>(() => (loaded ? { status: 'ready', config: loaded } : { status: 'loading' }));

  useEffect(() => {
    if (loaded) return;
    let cancelled = false;
    load().then(
      (config) => !cancelled && setState({ status: 'ready', config }),
      (error: unknown) => !cancelled && setState({ status: 'error', error }),
    );
    return () => {
      cancelled = true;
    };
  }, [load, loaded]);

  if (state.status === 'loading') return <LoadingPage label="Starting StreamCanvas…" />;
  if (state.status === 'error') return <ConfigErrorPage error={state.error} />;
  return <AppConfigContext.Provider value={state.config}>{children}</AppConfigContext.Provider>;
}

/** For tests and for code that already has a config. */
export const AppConfigContextProvider = AppConfigContext.Provider;

/** The config when inside <AppConfigProvider>; undefined elsewhere (tests that inject their own clients). */
export function useOptionalAppConfig(): AppConfig | undefined {
  return useContext(AppConfigContext) ?? undefined;
}

export function useAppConfig(): AppConfig {
  const config = useContext(AppConfigContext);
  if (!config) throw new Error('useAppConfig must be used inside <AppConfigProvider>.');
  return config;
}

export function ConfigErrorPage({ error }: { error: unknown }) {
  const { message, resolution } = describeError(error);
  return (
    <main className="page-main" id="main">
      <FullPageMessage
        icon={<AlertIcon />}
        title="StreamCanvas can't start"
        description={
          <>
            The app&apos;s configuration could not be loaded: {message}
          </>
        }
        actions={
          <button type="button" className="btn btn--primary" onClick={() => window.location.reload()}>
            Reload
          </button>
        }
      >
        <dl className="full-page__details">
          <dt>Resolution</dt>
          <dd>{resolution ?? 'Run `npm start` or deploy the backend.'}</dd>
        </dl>
      </FullPageMessage>
    </main>
  );
}
