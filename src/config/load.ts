import { ConfigError, parseAppConfig, type AppConfig } from './schema';

export const CONFIG_PATH = '/amplify_outputs.json';

export interface LoadConfigOptions {
  fetch?: typeof fetch;
  url?: string;
}

/**
 * Fetches and validates the runtime config. The app is built once and configured at
 * start-up: the local stack serves this file, Amplify Hosting copies it into the site.
 */
export async function loadAppConfig({ fetch: fetchImpl, url = CONFIG_PATH }: LoadConfigOptions = {}): Promise<AppConfig> {
  let response: Response;
  try {
    // The inline start-up script (src/boot/early-start.js) asked for it before the app loaded.
    const early = !fetchImpl && url === CONFIG_PATH ? takeEarlyConfig() : undefined;
    response = await (early ?? (fetchImpl ?? globalThis.fetch.bind(globalThis))(url, { cache: 'no-store', headers: { accept: 'application/json' } }));
  } catch (error) {
    throw new ConfigError(`${url} could not be fetched (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!response.ok) {
    throw new ConfigError(`${url} answered HTTP ${response.status}${response.status === 404 ? ' (the file does not exist)' : ''}.`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'unknown type';
    // A dev server or CDN falling back to index.html for a missing file is the usual cause.
    const hint = /html/i.test(type) || /^\s*</.test(text) ? ' (got an HTML page: the file is probably missing)' : '';
    throw new ConfigError(`${url} is not JSON${hint}.`);
  }
  return parseAppConfig(json);
}

function takeEarlyConfig(): Promise<Response> | undefined {
  const boot = typeof window === 'undefined' ? undefined : (window as { __streamcanvasBoot?: { config?: Promise<Response> } }).__streamcanvasBoot;
  const early = boot?.config;
  if (boot) boot.config = undefined; // once: a retry fetches anew
  return early?.then((response) => response.clone());
}
