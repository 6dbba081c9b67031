import { routeModule } from './lib/lazy-route';

/**
 * The lazily loaded parts of the app. Each import() becomes its own chunk, so the landing and
 * viewer pages never download the Amplify UI, the Authenticator or the host pages, nor each other.
 */
export const routeModules = {
  // Its own chunk too, so a viewer's first download does not carry the home page.
  landing: routeModule(() => import('./pages/LandingPage')),
  watch: routeModule(() => import('./viewer/WatchPage')),
  hostShell: routeModule(() => import('./auth/HostShell')),
  signIn: routeModule(() => import('./auth/SignInPage')),
  dashboard: routeModule(() => import('./dashboard/DashboardPage')),
  studio: routeModule(() => import('./studio/StudioPage')),
  insights: routeModule(() => import('./insights/InsightsPage')),
};

/**
 * Starts downloading the chunks the current address needs, before the config has even
 * arrived. Resolves when they are in (or failed: the route's own load reports that).
 */
export function preloadRoute(pathname: string): Promise<void> {
  const preload = (...loaders: Array<() => Promise<unknown>>) =>
    Promise.all(loaders.map((load) => load().catch(() => undefined))).then(() => undefined);
  if (pathname === '/') return preload(routeModules.landing);
  if (pathname.startsWith('/watch/')) return preload(routeModules.watch);
  if (pathname === '/signin') return preload(routeModules.hostShell, routeModules.signIn);
  if (pathname === '/dashboard') return preload(routeModules.hostShell, routeModules.dashboard);
  if (pathname.startsWith('/studio/')) return preload(routeModules.hostShell, routeModules.studio);
  if (/^\/sessions\/[^/]+\/insights$/.test(pathname)) return preload(routeModules.hostShell, routeModules.insights);
  return Promise.resolve();
}
