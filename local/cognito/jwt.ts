import { createPublicKey, verify } from 'node:crypto';

/**
 * Minimal RS256 check of tokens cognito-local issued. cognito-local itself only *decodes* access
 * tokens (GetUser, ChangePassword), so a forged or expired token would pass; Cognito rejects both.
 */
export type JwtPayload = Record<string, unknown> & { exp?: number; iat?: number };

export class JwtRejected extends Error {
  constructor(readonly reason: 'malformed' | 'bad signature' | 'expired') {
    super(`Token rejected: ${reason}`);
  }
}

export type JwtVerifier = (token: unknown) => JwtPayload;

export function createJwtVerifier(publicKeyPem: string, nowMs: () => number = Date.now): JwtVerifier {
  const key = createPublicKey(publicKeyPem);
  return (token) => {
    const parts = typeof token === 'string' ? token.split('.') : [];
    const [header, payload, signature] = parts;
    if (parts.length !== 3 || !header || !payload || !signature) throw new JwtRejected('malformed');
    const alg = (parseJson(header) as { alg?: unknown } | undefined)?.alg;
    if (alg !== 'RS256') throw new JwtRejected('malformed');
    const signed = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
    if (!signed) throw new JwtRejected('bad signature');
    const claims = decodeJwtPayload(token as string);
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs()) throw new JwtRejected('expired');
    return claims;
  };
}

/** Payload without any checks – only for tokens we just issued ourselves. */
export function decodeJwtPayload(token: string): JwtPayload {
  const claims = parseJson(token.split('.')[1] ?? '');
  if (typeof claims !== 'object' || claims === null) throw new JwtRejected('malformed');
  return claims as JwtPayload;
}

function parseJson(base64url: string): unknown {
  try {
    return JSON.parse(Buffer.from(base64url, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
