import { Suspense, type ReactNode } from 'react';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router-dom';
import { SessionsApiProvider } from './api/context';
import { AppConfigProvider } from './config';
import type { AppConfig } from './config';
import { lazyRoute } from './lib/lazy-route';
import { NotFoundPage } from './pages/NotFoundPage';
import { routeModules } from './routes';
import { SkipLink } from './ui/AppHeader';
import { ErrorBoundary } from './ui/ErrorBoundary';
import { LoadingPage } from './ui/Spinner';
import { ToastProvider } from './ui/Toast';

const LandingPage = lazyRoute(routeModules.landing, (module) => module.LandingPage);
const WatchPage = lazyRoute(routeModules.watch, (module) => module.default);
const HostShell = lazyRoute(routeModules.hostShell, (module) => module.default);
const RequireHost = lazyRoute(routeModules.hostShell, (module) => module.RequireHost);
const SignInPage = lazyRoute(routeModules.signIn, (module) => module.default);
const DashboardPage = lazyRoute(routeModules.dashboard, (module) => module.default);
const StudioPage = lazyRoute(routeModules.studio, (module) => module.default);
const InsightsPage = lazyRoute(routeModules.insights, (module) => module.default);

function Page({ children, label = 'Loading…' }: { children: ReactNode; label?: string }) {
  return <Suspense fallback={<LoadingPage label={label} />}>{children}</Suspense>;
}

/** Every route. Rendered inside a router and the config/API/toast providers (see App). */
export function AppRoutes() {
  const location = useLocation();
  return (
    <ErrorBoundary resetKey={location.pathname}>
      <Routes>
        <Route
          path="/"
          element={
            <Page>
              <LandingPage />
            </Page>
          }
        />
        <Route
          path="/watch/:sessionId"
          element={
            <Page label="Loading the session…">
              <WatchPage />
            </Page>
          }
        />
        <Route
          element={
            <Page>
              <HostShell />
            </Page>
          }
        >
          <Route
            path="/signin"
            element={
              <Page>
                <SignInPage />
              </Page>
            }
          />
          <Route
            element={
              <Page label="Checking your sign-in…">
                <RequireHost />
              </Page>
            }
          >
            <Route path="/dashboard" element={<DashboardPage />} />
            <Route path="/studio/:sessionId" element={<StudioPage />} />
            <Route path="/sessions/:sessionId/insights" element={<InsightsPage />} />
          </Route>
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </ErrorBoundary>
  );
}

/** `config`: already loaded (main.tsx waits for it), so the first render is the page itself. */
export function App({ loadConfig, config }: { loadConfig: () => Promise<AppConfig>; config?: AppConfig }) {
  return (
    <BrowserRouter>
      <ToastProvider>
        <SkipLink />
        <AppConfigProvider load={loadConfig} loaded={config}>
          <SessionsApiProvider>
            <AppRoutes />
          </SessionsApiProvider>
        </AppConfigProvider>
      </ToastProvider>
    </BrowserRouter>
  );
}
