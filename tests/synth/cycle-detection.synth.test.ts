import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleIn, synthesize, type Synthesized } from './synth-backend.js';

/**
 * Proves that the checks in backend.synth.test.ts ('stack dependencies') catch a circular
 * dependency between nested stacks: they run here against a backend with the APIs in the
 * wrong stack (fixtures/miswired-backend.ts) and must all report it. Without this, a CDK
 * upgrade that silently stopped validating would leave those checks passing vacuously.
 */
type MiswiredModule = typeof import('./fixtures/miswired-backend.js');
let synth: Synthesized<MiswiredModule>;

beforeAll(async () => {
  synth = await synthesize(() => import('./fixtures/miswired-backend.js'), { deploymentType: 'sandbox' });
});
afterAll(() => synth?.cleanup());

describe('a circular dependency between nested stacks', () => {
  it('is reported by CDK template validation as rule F3004 between the two stacks', () => {
    const circular = synth.violations.filter((v) => v.ruleName === 'F3004');
    expect(circular.length).toBeGreaterThan(0);
    const [apis, realtime] = ['apis', 'realtime'].map((name) => synth.stack(name).resourceId!);
    expect(circular.map((v) => v.description).join('\n')).toMatch(new RegExp(`${apis} -> ${realtime}|${realtime} -> ${apis}`));
  });

  it('fails synthesis when validation findings are treated as errors', () => {
    expect(synth.synthError?.message).toMatch(/Circular Dependencies/);
  });

  it('makes the root template undeployable', () => {
    expect(cycleIn(synth.root)).toMatch(/dependency cycle/);
  });
});
