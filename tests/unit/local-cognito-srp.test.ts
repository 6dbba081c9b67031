import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  SRP_G,
  SRP_K,
  SRP_N,
  createServerEphemeral,
  hexToBigInt,
  isPasswordClaimValid,
  modPow,
  paddedHex,
  passwordClaimSignature,
  passwordVerifier,
  randomSalt,
  serverSessionKey,
  SrpError,
} from '../../local/cognito/srp.js';

/**
 * The client side comes from Amplify v6 itself (the helpers signIn() uses), loaded by file path
 * because the package's `exports` hides them. If Amplify changes its SRP, these tests notice.
 */
interface AmplifyBigInteger {
  toString(radix: number): string;
}
interface AmplifyAuthenticationHelper {
  A: AmplifyBigInteger;
  k: AmplifyBigInteger;
  getPasswordAuthenticationKey(input: {
    username: string;
    password: string;
    serverBValue: AmplifyBigInteger;
    salt: AmplifyBigInteger;
  }): Promise<Uint8Array>;
}
interface AmplifySrp {
  getAuthenticationHelper(poolName: string): Promise<AmplifyAuthenticationHelper>;
  getNowString(): string;
  getSignatureString(input: {
    userPoolName: string;
    username: string;
    challengeParameters: Record<string, string>;
    dateNow: string;
    hkdf: Uint8Array;
  }): string;
  BigInteger: new (value: string, radix: number) => AmplifyBigInteger;
}

let amplify: AmplifySrp;

beforeAll(async () => {
  const authDir = dirname(createRequire(import.meta.url).resolve('@aws-amplify/auth/package.json'));
  const srpDir = join(authDir, 'dist/esm/providers/cognito/utils/srp');
  const srp = await import(pathToFileURL(join(srpDir, 'index.mjs')).href);
  const bigInteger = await import(pathToFileURL(join(srpDir, 'BigInteger/index.mjs')).href);
  amplify = { ...srp, BigInteger: bigInteger.BigInteger } as AmplifySrp;
});

const poolName = 'AbCdEf12';
const userIdForSrp = '0b7c3e52-1a4f-4f63-9a53-5f0d0c7e1d11';
const password = 'Corr3ct-Horse!';

/** One full PASSWORD_VERIFIER exchange: Amplify signs, our server checks. */
async function exchange(clientPassword: string, serverPassword = password) {
  const client = await amplify.getAuthenticationHelper(poolName);
  const A = hexToBigInt(client.A.toString(16));
  const salt = randomSalt();
  const verifier = passwordVerifier({ poolName, userIdForSrp, password: serverPassword, salt });
  const { b, B } = createServerEphemeral(verifier);
  const secretBlock = Buffer.from('opaque secret block from the server').toString('base64');

  const hkdf = await client.getPasswordAuthenticationKey({
    username: userIdForSrp,
    password: clientPassword,
    serverBValue: new amplify.BigInteger(B.toString(16), 16),
    salt: new amplify.BigInteger(salt.toString(16), 16),
  });
  const timestamp = amplify.getNowString();
  const signature = amplify.getSignatureString({
    userPoolName: poolName,
    username: userIdForSrp,
    challengeParameters: { SECRET_BLOCK: secretBlock },
    dateNow: timestamp,
    hkdf,
  });

  const key = serverSessionKey({ A, B, b, verifier });
  const claim = { key, poolName, userIdForSrp, secretBlock, timestamp };
  return { claim, signature, clientKey: Buffer.from(hkdf), serverKey: key };
}

describe('SRP-6a server math against Amplify v6 client helpers', () => {
  it('derives the same key as Amplify and accepts its signature for the right password', async () => {
    for (let i = 0; i < 3; i += 1) {
      const { claim, signature, clientKey, serverKey } = await exchange(password);
      expect(serverKey.equals(clientKey)).toBe(true);
      expect(isPasswordClaimValid(claim, signature)).toBe(true);
    }
  });

  it('rejects the signature for a wrong password', async () => {
    const { claim, signature, clientKey, serverKey } = await exchange('Wrong-Horse1!');
    expect(serverKey.equals(clientKey)).toBe(false);
    expect(isPasswordClaimValid(claim, signature)).toBe(false);
  });

  it('rejects a signature over another timestamp or user', async () => {
    const { claim, signature } = await exchange(password);
    expect(isPasswordClaimValid({ ...claim, timestamp: 'Thu Jan 1 00:00:00 UTC 1970' }, signature)).toBe(false);
    expect(isPasswordClaimValid({ ...claim, userIdForSrp: 'someone-else' }, signature)).toBe(false);
    expect(isPasswordClaimValid(claim, 'not-base64-at-all')).toBe(false);
  });

  it('uses a verifier derived from the stored password, so a changed password fails', async () => {
    const { claim, signature } = await exchange(password, 'Changed-Pass1!');
    expect(isPasswordClaimValid(claim, signature)).toBe(false);
  });

  it('refuses A = 0 mod N (the classic SRP bypass)', () => {
    const verifier = passwordVerifier({ poolName, userIdForSrp, password, salt: 1n });
    const { b, B } = createServerEphemeral(verifier);
    expect(() => serverSessionKey({ A: 0n, B, b, verifier })).toThrow(SrpError);
    expect(() => serverSessionKey({ A: SRP_N * 2n, B, b, verifier })).toThrow(SrpError);
  });
});

describe('SRP building blocks', () => {
  it('pads hex like Java BigInteger.toByteArray (what Cognito hashes)', () => {
    expect(paddedHex(0x14n)).toBe('14');
    expect(paddedHex(0xecn)).toBe('00ec');
    expect(paddedHex(0x1ecn)).toBe('01ec');
    expect(paddedHex(SRP_N).startsWith('00ffffffff')).toBe(true);
    expect(() => paddedHex(-1n)).toThrow(RangeError);
  });

  it('computes k = H(pad(N) | pad(g)) as Amplify does', async () => {
    const client = await amplify.getAuthenticationHelper(poolName);
    expect(SRP_K.toString(16)).toBe(client.k.toString(16));
    expect(SRP_G).toBe(2n);
  });

  it('modPow agrees with small known values', () => {
    expect(modPow(4n, 13n, 497n)).toBe(445n);
    expect(modPow(2n, 0n, 7n)).toBe(1n);
    expect(modPow(-3n, 3n, 7n)).toBe(1n); // (-27) mod 7 = 1
  });

  it('signature is deterministic for the same inputs', () => {
    const claim = { key: Buffer.alloc(16, 1), poolName, userIdForSrp, secretBlock: 'AAAA', timestamp: 'x' };
    expect(passwordClaimSignature(claim)).toBe(passwordClaimSignature({ ...claim }));
  });
});
