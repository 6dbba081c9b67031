import { attribute, attributeValue, attributesAppend, type Context, type Route } from './cognitoLocal.js';
import { cognitoErrors, isCognitoError } from './errors.js';
import { emailDelivery, enforcePasswordPolicy, maskedEmail, poolForClient, verifyAccessToken, type RouteDeps } from './routeSupport.js';

/**
 * Sign-up, confirmation and password routes, wrapped around cognito-local's to add what Cognito
 * does and it does not: the password policy, email_verified on confirmation, ResendConfirmationCode,
 * and PreventUserExistenceErrors (unknown users get the same answers as known ones).
 */
interface ClientRequest {
  ClientId?: string;
  Username?: string;
  ClientMetadata?: Record<string, string>;
}
interface SignUpRequest extends ClientRequest {
  Password?: string;
}
interface ConfirmRequest extends ClientRequest {
  ConfirmationCode?: string;
}
interface ConfirmForgotPasswordRequest extends ConfirmRequest {
  Password?: string;
}
interface ChangePasswordRequest {
  AccessToken?: string;
  PreviousPassword?: string;
  ProposedPassword?: string;
}
interface DeliveryResult {
  CodeDeliveryDetails?: { Destination?: string };
}

export function accountRoutes(deps: RouteDeps): Record<string, Route> {
  const { services, cognitoLocal } = deps;
  const call = (target: string, ctx: Context, req: unknown) => cognitoLocal(target)(ctx, req);

  return {
    async SignUp(ctx: Context, req: SignUpRequest) {
      const userPool = await poolForClient(deps, ctx, req.ClientId);
      enforcePasswordPolicy(req.Password, userPool);
      try {
        return masked(await call('SignUp', ctx, req));
      } catch (error) {
        throw isCognitoError(error, 'UsernameExistsException') ? cognitoErrors.usernameExists() : error;
      }
    },

    async ConfirmSignUp(ctx: Context, req: ConfirmRequest) {
      const userPool = await poolForClient(deps, ctx, req.ClientId);
      const user = await userPool.getUserByUsername(ctx, req.Username ?? '');
      if (!user) throw cognitoErrors.codeMismatch();
      if (user.UserStatus === 'CONFIRMED') throw cognitoErrors.alreadyConfirmed();
      const result = await call('ConfirmSignUp', ctx, req).catch(codeErrorsAsCognito);
      // The code went to the email, so the email is now verified (cognito-local leaves it unset).
      const confirmed = await userPool.getUserByUsername(ctx, user.Username);
      if (confirmed && attributeValue('email', confirmed.Attributes)) {
        await userPool.saveUser(ctx, {
          ...confirmed,
          Attributes: attributesAppend(confirmed.Attributes, attribute('email_verified', 'true')),
        });
      }
      return result;
    },

    /** Missing from cognito-local; Amplify's resendSignUpCode calls it. */
    async ResendConfirmationCode(ctx: Context, req: ClientRequest) {
      const userPool = await poolForClient(deps, ctx, req.ClientId);
      const user = await userPool.getUserByUsername(ctx, req.Username ?? '');
      if (!user) return { CodeDeliveryDetails: emailDelivery(maskedEmail(req.Username ?? '')) };
      if (user.UserStatus === 'CONFIRMED') throw cognitoErrors.invalidParameter('User is already confirmed.');
      const email = attributeValue('email', user.Attributes);
      if (!email) throw cognitoErrors.invalidParameter('User has no email address to send a code to.');
      const code = services.otp();
      const delivery = emailDelivery(email);
      await services.messages.deliver(ctx, 'ResendCode', req.ClientId ?? null, userPool.options.Id, user, code, req.ClientMetadata, delivery);
      await userPool.saveUser(ctx, { ...user, ConfirmationCode: code, UserLastModifiedDate: services.clock.get() });
      return { CodeDeliveryDetails: emailDelivery(maskedEmail(email)) };
    },

    async ForgotPassword(ctx: Context, req: ClientRequest) {
      const userPool = await poolForClient(deps, ctx, req.ClientId);
      const user = await userPool.getUserByUsername(ctx, req.Username ?? '');
      if (!user) return { CodeDeliveryDetails: emailDelivery(maskedEmail(req.Username ?? '')) };
      // Also keeps cognito-local from overwriting an unconfirmed user's sign-up code.
      if (attributeValue('email_verified', user.Attributes) !== 'true') throw cognitoErrors.noVerifiedEmail();
      return masked(await call('ForgotPassword', ctx, req));
    },

    async ConfirmForgotPassword(ctx: Context, req: ConfirmForgotPasswordRequest) {
      const userPool = await poolForClient(deps, ctx, req.ClientId);
      enforcePasswordPolicy(req.Password, userPool);
      const user = await userPool.getUserByUsername(ctx, req.Username ?? '');
      if (!user?.ConfirmationCode || !req.ConfirmationCode) throw cognitoErrors.codeMismatch();
      return call('ConfirmForgotPassword', ctx, req).catch(codeErrorsAsCognito);
    },

    async ChangePassword(ctx: Context, req: ChangePasswordRequest) {
      const claims = verifyAccessToken(deps, req.AccessToken);
      enforcePasswordPolicy(req.ProposedPassword, await poolForClient(deps, ctx, claims.client_id));
      try {
        return await call('ChangePassword', ctx, req);
      } catch (error) {
        // cognito-local says InvalidPasswordException for a wrong previous password; Cognito does not.
        throw isCognitoError(error, 'InvalidPasswordException') ? cognitoErrors.incorrectCredentials() : error;
      }
    },

    async GetUser(ctx: Context, req: { AccessToken?: string }) {
      verifyAccessToken(deps, req.AccessToken);
      return call('GetUser', ctx, req);
    },
  };
}

/** Real responses are masked too, or they would tell existing users apart from the decoys. */
function masked<T extends DeliveryResult>(result: T): T {
  const destination = result.CodeDeliveryDetails?.Destination;
  if (!destination) return result;
  return { ...result, CodeDeliveryDetails: { ...result.CodeDeliveryDetails, Destination: maskedEmail(destination) } };
}

function codeErrorsAsCognito(error: unknown): never {
  throw isCognitoError(error, 'CodeMismatchException') ? cognitoErrors.codeMismatch() : error;
}
