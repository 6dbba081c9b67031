import { Authenticator, Heading, Text, useAuthenticator } from '@aws-amplify/ui-react';
import { I18n } from 'aws-amplify/utils';
import { useMemo } from 'react';
import { Navigate, useSearchParams } from 'react-router-dom';
import { describePasswordPolicy, useAppConfig } from '../config';
import { useDocumentTitle } from '../lib/use-document-title';
import { AppHeader } from '../ui/AppHeader';

/** Where to go after signing in: a path inside the app, never another site. */
export function safeNextPath(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/dashboard';
  if (value.startsWith('/signin')) return '/dashboard';
  return value;
}

/**
 * `/signin`: sign up (email + password), confirm with the emailed code, sign in (Amplify's
 * default SRP flow), reset a forgotten password. `?mode=signUp` opens on the sign-up tab,
 * `?next=/path` says where to go afterwards.
 */
export default function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const initialState = params.get('mode') === 'signUp' ? 'signUp' : 'signIn';
  const { authStatus } = useAuthenticator((context) => [context.authStatus]);
  const { passwordPolicy, codeDelivery } = useAppConfig();
  useDocumentTitle('Sign in');
  useMemo(() => codeDelivery === 'terminal' && applyTerminalCodeTexts(), [codeDelivery]);

  // The password rules (from amplify_outputs.json) under each new-password field, linked with aria-describedby.
  const rulesSentence = describePasswordPolicy(passwordPolicy);
  const formFields = useMemo(
    () => ({
      signIn: {
        username: { label: 'Email', placeholder: 'you@example.com', isRequired: true },
      },
      signUp: {
        email: { label: 'Email', placeholder: 'you@example.com', order: 1, isRequired: true },
        password: { label: 'Password', placeholder: 'Choose a password', descriptiveText: rulesSentence, order: 2 },
        confirm_password: { label: 'Confirm password', placeholder: 'Type the password again', order: 3 },
      },
      forgotPassword: {
        username: { label: 'Email', placeholder: 'you@example.com' },
      },
      confirmResetPassword: {
        password: { label: 'New password', placeholder: 'Choose a new password', descriptiveText: rulesSentence },
      },
      forceNewPassword: {
        password: { label: 'New password', descriptiveText: rulesSentence },
      },
    }),
    [rulesSentence],
  );

  if (authStatus === 'authenticated') return <Navigate to={next} replace />;

  return (
    <>
      <AppHeader />
      <main id="main" className="signin">
        <div className="signin__intro">
          <h1>Host on StreamCanvas</h1>
          <p>Sign in, or create a free account with your email, to create sessions and broadcast your canvas.</p>
        </div>
        <Authenticator
          initialState={initialState}
          loginMechanisms={['email']}
          formFields={formFields}
          components={codeDelivery === 'terminal' ? terminalCodeComponents : undefined}
        />
      </main>
    </>
  );
}

/**
 * The local stack sends no e-mail: it prints each code in the terminal running `npm start`.
 * "We emailed you" would send a new user looking in their inbox, so say where to look.
 */
const terminalCodeComponents = {
  ConfirmSignUp: {
    Header() {
      return (
        <>
          <Heading level={4}>Your code is in the terminal</Heading>
          <Text>
            StreamCanvas is running locally, so no e-mail is sent: the confirmation code is printed in the terminal where{' '}
            <code>npm start</code> runs.
          </Text>
        </>
      );
    },
  },
};

function applyTerminalCodeTexts() {
  // The sentence under the header names the address; locally the code is not on its way there.
  I18n.putVocabulariesForLanguage('en', {
    'Your code is on the way. To log in, enter the code we emailed to': 'Enter the code printed for',
    'It may take a minute to arrive': 'Password reset codes are printed there too',
  });
  return true;
}
