import type { Context, Route } from './cognitoLocal.js';
import { cognitoErrors, isCognitoError } from './errors.js';
import { JwtRejected } from './jwt.js';
import { enforcePasswordPolicy, poolForClient, verifyAccessToken, withTokenMetadata, type RouteDeps } from './routeSupport.js';
import { createSrpSignIn, type PasswordVerifierRequest, type SrpInitiateAuthRequest } from './srpSignIn.js';

/**
 * Sign-in, token refresh and sign-out: SRP on top of cognito-local's USER_PASSWORD_AUTH,
 * GetTokensFromRefreshToken (Amplify v6's refresh) on top of its REFRESH_TOKEN_AUTH, and GlobalSignOut.
 */
interface InitiateAuthRequest extends SrpInitiateAuthRequest {
  AuthFlow?: string;
  AuthParameters?: SrpInitiateAuthRequest['AuthParameters'] & { PASSWORD?: string; REFRESH_TOKEN?: string };
}
interface RespondToAuthChallengeRequest extends PasswordVerifierRequest {
  ChallengeName?: string;
  ChallengeResponses?: PasswordVerifierRequest['ChallengeResponses'] & { NEW_PASSWORD?: string };
}
interface TokensResult {
  AuthenticationResult?: { AccessToken?: string; IdToken?: string; RefreshToken?: string };
}

export function sessionRoutes(deps: RouteDeps): Record<string, Route> {
  const { services, cognitoLocal } = deps;
  const call = (target: string, ctx: Context, req: unknown): Promise<TokensResult> => cognitoLocal(target)(ctx, req);
  const srp = createSrpSignIn(deps);

  /** Fresh access and id tokens for a refresh token; no rotation, so no new refresh token (as Cognito by default). */
  async function refresh(ctx: Context, clientId: string | undefined, refreshToken: string | undefined) {
    if (!refreshToken) throw cognitoErrors.invalidParameter('Missing required parameter REFRESH_TOKEN');
    try {
      deps.verifyJwt(refreshToken); // signature and expiry; cognito-local checks neither
    } catch (error) {
      throw error instanceof JwtRejected ? cognitoErrors.invalidRefreshToken() : error;
    }
    const result = await call('InitiateAuth', ctx, {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: clientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }).catch((error: unknown) => {
      // Unknown or revoked (signed out) refresh token.
      throw isCognitoError(error, 'NotAuthorizedException') ? cognitoErrors.invalidRefreshToken() : error;
    });
    const { AccessToken, IdToken } = result.AuthenticationResult ?? {};
    return withTokenMetadata({ AuthenticationResult: { AccessToken, IdToken } });
  }

  return {
    async InitiateAuth(ctx: Context, req: InitiateAuthRequest) {
      await poolForClient(deps, ctx, req.ClientId);
      switch (req.AuthFlow) {
        case 'USER_SRP_AUTH':
          return srp.initiate(ctx, req);
        case 'USER_PASSWORD_AUTH':
          try {
            return withTokenMetadata(await call('InitiateAuth', ctx, req));
          } catch (error) {
            // cognito-local tells "no such user" and "wrong password" apart; Cognito does not.
            const credentialError =
              isCognitoError(error, 'NotAuthorizedException') || isCognitoError(error, 'InvalidPasswordException');
            throw credentialError ? cognitoErrors.incorrectCredentials() : error;
          }
        case 'REFRESH_TOKEN_AUTH':
        case 'REFRESH_TOKEN':
          return refresh(ctx, req.ClientId, req.AuthParameters?.REFRESH_TOKEN);
        default:
          return call('InitiateAuth', ctx, req); // cognito-local answers "unsupported"
      }
    },

    async RespondToAuthChallenge(ctx: Context, req: RespondToAuthChallengeRequest) {
      if (req.ChallengeName === 'PASSWORD_VERIFIER') return withTokenMetadata(await srp.respondToPasswordVerifier(ctx, req));
      const userPool = await poolForClient(deps, ctx, req.ClientId);
      if (req.ChallengeName === 'NEW_PASSWORD_REQUIRED') enforcePasswordPolicy(req.ChallengeResponses?.NEW_PASSWORD, userPool);
      const result = await call('RespondToAuthChallenge', ctx, req);
      // cognito-local forgets the refresh token on this path, so it could never be used.
      const refreshToken = result.AuthenticationResult?.RefreshToken;
      const user = refreshToken ? await userPool.getUserByUsername(ctx, req.ChallengeResponses?.USERNAME ?? '') : null;
      if (refreshToken && user) await userPool.storeRefreshToken(ctx, refreshToken, user);
      return withTokenMetadata(result);
    },

    /** Amplify v6's token refresh (missing from cognito-local). */
    async GetTokensFromRefreshToken(ctx: Context, req: { ClientId?: string; RefreshToken?: string }) {
      await poolForClient(deps, ctx, req.ClientId);
      return refresh(ctx, req.ClientId, req.RefreshToken);
    },

    /** signOut({ global: true }); missing from cognito-local. Revokes every refresh token of the user. */
    async GlobalSignOut(ctx: Context, req: { AccessToken?: string }) {
      const claims = verifyAccessToken(deps, req.AccessToken);
      const userPool = await services.cognito.getUserPoolForClientId(ctx, claims.client_id);
      const user = await userPool.getUserByUsername(ctx, claims.sub);
      if (user) await userPool.saveUser(ctx, { ...user, RefreshTokens: [] });
      return {};
    },
  };
}
