import { defineAuth } from '@aws-amplify/backend';

/**
 * Cognito user pool: email sign-in, email verified by a code, TOTP as the second factor.
 *
 * MFA is OPTIONAL by default, so developers and sandboxes can sign in without an
 * authenticator app. Production requires it by synthesizing with
 *
 *   STREAMCANVAS_REQUIRE_MFA=true   (Amplify Hosting: app settings > environment variables,
 *                                    scoped to the production branch; `ampx pipeline-deploy` reads it)
 *
 * Set it before the branch is first deployed: CloudFormation may refuse to move an existing
 * pool from OPTIONAL to REQUIRED (aws-cloudformation/cloudformation-coverage-roadmap#1176),
 * in which case switch it once with `aws cognito-idp set-user-pool-mfa-config`.
 *
 * E-mail (verification codes, password resets) goes out through Cognito's default sender, which
 * allows about 50 messages a day: enough for a sandbox, not for production. Production sends
 * through SES by synthesizing with
 *
 *   STREAMCANVAS_SES_FROM=no-reply@streamcanvas.example.com   (an SES-verified identity in the
 *                                                              backend's region; see DEPLOYMENT.md)
 *   STREAMCANVAS_SES_FROM_NAME=StreamCanvas                    (optional)
 *   STREAMCANVAS_SES_REPLY_TO=support@streamcanvas.example.com (optional)
 *
 * The password policy (min 8, upper, lower, digits, symbols) is not a defineAuth option; it is
 * pinned on the CfnUserPool in backend.ts (`passwordPolicy` below), and user-existence errors
 * are hidden by Amplify's app client default, which the synth tests assert.
 */
/** A plain address: no display name, no list (parseSesSender). Before the parse below, which uses it. */
const EMAIL_ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

export const requireMfa = parseRequireMfa(process.env.STREAMCANVAS_REQUIRE_MFA);
export const sesSender = parseSesSender(process.env);

export const passwordPolicy = {
  minimumLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireNumbers: true,
  requireSymbols: true,
} as const;

export const auth = defineAuth({
  loginWith: {
    email: {
      verificationEmailStyle: 'CODE',
      verificationEmailSubject: 'Your StreamCanvas verification code',
      verificationEmailBody: (createCode) => `Your StreamCanvas verification code is ${createCode()}.`,
    },
  },
  multifactor: { mode: requireMfa ? 'REQUIRED' : 'OPTIONAL', totp: true },
  accountRecovery: 'EMAIL_ONLY',
  ...(sesSender ? { senders: { email: sesSender } } : {}),
});

/** Reads STREAMCANVAS_REQUIRE_MFA strictly, so a typo cannot silently leave MFA optional. */
export function parseRequireMfa(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new Error(
    `STREAMCANVAS_REQUIRE_MFA is '${value}', which is neither 'true' nor 'false'. ` +
      "Resolution: set it to 'true' to require TOTP MFA, or unset it to keep MFA optional.",
  );
}

export interface SesSender {
  fromEmail: string;
  fromName?: string;
  replyTo?: string;
}

/** Reads STREAMCANVAS_SES_FROM (and _FROM_NAME, _REPLY_TO); undefined keeps Cognito's default sender. */
export function parseSesSender(env: Readonly<Record<string, string | undefined>>): SesSender | undefined {
  const fromEmail = env.STREAMCANVAS_SES_FROM?.trim();
  const fromName = env.STREAMCANVAS_SES_FROM_NAME?.trim();
  const replyTo = env.STREAMCANVAS_SES_REPLY_TO?.trim();
  if (!fromEmail) {
    if (fromName || replyTo) {
      throw new Error(
        'STREAMCANVAS_SES_FROM_NAME or STREAMCANVAS_SES_REPLY_TO is set without STREAMCANVAS_SES_FROM. ' +
          'Resolution: set STREAMCANVAS_SES_FROM to the SES-verified sender address, or unset both to keep Cognito\'s default sender.',
      );
    }
    return undefined;
  }
  for (const [name, value] of [['STREAMCANVAS_SES_FROM', fromEmail], ['STREAMCANVAS_SES_REPLY_TO', replyTo]] as const) {
    if (value && !EMAIL_ADDRESS.test(value)) {
      throw new Error(
        `${name} is '${value}', which is not an e-mail address. ` +
          'Resolution: set a plain address such as no-reply@streamcanvas.example.com (the display name goes in STREAMCANVAS_SES_FROM_NAME).',
      );
    }
  }
  return { fromEmail, ...(fromName ? { fromName } : {}), ...(replyTo ? { replyTo } : {}) };
}
