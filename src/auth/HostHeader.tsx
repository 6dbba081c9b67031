import { useAuthenticator } from '@aws-amplify/ui-react';
import { fetchAuthSession } from 'aws-amplify/auth';
import { useEffect, useState } from 'react';
import { NavLink } from 'react-router-dom';
import { AppHeader } from '../ui/AppHeader';
import { Button } from '../ui/Button';
import { SignOutIcon } from '../ui/icons';
import { useHostArea } from './host-context';

/** The signed-in header: brand, the user's email, Sign out. */
export function HostHeader() {
  const email = useHostEmail();
  const { signOut, signingOut } = useHostArea();
  return (
    <AppHeader brandTo="/dashboard" className="app-header--host">
      <nav aria-label="Host">
        <NavLink to="/dashboard" end className={({ isActive }) => `btn btn--ghost btn--sm${isActive ? ' is-active' : ''}`}>
          Dashboard
        </NavLink>
      </nav>
      {email ? (
        <span className="app-header__user" title={email} data-testid="user-email">
          <span className="sr-only">Signed in as </span>
          {email}
        </span>
      ) : null}
      <Button
        size="sm"
        onClick={() => void signOut()}
        busy={signingOut}
        icon={<SignOutIcon className="btn__icon" />}
        title={email ? `Signed in as ${email}` : undefined}
      >
        Sign out
      </Button>
    </AppHeader>
  );
}

/** The signed-in user's email: from the sign-in details, else from the ID token. */
export function useHostEmail(): string | undefined {
  const { user } = useAuthenticator((context) => [context.user]);
  const loginId = user?.signInDetails?.loginId;
  const tokenEmail = useIdTokenEmail(loginId === undefined);
  return loginId ?? tokenEmail ?? user?.username;
}

/** The signed-in user's email from the ID token; needs no Authenticator around it (the studio). */
export function useIdTokenEmail(enabled = true): string | undefined {
  const [tokenEmail, setTokenEmail] = useState<string>();
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    fetchAuthSession()
      .then((session) => {
        const email = session.tokens?.idToken?.payload.email;
        if (!cancelled && typeof email === 'string') setTokenEmail(email);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [enabled]);
  return tokenEmail;
}
