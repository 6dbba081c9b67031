import '@aws-amplify/ui-react/styles.css';
import './amplify-theme.css';
import { Authenticator, useAuthenticator } from '@aws-amplify/ui-react';
import { signOut as amplifySignOut } from 'aws-amplify/auth';
import { Suspense, useCallback, useMemo, useState } from 'react';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { SessionsApiProvider } from '../api/context';
import { useAppConfig } from '../config';
import { configureAmplify, getAccessToken } from '../config/amplify';
import { LoadingPage } from '../ui/Spinner';
import { useToast } from '../ui/Toast';
import { HostAreaContext, useHostArea, type HostArea } from './host-context';
import { HostHeader } from './HostHeader';

/**
 * The signed-in area's shell (a lazy chunk): configures Amplify once, provides the
 * Authenticator state and an API client that sends the user's access token.
 * Nothing here is loaded by the landing or viewer pages.
 */
export default function HostShell() {
  const config = useAppConfig();
  // Synchronous and idempotent; must run before Authenticator.Provider asks for the current user.
  useState(() => configureAmplify(config));
  const navigate = useNavigate();
  const toast = useToast();
  const [signingOut, setSigningOut] = useState(false);

  const signOut = useCallback(async () => {
    setSigningOut(true);
    try {
      await amplifySignOut();
    } catch (error) {
      setSigningOut(false);
      toast.error('Could not sign out', error);
      return;
    }
    // Stay in the "signing out" state until the host area unmounts, so RequireHost does not
    // redirect the now signed-out visitor to /signin on the way out.
    navigate('/', { replace: true });
  }, [navigate, toast]);

  const hostArea = useMemo<HostArea>(() => ({ signOut, signingOut }), [signOut, signingOut]);

  return (
    <Authenticator.Provider>
      <HostAreaContext.Provider value={hostArea}>
        <SessionsApiProvider getAccessToken={getAccessToken}>
          <Outlet />
        </SessionsApiProvider>
      </HostAreaContext.Provider>
    </Authenticator.Provider>
  );
}

/** Host-only routes: signed-out visitors go to /signin and come back here afterwards. */
export function RequireHost() {
  const { authStatus } = useAuthenticator((context) => [context.authStatus]);
  const { signingOut } = useHostArea();
  const location = useLocation();

  if (signingOut) return <LoadingPage label="Signing out…" />;
  if (authStatus === 'configuring') return <LoadingPage label="Checking your sign-in…" />;
  if (authStatus !== 'authenticated') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <>
      <HostHeader />
      <Suspense fallback={<LoadingPage label="Loading…" />}>
        <Outlet />
      </Suspense>
    </>
  );
}
