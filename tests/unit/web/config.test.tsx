// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AppConfigProvider, ConfigError, describePasswordPolicy, loadAppConfig, parseAppConfig, useAppConfig } from '../../../src/config';
import { validOutputs } from './helpers';

afterEach(cleanup);

function fetchReturning(response: Response | Error) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const fetchImpl = (async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    if (response instanceof Error) throw response;
    return response;
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

describe('config loader', () => {
  it('fetches /amplify_outputs.json without cache and derives the app config', async () => {
    const { fetch, calls } = fetchReturning(new Response(JSON.stringify(validOutputs()), { headers: { 'content-type': 'application/json' } }));
    const config = await loadAppConfig({ fetch });
    expect(calls[0]).toMatchObject({ url: '/amplify_outputs.json', init: { cache: 'no-store' } });
    expect(config).toMatchObject({
      httpApiUrl: 'http://localhost:4010',
      webSocketUrl: 'ws://localhost:4011/prod',
      region: 'eu-west-1',
      userPoolEndpoint: 'http://localhost:9229',
      passwordPolicy: { minLength: 8, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true },
    });
    // Unknown fields pass through untouched for Amplify.configure.
    expect(config.outputs.auth.username_attributes).toEqual(['email']);
  });

  it('leaves userPoolEndpoint out in AWS (it exists only locally)', () => {
    const outputs = validOutputs();
    delete (outputs.custom as Record<string, unknown>).userPoolEndpoint;
    expect(parseAppConfig(outputs).userPoolEndpoint).toBeUndefined();
  });

  it('explains a missing file', async () => {
    const { fetch } = fetchReturning(new Response('Not found', { status: 404 }));
    await expect(loadAppConfig({ fetch })).rejects.toThrow('/amplify_outputs.json answered HTTP 404 (the file does not exist).');
  });

  it('recognises an SPA fallback page served instead of the file', async () => {
    const { fetch } = fetchReturning(new Response('<!doctype html><html></html>', { headers: { 'content-type': 'text/html' } }));
    await expect(loadAppConfig({ fetch })).rejects.toThrow(/is not JSON \(got an HTML page: the file is probably missing\)/);
  });

  it('explains a network failure', async () => {
    const { fetch } = fetchReturning(new TypeError('Failed to fetch'));
    const error = await loadAppConfig({ fetch }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/could not be fetched \(Failed to fetch\)/);
    expect((error as ConfigError).resolution).toBe('Run `npm start` or deploy the backend.');
  });

  it('names every invalid field', () => {
    const outputs = validOutputs({ custom: { httpApiUrl: 'not a url', webSocketUrl: 'http://wrong-scheme' } });
    expect(() => parseAppConfig(outputs)).toThrow(ConfigError);
    expect(() => parseAppConfig(outputs)).toThrow(/custom\.httpApiUrl must be an http\(s\) URL; custom\.webSocketUrl must be a ws\(s\) URL/);
  });

  it('rejects outputs without the custom block or auth', () => {
    expect(() => parseAppConfig({ version: '1.4', auth: validOutputs().auth })).toThrow(/custom is missing/);
    expect(() => parseAppConfig({ version: '1.4', custom: validOutputs().custom })).toThrow(/auth is missing/);
  });

  it('rejects a non-Gen 2 file (Amplify needs version 1.x to read it)', () => {
    expect(() => parseAppConfig({ ...validOutputs(), version: '2' })).toThrow(/version must be '1' or '1.x'/);
    expect(() => parseAppConfig([])).toThrow(ConfigError);
  });

  it('falls back to Cognito defaults without a password policy, and describes the policy in one sentence', () => {
    const outputs = validOutputs();
    delete (outputs.auth as Record<string, unknown>).password_policy;
    const { passwordPolicy } = parseAppConfig(outputs);
    expect(describePasswordPolicy(passwordPolicy)).toBe(
      'Use at least 8 characters, with an uppercase letter, a lowercase letter, a number and a symbol (e.g. ! ? # $ %).',
    );
  });
});

describe('AppConfigProvider', () => {
  function ShowConfig() {
    return <p>API at {useAppConfig().httpApiUrl}</p>;
  }

  it('renders the app once the config is loaded', async () => {
    const config = parseAppConfig(validOutputs());
    render(
      <AppConfigProvider load={() => Promise.resolve(config)}>
        <ShowConfig />
      </AppConfigProvider>,
    );
    expect(screen.getByRole('status').textContent).toContain('Starting StreamCanvas');
    expect(await screen.findByText('API at http://localhost:4010')).toBeTruthy();
  });

  it('renders the app at once, without loading it again, when the config is already loaded', () => {
    const config = parseAppConfig(validOutputs());
    let loads = 0;
    render(
      <AppConfigProvider load={() => (loads++, Promise.resolve(config))} loaded={config}>
        <ShowConfig />
      </AppConfigProvider>,
    );
    expect(screen.getByText('API at http://localhost:4010')).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
    expect(loads).toBe(0);
  });

  it('shows a full-page error with the reason and the resolution', async () => {
    render(
      <AppConfigProvider load={() => Promise.reject(new ConfigError('/amplify_outputs.json answered HTTP 404 (the file does not exist).'))}>
        <ShowConfig />
      </AppConfigProvider>,
    );
    const heading = await screen.findByRole('heading', { level: 1, name: "StreamCanvas can't start" });
    expect(heading).toBeTruthy();
    const page = document.body.textContent ?? '';
    expect(page).toContain(
      "The app's configuration could not be loaded: /amplify_outputs.json answered HTTP 404 (the file does not exist).",
    );
    expect(page).toContain('Resolution');
    expect(page).toContain('Run `npm start` or deploy the backend.');
    expect(screen.getByRole('button', { name: 'Reload' })).toBeTruthy();
  });
});
