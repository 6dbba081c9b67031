import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Server side of Cognito's SRP-6a, byte-compatible with Amplify v6's AuthenticationHelper
 * (and amazon-cognito-identity-js). Pure functions on bigint; no I/O.
 */

/** RFC 5054 3072-bit group prime; g = 2. */
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const SRP_N = BigInt(`0x${N_HEX}`);
export const SRP_G = 2n;

/** Label Cognito feeds into HKDF (Amplify appends the 0x01 counter byte itself; node's HKDF does too). */
const HKDF_INFO = 'Caldera Derived Key';

export class SrpError extends Error {}

/**
 * Hex the way Cognito hashes integers: even length, plus a leading "00" when the top bit is set
 * (Java's BigInteger.toByteArray). Every hashed integer goes through this, or the sides disagree.
 */
export function paddedHex(value: bigint): string {
  if (value < 0n) throw new RangeError('paddedHex expects a non-negative integer');
  let hex = value.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

export function hexToBigInt(hex: string): bigint {
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new SrpError('Not a hexadecimal number');
  return BigInt(`0x${hex}`);
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const sha256OfHex = (hex: string): string => sha256Hex(Buffer.from(hex, 'hex'));

/** k = H(N | g), both padded. */
export const SRP_K = hexToBigInt(sha256OfHex(paddedHex(SRP_N) + paddedHex(SRP_G)));

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

export interface PasswordInput {
  /** The part of the user pool id after the underscore ("local_AbC123" -> "AbC123"). */
  poolName: string;
  /** USER_ID_FOR_SRP: the internal username, not the email the person typed. */
  userIdForSrp: string;
  password: string;
  salt: bigint;
}

/** x = H(salt | H(poolName | userId | ":" | password)). */
export function passwordExponent({ poolName, userIdForSrp, password, salt }: PasswordInput): bigint {
  const identityHash = sha256Hex(`${poolName}${userIdForSrp}:${password}`);
  return hexToBigInt(sha256OfHex(paddedHex(salt) + identityHash));
}

/** v = g^x. Cognito stores this; cognito-local stores the password, so we derive it per sign-in. */
export function passwordVerifier(input: PasswordInput): bigint {
  return modPow(SRP_G, passwordExponent(input), SRP_N);
}

export function randomSalt(): bigint {
  return hexToBigInt(randomBytes(16).toString('hex'));
}

export interface ServerEphemeral {
  /** Secret; never leaves the server. */
  b: bigint;
  /** SRP_B, sent to the client. */
  B: bigint;
}

/** B = k*v + g^b (mod N), retried in the astronomically rare case B = 0 mod N. */
export function createServerEphemeral(verifier: bigint, randomSecret: () => bigint = randomSecretExponent): ServerEphemeral {
  for (;;) {
    const b = randomSecret();
    const B = (SRP_K * verifier + modPow(SRP_G, b, SRP_N)) % SRP_N;
    if (B !== 0n) return { b, B };
  }
}

function randomSecretExponent(): bigint {
  return hexToBigInt(randomBytes(128).toString('hex'));
}

export interface SessionKeyInput {
  A: bigint;
  B: bigint;
  b: bigint;
  verifier: bigint;
}

/** The 16-byte key both sides derive: HKDF(S, salt = u). Throws SrpError on a malicious A. */
export function serverSessionKey({ A, B, b, verifier }: SessionKeyInput): Buffer {
  if (A % SRP_N === 0n) throw new SrpError('SRP_A mod N is 0');
  const u = hexToBigInt(sha256OfHex(paddedHex(A) + paddedHex(B)));
  if (u === 0n) throw new SrpError('SRP scrambling parameter u is 0');
  // S = (A * v^u)^b mod N – the client computes the same from (B - k*g^x)^(a + u*x).
  const S = modPow((A * modPow(verifier, u, SRP_N)) % SRP_N, b, SRP_N);
  const key = hkdfSync('sha256', Buffer.from(paddedHex(S), 'hex'), Buffer.from(paddedHex(u), 'hex'), HKDF_INFO, 16);
  return Buffer.from(key);
}

export interface ClaimInput {
  key: Buffer;
  poolName: string;
  userIdForSrp: string;
  /** SECRET_BLOCK as sent to the client (base64). */
  secretBlock: string;
  /** TIMESTAMP exactly as the client sent it ("Tue Mar 4 10:05:03 UTC 2025"). */
  timestamp: string;
}

/** PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(key, poolName | userId | secretBlockBytes | timestamp)). */
export function passwordClaimSignature({ key, poolName, userIdForSrp, secretBlock, timestamp }: ClaimInput): string {
  const message = Buffer.concat([
    Buffer.from(poolName, 'utf8'),
    Buffer.from(userIdForSrp, 'utf8'),
    Buffer.from(secretBlock, 'base64'),
    Buffer.from(timestamp, 'utf8'),
  ]);
  return createHmac('sha256', key).update(message).digest('base64');
}

export function isPasswordClaimValid(input: ClaimInput, signature: string): boolean {
  const expected = Buffer.from(passwordClaimSignature(input), 'base64');
  const actual = Buffer.from(signature, 'base64');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
