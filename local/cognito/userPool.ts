import type { CognitoRouter, Context, Services } from './cognitoLocal.js';
import { PRODUCTION_PASSWORD_POLICY } from './passwordPolicy.js';

/**
 * The local user pool and app client, set up like production's (Amplify Gen 2 `defineAuth`
 * with email login). Created once per data folder; found again by name after a restart, and
 * its settings brought up to date so a changed policy here reaches existing folders.
 */
export const LOCAL_POOL_NAME = 'streamcanvas-local';
export const LOCAL_CLIENT_NAME = 'streamcanvas-web';

const poolSettings = {
  UsernameAttributes: ['email'],
  AutoVerifiedAttributes: ['email'],
  Policies: { PasswordPolicy: { ...PRODUCTION_PASSWORD_POLICY, TemporaryPasswordValidityDays: 7 } },
  VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
  AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
  MfaConfiguration: 'OFF',
};

const clientSettings = {
  ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
  PreventUserExistenceErrors: 'ENABLED',
  EnableTokenRevocation: true,
  AccessTokenValidity: 60,
  IdTokenValidity: 60,
  RefreshTokenValidity: 30,
  TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
};

export interface LocalPoolIds {
  userPoolId: string;
  userPoolClientId: string;
}

export async function ensureUserPool(ctx: Context, services: Services, cognitoLocal: CognitoRouter): Promise<LocalPoolIds> {
  const { cognito } = services;
  const existingPool = (await cognito.listUserPools(ctx)).find((pool) => pool.Name === LOCAL_POOL_NAME);
  let userPoolId: string;
  if (existingPool) {
    userPoolId = existingPool.Id;
    const userPool = await cognito.getUserPool(ctx, userPoolId);
    await userPool.updateOptions(ctx, { ...userPool.options, ...poolSettings });
  } else {
    const created = await cognitoLocal('CreateUserPool')(ctx, { PoolName: LOCAL_POOL_NAME, ...poolSettings });
    userPoolId = created.UserPool.Id;
  }

  const existingClient = (await cognito.listAppClients(ctx, userPoolId)).find((c) => c.ClientName === LOCAL_CLIENT_NAME);
  if (existingClient) {
    const userPool = await cognito.getUserPool(ctx, userPoolId);
    await userPool.saveAppClient(ctx, { ...existingClient, ...clientSettings });
    return { userPoolId, userPoolClientId: existingClient.ClientId };
  }
  const created = await cognitoLocal('CreateUserPoolClient')(ctx, {
    UserPoolId: userPoolId,
    ClientName: LOCAL_CLIENT_NAME,
    GenerateSecret: false,
    ...clientSettings,
  });
  return { userPoolId, userPoolClientId: created.UserPoolClient.ClientId };
}
