import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';

/**
 * Verifies Cognito access tokens: signature against the pool's JWKS, issuer, expiry,
 * `token_use` and `client_id`. Used by the WebSocket authorizer and, locally, by the
 * HTTP gateway standing in for API Gateway's JWT authorizer.
 */
export interface TokenVerifierConfig {
  userPoolId: string;
  userPoolClientId: string;
  region: string;
  /** Cognito's endpoint; the SDK's AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER points it at a local stand-in. */
  cognitoEndpoint?: string;
}

export interface VerifiedUser {
  userId: string;
  username: string;
  /** Every claim as a string, the way API Gateway's JWT authorizer hands them to a function. */
  claims: Record<string, string>;
}

export type TokenVerifier = (token: string) => Promise<VerifiedUser>;

export function issuerOf(config: TokenVerifierConfig): string {
  const base = config.cognitoEndpoint ?? `https://cognito-idp.${config.region}.amazonaws.com`;
  return `${base.replace(/\/+$/, '')}/${config.userPoolId}`;
}

export function createTokenVerifier(config: TokenVerifierConfig): TokenVerifier {
  const issuer = issuerOf(config);
  // CognitoJwtVerifier rejects non-AWS issuers and the default fetcher refuses http:, so use the generic verifier.
  const jwksCache = new SimpleJwksCache({
    fetcher: {
      fetch: async (uri: string) => {
        const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
        if (!response.ok) throw new Error(`JWKS fetch from ${uri} answered ${response.status}`);
        return response.arrayBuffer();
      },
    },
  });
  const verifier = JwtVerifier.create(
    {
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      audience: null,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'access') throw new Error('Not an access token');
        if (payload.client_id !== config.userPoolClientId) throw new Error('Token was issued to another app client');
      },
    },
    { jwksCache },
  );
  return async (token) => {
    const payload = await verifier.verify(token);
    const userId = payload.sub;
    if (!userId) throw new Error('Token has no subject');
    const claims = Object.fromEntries(
      Object.entries(payload).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]),
    );
    return { userId, username: typeof payload.username === 'string' ? payload.username : userId, claims };
  };
}
