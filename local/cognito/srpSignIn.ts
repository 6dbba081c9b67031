import { randomBytes } from 'node:crypto';
import type { CognitoRouter, Context, Services } from './cognitoLocal.js';
import { cognitoErrors } from './errors.js';
import {
  SRP_N,
  SrpError,
  createServerEphemeral,
  hexToBigInt,
  isPasswordClaimValid,
  passwordVerifier,
  randomSalt,
  serverSessionKey,
} from './srp.js';

/**
 * USER_SRP_AUTH for cognito-local, which only knows USER_PASSWORD_AUTH.
 * InitiateAuth answers the PASSWORD_VERIFIER challenge; RespondToAuthChallenge checks the
 * client's claim and then runs cognito-local's USER_PASSWORD_AUTH with the stored password, so
 * the tokens, refresh-token bookkeeping and errors (UserNotConfirmed, …) are exactly its own.
 */
export interface SrpInitiateAuthRequest {
  ClientId: string;
  AuthParameters?: { USERNAME?: string; SRP_A?: string };
}

export interface PasswordVerifierRequest {
  ClientId: string;
  ChallengeResponses?: {
    USERNAME?: string;
    PASSWORD_CLAIM_SECRET_BLOCK?: string;
    PASSWORD_CLAIM_SIGNATURE?: string;
    TIMESTAMP?: string;
  };
  ClientMetadata?: Record<string, string>;
}

export interface SrpSignInDeps {
  services: Services;
  /** cognito-local's own router, for the USER_PASSWORD_AUTH that issues the tokens. */
  cognitoLocal: CognitoRouter;
  nowMs?: () => number;
}

interface PendingChallenge {
  clientId: string;
  poolName: string;
  userIdForSrp: string;
  /** null for an unknown username: a decoy challenge that can never succeed (PreventUserExistenceErrors). */
  username: string | null;
  salt: bigint;
  verifier: bigint;
  A: bigint;
  B: bigint;
  b: bigint;
  expiresAt: number;
}

/** Cognito's sign-in sessions last 3 minutes. */
const CHALLENGE_LIFETIME_MS = 3 * 60_000;

export function createSrpSignIn({ services, cognitoLocal, nowMs = Date.now }: SrpSignInDeps) {
  // Keyed by SECRET_BLOCK, which plays the role of Cognito's opaque encrypted session blob.
  const pending = new Map<string, PendingChallenge>();

  function forgetExpired(): void {
    const now = nowMs();
    for (const [secretBlock, challenge] of pending) if (challenge.expiresAt <= now) pending.delete(secretBlock);
  }

  async function initiate(ctx: Context, req: SrpInitiateAuthRequest) {
    const username = required(req.AuthParameters?.USERNAME, 'USERNAME');
    const A = parseSrpA(required(req.AuthParameters?.SRP_A, 'SRP_A'));
    const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
    const user = await userPool.getUserByUsername(ctx, username);

    const poolName = poolNameOf(userPool.options.Id);
    // Cognito signs with the internal username (a UUID for email sign-in), not what was typed.
    const userIdForSrp = user?.Username ?? username;
    const salt = randomSalt();
    const verifier = user
      ? passwordVerifier({ poolName, userIdForSrp, password: user.Password, salt })
      : hexToBigInt(randomBytes(384).toString('hex')) % SRP_N;
    const { b, B } = createServerEphemeral(verifier);
    const secretBlock = randomBytes(64).toString('base64');

    forgetExpired();
    pending.set(secretBlock, {
      clientId: req.ClientId,
      poolName,
      userIdForSrp,
      username: user?.Username ?? null,
      salt,
      verifier,
      A,
      B,
      b,
      expiresAt: nowMs() + CHALLENGE_LIFETIME_MS,
    });
    return {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: {
        SALT: salt.toString(16),
        SECRET_BLOCK: secretBlock,
        SRP_B: B.toString(16),
        USERNAME: userIdForSrp,
        USER_ID_FOR_SRP: userIdForSrp,
      },
    };
  }

  async function respondToPasswordVerifier(ctx: Context, req: PasswordVerifierRequest) {
    const responses = req.ChallengeResponses ?? {};
    const userIdForSrp = required(responses.USERNAME, 'USERNAME');
    const secretBlock = required(responses.PASSWORD_CLAIM_SECRET_BLOCK, 'PASSWORD_CLAIM_SECRET_BLOCK');
    const signature = required(responses.PASSWORD_CLAIM_SIGNATURE, 'PASSWORD_CLAIM_SIGNATURE');
    const timestamp = required(responses.TIMESTAMP, 'TIMESTAMP');

    forgetExpired();
    const challenge = pending.get(secretBlock);
    pending.delete(secretBlock); // one attempt per challenge, as in Cognito
    if (!challenge || challenge.clientId !== req.ClientId) throw cognitoErrors.expiredSrpSession();
    if (challenge.username === null || challenge.userIdForSrp !== userIdForSrp) throw cognitoErrors.incorrectCredentials();

    let key: Buffer;
    try {
      key = serverSessionKey(challenge);
    } catch (error) {
      if (error instanceof SrpError) throw cognitoErrors.incorrectCredentials();
      throw error;
    }
    const claim = { key, poolName: challenge.poolName, userIdForSrp, secretBlock, timestamp };
    if (!isPasswordClaimValid(claim, signature)) throw cognitoErrors.incorrectCredentials();

    const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
    const user = await userPool.getUserByUsername(ctx, challenge.username);
    // The claim proves the password as it was at InitiateAuth; refuse if it changed since.
    const unchanged =
      user &&
      passwordVerifier({ poolName: challenge.poolName, userIdForSrp, password: user.Password, salt: challenge.salt }) ===
        challenge.verifier;
    if (!user || !unchanged) throw cognitoErrors.incorrectCredentials();

    return cognitoLocal('InitiateAuth')(ctx, {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: req.ClientId,
      AuthParameters: { USERNAME: user.Username, PASSWORD: user.Password },
      ClientMetadata: req.ClientMetadata,
    });
  }

  return { initiate, respondToPasswordVerifier };
}

/** "local_AbC123" -> "AbC123": the pool name that goes into x and the signature. */
export function poolNameOf(userPoolId: string): string {
  return userPoolId.split('_')[1] ?? '';
}

function parseSrpA(hex: string): bigint {
  try {
    const A = hexToBigInt(hex);
    if (A % SRP_N !== 0n) return A;
  } catch (error) {
    if (!(error instanceof SrpError)) throw error;
  }
  throw cognitoErrors.invalidParameter('SRP_A is not a valid SRP public value.');
}

function required(value: string | undefined, name: string): string {
  if (!value) throw cognitoErrors.invalidParameter(`Missing required parameter ${name}`);
  return value;
}
