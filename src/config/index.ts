/**
 * The app's runtime configuration: load (`/amplify_outputs.json`), validate, expose.
 * Configuring Amplify lives in `./amplify.ts`, imported only by the signed-in routes,
 * so the viewer path never loads the Amplify libraries.
 */
export { CONFIG_PATH, loadAppConfig, type LoadConfigOptions } from './load';
export {
  ConfigError,
  amplifyOutputsSchema,
  describePasswordPolicy,
  parseAppConfig,
  passwordRules,
  type AmplifyOutputsJson,
  type AppConfig,
  type PasswordPolicy,
} from './schema';
export { AppConfigContextProvider, AppConfigProvider, ConfigErrorPage, useAppConfig, useOptionalAppConfig } from './context';
