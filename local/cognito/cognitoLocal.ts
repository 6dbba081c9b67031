/**
 * The one place that reaches into cognito-local's internals (it has no documented in-process API).
 * It mirrors lib/server/defaults.js – createDefaultServer – but with our data folder, our issuer,
 * a code-delivery callback instead of console boxes, no Lambda triggers and a silent logger.
 * If a cognito-local upgrade moves these modules, this file is what to fix.
 */
import { createRequire } from 'node:module';
import type { Config } from 'cognito-local/lib/server/config.js';
import { Router } from 'cognito-local/lib/server/Router.js';
import { createServer } from 'cognito-local/lib/server/server.js';
import type { Services } from 'cognito-local/lib/services/index.js';
import { DateClock } from 'cognito-local/lib/services/clock.js';
import { CognitoServiceFactoryImpl } from 'cognito-local/lib/services/cognitoService.js';
import { StormDBDataStoreFactory } from 'cognito-local/lib/services/dataStore/stormDb.js';
import type { Messages } from 'cognito-local/lib/services/messages.js';
import { otp } from 'cognito-local/lib/services/otp.js';
import { JwtTokenGenerator, type TokenGenerator } from 'cognito-local/lib/services/tokenGenerator.js';
import type { Triggers } from 'cognito-local/lib/services/triggers/index.js';
import { resign, type SigningKey } from './signingKey.js';
import { UserPoolServiceFactoryImpl, attributeValue, type User } from 'cognito-local/lib/services/userPoolService.js';

export { Router, createServer };
export type { Services, User };
export type { Context } from 'cognito-local/lib/services/context.js';
export type { Route, Router as CognitoRouter } from 'cognito-local/lib/server/Router.js';
export type { UserPoolService } from 'cognito-local/lib/services/userPoolService.js';
export type { AppClient } from 'cognito-local/lib/services/appClient.js';
export { CognitoError } from 'cognito-local/lib/errors.js';
export { attribute, attributeValue, attributesAppend } from 'cognito-local/lib/services/userPoolService.js';

export type CodeKind = 'signUp' | 'forgotPassword' | 'other';
export type CodeListener = (event: { kind: CodeKind; username: string; code: string }) => void;

export type CognitoLogger = Parameters<typeof createServer>[1];

/** cognito-local's own dependencies, resolved from its install location (they are not ours). */
const requireFromCognitoLocal = createRequire(createRequire(import.meta.url).resolve('cognito-local/package.json'));

/** A pino logger that writes nothing: cognito-local and pino-http insist on a real pino instance. */
export function createSilentLogger(): CognitoLogger {
  const pino = requireFromCognitoLocal('pino') as (options: { level: string }) => CognitoLogger;
  return pino({ level: 'silent' });
}

export interface CognitoLocalServicesOptions {
  dataDir: string;
  /** http://host:port – tokens get `iss` = `${issuerDomain}/${userPoolId}`. */
  issuerDomain: string;
  onCode?: CodeListener;
  logger: CognitoLogger;
  /** Signs every token instead of the key published inside the cognito-local package. */
  signingKey: SigningKey;
}

export async function createCognitoLocalServices(options: CognitoLocalServicesOptions): Promise<Services> {
  const ctx = { logger: options.logger };
  const clock = new DateClock();
  const config: Config = {
    LambdaClient: {},
    TriggerFunctions: {},
    UserPoolDefaults: { UsernameAttributes: ['email'] },
    TokenConfig: { IssuerDomain: options.issuerDomain },
    ServerConfig: { development: false, https: false },
  };
  const dataStoreFactory = new StormDBDataStoreFactory(options.dataDir);
  const cognito = await new CognitoServiceFactoryImpl(
    options.dataDir,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);
  const triggers = noTriggers();
  return {
    clock,
    cognito,
    config,
    messages: codeDelivery(options.onCode),
    otp,
    tokenGenerator: signedWith(options.signingKey, withStrictEmailVerified(new JwtTokenGenerator(clock, triggers, config.TokenConfig))),
    triggers,
  };
}

/** Hands confirmation codes to the caller instead of printing boxes; the username is the email people sign in with. */
function codeDelivery(onCode: CodeListener | undefined): Messages {
  const kinds: Record<string, CodeKind> = { SignUp: 'signUp', ResendCode: 'signUp', ForgotPassword: 'forgotPassword' };
  return {
    async deliver(_ctx, source, _clientId, _userPoolId, user, code) {
      onCode?.({ kind: kinds[source] ?? 'other', username: attributeValue('email', user.Attributes) ?? user.Username, code });
    },
  };
}

/** Our backend has no Cognito Lambda triggers; this also keeps aws-sdk v2 (and its warnings) from loading. */
function noTriggers(): Triggers {
  const notConfigured = () => Promise.reject(new Error('Cognito Lambda triggers are not configured in the local stand-in'));
  return {
    enabled: () => false,
    customMessage: notConfigured,
    customEmailSender: notConfigured,
    postAuthentication: notConfigured,
    postConfirmation: notConfigured,
    preSignUp: notConfigured,
    preTokenGeneration: notConfigured,
    userMigration: notConfigured,
  };
}

/**
 * cognito-local signs with a private key anyone can read in its npm package. Its generator
 * still builds the claims; this re-signs all three tokens with the data folder's own key, so
 * the refresh token it stores is the one issued.
 */
function signedWith(key: SigningKey, inner: TokenGenerator): TokenGenerator {
  return {
    async generate(...args) {
      const tokens = await inner.generate(...args);
      return {
        AccessToken: resign(tokens.AccessToken, key),
        IdToken: resign(tokens.IdToken, key),
        RefreshToken: resign(tokens.RefreshToken, key),
      };
    },
  };
}

/**
 * cognito-local writes `email_verified: Boolean("false")`, i.e. true. Hiding a "false" attribute
 * from the generator makes the id token claim false, as Cognito's is.
 */
function withStrictEmailVerified(inner: TokenGenerator): TokenGenerator {
  return {
    generate: (ctx, user: User, ...rest) =>
      inner.generate(
        ctx,
        { ...user, Attributes: user.Attributes.filter((a) => !(a.Name === 'email_verified' && a.Value !== 'true')) },
        ...rest,
      ),
  };
}
