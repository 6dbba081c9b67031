import { CognitoError } from './cognitoLocal.js';

/**
 * Errors with the codes and messages real Cognito answers. Thrown as cognito-local's CognitoError,
 * its server turns them into `400 {"__type": code, "message": ...}` – what the SDK and Amplify parse.
 */
export const cognitoErrors = {
  incorrectCredentials: () => new CognitoError('NotAuthorizedException', 'Incorrect username or password.'),
  expiredSrpSession: () => new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.'),
  invalidRefreshToken: () => new CognitoError('NotAuthorizedException', 'Invalid Refresh Token'),
  invalidAccessToken: (detail: string) => new CognitoError('NotAuthorizedException', `Invalid Access Token (${detail})`),
  accessTokenExpired: () => new CognitoError('NotAuthorizedException', 'Access Token has expired'),
  alreadyConfirmed: () => new CognitoError('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED'),
  codeMismatch: () => new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.'),
  usernameExists: () => new CognitoError('UsernameExistsException', 'An account with the given email already exists.'),
  invalidPassword: (reason: string) => new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${reason}`),
  invalidParameter: (message: string) => new CognitoError('InvalidParameterException', message),
  noVerifiedEmail: () =>
    new CognitoError(
      'InvalidParameterException',
      'Cannot reset password for the user as there is no registered/verified email or phone_number',
    ),
};

export function isCognitoError(error: unknown, code?: string): error is CognitoError {
  return error instanceof CognitoError && (code === undefined || error.code === code);
}
