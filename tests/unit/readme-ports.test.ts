import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Every port `npm start` reads from the environment is in the README, so a taken port can be moved. */
describe('README', () => {
  it('lists every STREAMCANVAS_*_PORT variable the local stack reads', () => {
    const start = readFileSync('local/start.ts', 'utf8');
    const variables = [...start.matchAll(/'(STREAMCANVAS_[A-Z_]+_PORT)'/g)].map((match) => match[1]!);
    expect(variables.length).toBeGreaterThanOrEqual(6);
    const readme = readFileSync('README.md', 'utf8');
    expect(variables.filter((name) => !readme.includes(name))).toEqual([]);
  });
});
