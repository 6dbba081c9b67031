/**
 * The lazily loaded parts of the app. Each import() becomes its own chunk, so the landing and
 * viewer pages never download the Amplify UI, the Authenticator or the host pages.
 */
export const routeModules = {
  watch: () => import('./viewer/WatchPage'),
  hostShell: () => import('./auth/HostShell'),
  signIn: () => import('./auth/SignInPage'),
  dashboard: () => import('./dashboard/DashboardPage'),
  studio: () => import('./studio/StudioPage'),
};

/** Starts downloading the chunks the current address needs, before the config has even arrived. */
export function preloadRoute(pathname: string): void {
  const preload = (...loaders: Array<() => Promise<unknown>>) => loaders.forEach((load) => void load().catch(() => undefined));
  if (pathname.startsWith('/watch/')) preload(routeModules.watch);
  else if (pathname === '/signin') preload(routeModules.hostShell, routeModules.signIn);
  else if (pathname === '/dashboard') preload(routeModules.hostShell, routeModules.dashboard);
  else if (pathname.startsWith('/studio/')) preload(routeModules.hostShell, routeModules.studio);
}
