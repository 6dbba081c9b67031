import { createPrivateKey, createPublicKey, createSign, generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwtPayload } from './jwt.js';

/**
 * The RSA key the local Cognito signs tokens with: made on first start, one per data folder,
 * and kept there (owner-only). cognito-local's own key pair is published inside its npm
 * package, so tokens signed with it could be forged by anyone who can reach the stack.
 */
export interface SigningKey {
  kid: string;
  publicKeyPem: string;
  /** The public key as a JWKS entry, served at `/<pool>/.well-known/jwks.json`. */
  jwk: JsonWebKey & { kid: string; alg: 'RS256'; use: 'sig' };
  /** Signs JWT claims with this key (RS256, `kid` in the header). */
  sign(claims: Record<string, unknown>): string;
}

export const SIGNING_KEY_FILE = 'token-signing-key.json';

export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const path = join(dataDir, SIGNING_KEY_FILE);
  let stored: { kid: string; privateKeyPem: string };
  try {
    stored = JSON.parse(await readFile(path, 'utf8')) as typeof stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Cannot read the token signing key ${path}: ${String(error)}. Resolution: delete the file; a new key is made on the next start (everyone signs in again).`);
    }
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    stored = { kid: randomUUID(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    // 'wx': never overwrite a key another process wrote meanwhile.
    await writeFile(path, JSON.stringify(stored), { mode: 0o600, flag: 'wx' }).catch(async (writeError: NodeJS.ErrnoException) => {
      if (writeError.code !== 'EEXIST') throw writeError;
      stored = JSON.parse(await readFile(path, 'utf8')) as typeof stored;
    });
  }
  return signingKeyFrom(stored.kid, createPrivateKey(stored.privateKeyPem));
}

function signingKeyFrom(kid: string, privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  return {
    kid,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
    sign(claims) {
      const unsigned = `${header}.${base64url(JSON.stringify(claims))}`;
      return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
    },
  };
}

/** The same claims, signed with `key` instead of the key the token came with. */
export function resign(token: string, key: SigningKey): string {
  return key.sign(decodeJwtPayload(token));
}
