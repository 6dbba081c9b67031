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
 * The password policy (min 8, upper, lower, digits, symbols) is not a defineAuth option; it is
 * pinned on the CfnUserPool in backend.ts (`passwordPolicy` below), and user-existence errors
 * are hidden by Amplify's app client default, which the synth tests assert.
 */
export const requireMfa = parseRequireMfa(process.env.STREAMCANVAS_REQUIRE_MFA);

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
