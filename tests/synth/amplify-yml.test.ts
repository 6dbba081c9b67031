import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** The Amplify Hosting build: deploy the backend, then build the app with its outputs inside. */
interface Phases {
  preBuild?: { commands: string[] };
  build: { commands: string[] };
}
interface BuildSpec {
  version: number;
  backend: { phases: Phases };
  frontend: {
    phases: Phases;
    artifacts: { baseDirectory: string; files: string[] };
    cache: { paths: string[] };
  };
}

const spec = parse(readFileSync(new URL('../../amplify.yml', import.meta.url), 'utf8')) as BuildSpec;

describe('amplify.yml', () => {
  it('installs from the lockfile and deploys the backend for the branch', () => {
    expect(spec.version).toBe(1);
    expect(spec.backend.phases.build.commands).toEqual([
      'npm ci --cache .npm --prefer-offline',
      'npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID',
    ]);
  });

  it('copies amplify_outputs.json into public/ before building, so the app can fetch it', () => {
    const commands = spec.frontend.phases.build.commands;
    const copy = commands.findIndex((command) => /\bcp amplify_outputs\.json public\/?(\s|$)/.test(command));
    expect(copy).toBeGreaterThanOrEqual(0);
    expect(commands.indexOf('npm run build')).toBeGreaterThan(copy);
  });

  it('has a backend and a frontend phase, each on Node 22 (what the Lambdas run) before any npm command', () => {
    for (const phases of [spec.backend.phases, spec.frontend.phases]) {
      expect(phases.preBuild?.commands).toEqual(['nvm install 22']);
      expect(phases.build.commands.length).toBeGreaterThan(0);
    }
  });

  it('publishes dist and caches npm and node_modules', () => {
    expect(spec.frontend.artifacts).toEqual({ baseDirectory: 'dist', files: ['**/*'] });
    expect(spec.frontend.cache.paths).toEqual(['.npm/**/*', 'node_modules/**/*']);
  });
});
