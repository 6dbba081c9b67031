import type { CognitoRouter, Context, Services, UserPoolService } from './cognitoLocal.js';
import { cognitoErrors } from './errors.js';
import { JwtRejected, decodeJwtPayload, type JwtVerifier } from './jwt.js';
import { PRODUCTION_PASSWORD_POLICY, checkPassword } from './passwordPolicy.js';

/** What every compatibility route gets: cognito-local's services and router, and a token checker. */
export interface RouteDeps {
  services: Services;
  cognitoLocal: CognitoRouter;
  verifyJwt: JwtVerifier;
}

export function poolForClient(deps: RouteDeps, ctx: Context, clientId: string | undefined): Promise<UserPoolService> {
  if (!clientId) throw cognitoErrors.invalidParameter('Missing required parameter ClientId');
  return deps.services.cognito.getUserPoolForClientId(ctx, clientId);
}

export function enforcePasswordPolicy(password: unknown, userPool: UserPoolService): void {
  if (typeof password !== 'string' || password === '') throw cognitoErrors.invalidParameter('Missing required parameter PASSWORD');
  const check = checkPassword(password, userPool.options.Policies?.PasswordPolicy ?? PRODUCTION_PASSWORD_POLICY);
  if (check.ok) return;
  throw check.kind === 'policy' ? cognitoErrors.invalidPassword(check.reason) : cognitoErrors.invalidParameter(check.reason);
}

export interface AccessTokenClaims {
  sub: string;
  client_id: string;
}

/** Cognito refuses forged and expired access tokens; cognito-local only decodes them. */
export function verifyAccessToken(deps: RouteDeps, token: unknown): AccessTokenClaims {
  try {
    const claims = deps.verifyJwt(token);
    if (claims.token_use !== 'access' || typeof claims.sub !== 'string' || typeof claims.client_id !== 'string') {
      throw cognitoErrors.invalidAccessToken('not an access token');
    }
    return { sub: claims.sub, client_id: claims.client_id };
  } catch (error) {
    if (error instanceof JwtRejected) {
      throw error.reason === 'expired' ? cognitoErrors.accessTokenExpired() : cognitoErrors.invalidAccessToken(error.reason);
    }
    throw error;
  }
}

interface AuthenticationResult {
  AccessToken?: string;
  IdToken?: string;
  RefreshToken?: string;
  ExpiresIn?: number;
  TokenType?: string;
}

/** Adds ExpiresIn/TokenType, which Cognito returns with tokens and cognito-local leaves out. */
export function withTokenMetadata<T extends { AuthenticationResult?: AuthenticationResult }>(result: T): T {
  const auth = result?.AuthenticationResult;
  if (!auth?.AccessToken) return result;
  const { exp, iat } = decodeJwtPayload(auth.AccessToken);
  const expiresIn = typeof exp === 'number' && typeof iat === 'number' ? exp - iat : undefined;
  return { ...result, AuthenticationResult: { ...auth, ExpiresIn: expiresIn, TokenType: 'Bearer' } };
}

/** Cognito's masked destination ("a***@e***"), used where we answer for a user that may not exist. */
export function maskedEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}

export function emailDelivery(destination: string) {
  return { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: destination } as const;
}
