/**
 * Cognito's password policy check (cognito-local stores the policy but never applies it).
 * Rules and wording follow Cognito: it reports the first rule a password breaks.
 */
export interface PasswordPolicy {
  MinimumLength?: number;
  RequireUppercase?: boolean;
  RequireLowercase?: boolean;
  RequireNumbers?: boolean;
  RequireSymbols?: boolean;
}

/** The policy of our production pool (Amplify Gen 2 defaults). */
export const PRODUCTION_PASSWORD_POLICY: Required<PasswordPolicy> = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
};

/** Cognito's special characters; a space counts too, unless leading or trailing. */
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');

export type PasswordCheck = { ok: true } | { ok: false; kind: 'policy' | 'format'; reason: string };

export function checkPassword(password: string, policy: PasswordPolicy): PasswordCheck {
  // Cognito rejects these before the policy, as a parameter error (its ^[\S]+.*[\S]+$ pattern).
  if (/^\s|\s$/.test(password)) {
    return { ok: false, kind: 'format', reason: 'Password must not start or end with whitespace.' };
  }
  const chars = [...password];
  if (chars.length < (policy.MinimumLength ?? 0)) return fail('Password not long enough');
  if (policy.RequireLowercase && !chars.some((c) => c >= 'a' && c <= 'z')) return fail('Password must have lowercase characters');
  if (policy.RequireUppercase && !chars.some((c) => c >= 'A' && c <= 'Z')) return fail('Password must have uppercase characters');
  if (policy.RequireNumbers && !chars.some((c) => c >= '0' && c <= '9')) return fail('Password must have numeric characters');
  if (policy.RequireSymbols && !chars.some((c) => SYMBOLS.has(c))) return fail('Password must have symbol characters');
  return { ok: true };
}

function fail(reason: string): PasswordCheck {
  return { ok: false, kind: 'policy', reason };
}
