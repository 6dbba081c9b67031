import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { fetchAuthSession } from 'aws-amplify/auth';
import { parseAmplifyConfig } from 'aws-amplify/utils';
import type { AppConfig } from './schema';

let configuredWith: AppConfig | undefined;

/**
 * Configures Amplify once from the runtime config: the standard outputs, plus the local
 * Cognito endpoint when the local stack provides one (`Auth.Cognito.userPoolEndpoint`,
 * which Amplify v6 uses for every user-pool call instead of cognito-idp.<region>.amazonaws.com).
 * Imported only by the signed-in routes.
 */
export function configureAmplify(config: AppConfig): void {
  if (configuredWith === config) return;
  const resources = parseAmplifyConfig(config.outputs as unknown as Parameters<typeof parseAmplifyConfig>[0]);
  const cognito = resources.Auth?.Cognito;
  if (!cognito) throw new Error('amplify_outputs.json has no auth configuration.');
  if (!cognito.userPoolId || !cognito.userPoolClientId) throw new Error('amplify_outputs.json has no user pool.');
  const auth = {
    ...resources.Auth,
    Cognito: { ...cognito, ...(config.userPoolEndpoint ? { userPoolEndpoint: config.userPoolEndpoint } : {}) },
  } as NonNullable<ResourcesConfig['Auth']>;
  Amplify.configure({ ...resources, Auth: auth });
  configuredWith = config;
}

/** The current access token for the HTTP API, refreshed by Amplify when needed; undefined when signed out. */
export async function getAccessToken(): Promise<string | undefined> {
  const session = await fetchAuthSession();
  return session.tokens?.accessToken?.toString();
}
