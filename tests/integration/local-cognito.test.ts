import { createSign } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmSignUp,
  fetchAuthSession,
  fetchUserAttributes,
  resendSignUpCode,
  resetPassword,
  signIn,
  signOut,
  signUp,
  updatePassword,
} from 'aws-amplify/auth';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier } from '../../amplify/auth/token-verifier.js';
import { startLocalCognito, type CodeKind, type LocalCognito } from '../../local/cognito/index.js';
import { SIGNING_KEY_FILE } from '../../local/cognito/signingKey.js';

/**
 * The real cognito-local, started in-process through local/cognito, driven by the real
 * aws-amplify v6 in Node – the same calls the browser app makes.
 */
const PASSWORD = 'Str0ng-Passw0rd!';
const NEW_PASSWORD = 'N3w-Passw0rd!!';

let dataDir: string;
let port: number;
let cognito: LocalCognito;
const codes: { kind: CodeKind; username: string; code: string }[] = [];
/** x-amz-target and AuthFlow/ChallengeName of every request Amplify sends, to prove which flows it used. */
const sent: string[] = [];

function latestCode(kind: CodeKind, username: string): string {
  const event = codes.filter((c) => c.kind === kind && c.username === username).at(-1);
  if (!event) throw new Error(`No ${kind} code was delivered for ${username}`);
  return event.code;
}

async function start(): Promise<LocalCognito> {
  const started = await startLocalCognito({ dataDir, port, onCode: (event) => codes.push(event) });
  Amplify.configure({
    Auth: {
      Cognito: { userPoolId: started.userPoolId, userPoolClientId: started.userPoolClientId, userPoolEndpoint: started.endpoint },
    },
  });
  return started;
}

async function signUpConfirmed(email: string, password = PASSWORD): Promise<void> {
  await signUp({ username: email, password, options: { userAttributes: { email } } });
  await confirmSignUp({ username: email, confirmationCode: latestCode('signUp', email) });
}

/** Raw Cognito JSON protocol, for what Amplify hides (refresh tokens, GlobalSignOut effects). */
async function cognitoCall(target: string, body: object): Promise<{ status: number; json: Record<string, any> }> {
  const response = await fetch(cognito.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-cognito-'));
  port = await freePort();
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const target = new Headers(init?.headers).get('x-amz-target')?.split('.')[1];
    if (target) {
      const flow = /"(?:AuthFlow|ChallengeName)":"(\w+)"/.exec(String(init?.body ?? ''))?.[1];
      sent.push(flow ? `${target} ${flow}` : target);
    }
    return realFetch(input, init);
  });
  cognito = await start();
});

afterEach(async () => {
  await signOut();
  sent.length = 0;
});

afterAll(async () => {
  vi.restoreAllMocks();
  await cognito?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('local Cognito with Amplify v6', () => {
  it('describes itself consistently', () => {
    expect(cognito.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(cognito.userPoolId).toMatch(/^local_\w+$/);
    expect(cognito.region).toBe('local');
    expect(cognito.issuer).toBe(`${cognito.endpoint}/${cognito.userPoolId}`);
    expect(cognito.jwksUri).toBe(`${cognito.issuer}/.well-known/jwks.json`);
  });

  it('signs up, confirms with the delivered code, and marks the email verified', async () => {
    const email = 'ada@example.com';
    const result = await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
    expect(result.isSignUpComplete).toBe(false);
    expect(result.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');
    expect(codes.at(-1)).toMatchObject({ kind: 'signUp', username: email, code: expect.stringMatching(/^\d{6}$/) });

    await expect(confirmSignUp({ username: email, confirmationCode: '000000x' })).rejects.toMatchObject({
      name: 'CodeMismatchException',
    });
    const confirmed = await confirmSignUp({ username: email, confirmationCode: latestCode('signUp', email) });
    expect(confirmed.isSignUpComplete).toBe(true);

    await signIn({ username: email, password: PASSWORD });
    expect(await fetchUserAttributes()).toMatchObject({ email, email_verified: 'true' });
  });

  it('resends the sign-up code', async () => {
    const email = 'resend@example.com';
    await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
    const first = latestCode('signUp', email);
    const resent = await resendSignUpCode({ username: email });
    expect(resent.destination).toBe('r***@e***');
    const second = latestCode('signUp', email);
    expect(codes.filter((c) => c.username === email)).toHaveLength(2);
    if (first !== second) {
      await expect(confirmSignUp({ username: email, confirmationCode: first })).rejects.toMatchObject({ name: 'CodeMismatchException' });
    }
    expect((await confirmSignUp({ username: email, confirmationCode: second })).isSignUpComplete).toBe(true);
  });

  it('rejects passwords that break the pool policy with InvalidPasswordException', async () => {
    const weak = {
      'Sh0rt!': 'Password not long enough',
      'NOLOWER-CASE1': 'Password must have lowercase characters',
      'noupper-case1': 'Password must have uppercase characters',
      'No-Digits-Here': 'Password must have numeric characters',
      NoSymbols123: 'Password must have symbol characters',
    };
    for (const [password, reason] of Object.entries(weak)) {
      await expect(signUp({ username: 'weak@example.com', password })).rejects.toMatchObject({
        name: 'InvalidPasswordException',
        message: `Password did not conform with policy: ${reason}`,
      });
    }
    expect(codes.some((c) => c.username === 'weak@example.com')).toBe(false);
  });

  it('signs in with SRP by default and issues tokens that verify with aws-jwt-verify', async () => {
    const email = 'grace@example.com';
    await signUpConfirmed(email);
    sent.length = 0;

    const result = await signIn({ username: email, password: PASSWORD });
    expect(result).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(sent).toEqual(['InitiateAuth USER_SRP_AUTH', 'RespondToAuthChallenge PASSWORD_VERIFIER']);

    const { tokens } = await fetchAuthSession();
    expect(tokens?.accessToken).toBeDefined();
    const jwksCache = new SimpleJwksCache({
      fetcher: { fetch: async (uri: string) => (await fetch(uri)).arrayBuffer() },
    });
    const verifier = JwtRsaVerifier.create(
      { issuer: cognito.issuer, jwksUri: cognito.jwksUri, audience: null },
      { jwksCache },
    );
    const access = await verifier.verify(tokens!.accessToken.toString());
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: cognito.userPoolClientId,
      iss: cognito.issuer,
      sub: expect.any(String),
      username: expect.any(String),
    });
    const id = await verifier.verify(tokens!.idToken!.toString(), { audience: cognito.userPoolClientId });
    expect(id).toMatchObject({ token_use: 'id', email, email_verified: true, aud: cognito.userPoolClientId, sub: access.sub });
  });

  it('refreshes tokens through GetTokensFromRefreshToken', async () => {
    const email = 'grace@example.com';
    await signIn({ username: email, password: PASSWORD });
    const before = (await fetchAuthSession()).tokens!;
    sent.length = 0;

    const after = (await fetchAuthSession({ forceRefresh: true })).tokens!;
    expect(sent).toEqual(['GetTokensFromRefreshToken']);
    expect(after.accessToken.toString()).not.toBe(before.accessToken.toString());
    expect(after.idToken!.toString()).not.toBe(before.idToken!.toString());
    expect(after.accessToken.payload.sub).toBe(before.accessToken.payload.sub);
    // The session keeps working with the refreshed tokens.
    expect(await fetchUserAttributes()).toMatchObject({ email });
  });

  it('rejects a wrong password and an unknown user with the same error', async () => {
    const expected = { name: 'NotAuthorizedException', message: 'Incorrect username or password.' };
    await expect(signIn({ username: 'grace@example.com', password: 'Wr0ng-Password!' })).rejects.toMatchObject(expected);
    await expect(signIn({ username: 'nobody@example.com', password: PASSWORD })).rejects.toMatchObject(expected);
  });

  it('sends an unconfirmed user to the confirm step', async () => {
    const email = 'unconfirmed@example.com';
    await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
    expect(await signIn({ username: email, password: PASSWORD })).toEqual({
      isSignedIn: false,
      nextStep: { signInStep: 'CONFIRM_SIGN_UP' },
    });
    // Without the right password it does not even reveal that.
    await expect(signIn({ username: email, password: 'Wr0ng-Password!' })).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('resets a password with the delivered code, enforcing the policy', async () => {
    const email = 'reset@example.com';
    await signUpConfirmed(email);

    const started = await resetPassword({ username: email });
    expect(started.nextStep.resetPasswordStep).toBe('CONFIRM_RESET_PASSWORD_WITH_CODE');
    const code = latestCode('forgotPassword', email);
    await expect(confirmResetPassword({ username: email, confirmationCode: code, newPassword: 'weakpass' })).rejects.toMatchObject({
      name: 'InvalidPasswordException',
    });
    await confirmResetPassword({ username: email, confirmationCode: code, newPassword: NEW_PASSWORD });

    await expect(signIn({ username: email, password: PASSWORD })).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    expect((await signIn({ username: email, password: NEW_PASSWORD })).isSignedIn).toBe(true);
  });

  it('hides whether an account exists when resetting a password', async () => {
    const started = await resetPassword({ username: 'ghost@example.com' });
    expect(started.nextStep).toMatchObject({
      resetPasswordStep: 'CONFIRM_RESET_PASSWORD_WITH_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'g***@e***' },
    });
    await expect(
      confirmResetPassword({ username: 'ghost@example.com', confirmationCode: '123456', newPassword: NEW_PASSWORD }),
    ).rejects.toMatchObject({ name: 'CodeMismatchException' });
  });

  it('changes the password of a signed-in user, enforcing the policy', async () => {
    const email = 'change@example.com';
    await signUpConfirmed(email);
    await signIn({ username: email, password: PASSWORD });
    await expect(updatePassword({ oldPassword: PASSWORD, newPassword: 'alllowercase' })).rejects.toMatchObject({
      name: 'InvalidPasswordException',
    });
    await expect(updatePassword({ oldPassword: 'Wr0ng-Password!', newPassword: NEW_PASSWORD })).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    await updatePassword({ oldPassword: PASSWORD, newPassword: NEW_PASSWORD });
    await signOut();
    expect((await signIn({ username: email, password: NEW_PASSWORD })).isSignedIn).toBe(true);
  });

  it('signs out locally, and globally revokes refresh tokens', async () => {
    await signIn({ username: 'grace@example.com', password: PASSWORD });
    await signOut();
    expect((await fetchAuthSession()).tokens).toBeUndefined();

    await signIn({ username: 'grace@example.com', password: PASSWORD });
    await signOut({ global: true });
    expect(sent).toContain('GlobalSignOut');
    expect((await fetchAuthSession()).tokens).toBeUndefined();

    // A refresh token from an earlier sign-in no longer works after another global sign-out.
    const login = await cognitoCall('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: cognito.userPoolClientId,
      AuthParameters: { USERNAME: 'grace@example.com', PASSWORD },
    });
    const { AccessToken, RefreshToken } = login.json.AuthenticationResult as { AccessToken: string; RefreshToken: string };
    expect((await cognitoCall('GetTokensFromRefreshToken', { ClientId: cognito.userPoolClientId, RefreshToken })).status).toBe(200);
    expect((await cognitoCall('GlobalSignOut', { AccessToken })).status).toBe(200);
    const refused = await cognitoCall('GetTokensFromRefreshToken', { ClientId: cognito.userPoolClientId, RefreshToken });
    expect(refused).toMatchObject({ status: 400, json: { __type: 'NotAuthorizedException' } });
  });

  it('refuses forged access tokens', async () => {
    const login = await cognitoCall('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: cognito.userPoolClientId,
      AuthParameters: { USERNAME: 'grace@example.com', PASSWORD },
    });
    const [header, payload] = (login.json.AuthenticationResult.AccessToken as string).split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    expect(await cognitoCall('GetUser', { AccessToken: forged })).toMatchObject({
      status: 400,
      json: { __type: 'NotAuthorizedException' },
    });
  });

  it('signs with a key of its own, never the one published in the cognito-local package', async () => {
    const published = createRequire(import.meta.url)('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string };
    const publishedJwk = (createRequire(import.meta.url)('cognito-local/lib/keys/cognitoLocal.public.json') as { jwk: { n: string } }).jwk;
    const jwks = (await (await fetch(cognito.jwksUri)).json()) as { keys: Array<{ kid: string; n: string; alg: string }> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ alg: 'RS256', kty: 'RSA', use: 'sig' });
    expect(jwks.keys[0]!.n).not.toBe(publishedJwk.n);
    expect(jwks.keys[0]!.kid).not.toBe('CognitoLocal');
    expect((await stat(join(dataDir, SIGNING_KEY_FILE))).mode & 0o777).toBe(0o600);

    // A host token forged with the published key: right issuer, client, user and expiry.
    const login = await cognitoCall('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: cognito.userPoolClientId,
      AuthParameters: { USERNAME: 'grace@example.com', PASSWORD },
    });
    const genuine = login.json.AuthenticationResult.AccessToken as string;
    const claims = JSON.parse(Buffer.from(genuine.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: jwks.keys[0]!.kid })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const forged = `${header}.${body}.${createSign('RSA-SHA256').update(`${header}.${body}`).sign(published.pem).toString('base64url')}`;

    const verify = createTokenVerifier({
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      region: cognito.region,
      cognitoEndpoint: cognito.endpoint,
    });
    expect((await verify(genuine)).userId).toBe(claims.sub);
    await expect(verify(forged)).rejects.toThrow();
    expect(await cognitoCall('GetUser', { AccessToken: forged })).toMatchObject({ status: 400, json: { __type: 'NotAuthorizedException' } });
  });

  it('gives every data folder its own signing key', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'local-cognito-other-'));
    try {
      const other = await startLocalCognito({ dataDir: otherDir, port: await freePort() });
      const keys = await Promise.all([cognito, other].map(async (c) => ((await (await fetch(c.jwksUri)).json()) as { keys: Array<{ n: string }> }).keys[0]!.n));
      await other.close();
      expect(keys[0]).not.toBe(keys[1]);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('answers browser CORS preflights for the x-amz-* headers', async () => {
    const preflight = await fetch(cognito.endpoint, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-amz-target,x-amz-user-agent,cache-control',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-amz-target');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-amz-user-agent');

    const response = await fetch(cognito.endpoint, {
      method: 'POST',
      headers: {
        Origin: 'http://localhost:5173',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: cognito.userPoolClientId, AuthParameters: {} }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-amzn-requestid');
  });

  it('serves a discovery document with the real issuer and answers malformed JSON quietly', async () => {
    const discovery = await fetch(`${cognito.issuer}/.well-known/openid-configuration`);
    expect(await discovery.json()).toMatchObject({ issuer: cognito.issuer, jwks_uri: cognito.jwksUri });

    const errors = vi.spyOn(console, 'error');
    const malformed = await fetch(cognito.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });

  it('rejects a second server on the same port with a message that says how to fix it', async () => {
    const error = await startLocalCognito({ dataDir, port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`Port ${port}`);
    expect((error as Error).message).toContain('in use');
    expect((error as Error).message).toContain('STREAMCANVAS_COGNITO_PORT');
  });

  it('keeps the pool, the app client and the users across a restart with the same dataDir', async () => {
    const before = { userPoolId: cognito.userPoolId, userPoolClientId: cognito.userPoolClientId };
    const keyBefore = await (await fetch(cognito.jwksUri)).json();
    await cognito.close();
    cognito = await start();
    expect({ userPoolId: cognito.userPoolId, userPoolClientId: cognito.userPoolClientId }).toEqual(before);
    // The signing key too, so tokens issued before the restart stay valid.
    expect(await (await fetch(cognito.jwksUri)).json()).toEqual(keyBefore);
    expect((await signIn({ username: 'grace@example.com', password: PASSWORD })).isSignedIn).toBe(true);
    expect(await fetchUserAttributes()).toMatchObject({ email: 'grace@example.com', email_verified: 'true' });
  });
});
