import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { cycleIn, resourcesOfType, synthesizeBackend, type Synthesized } from './synth-backend.js';

/**
 * The backend with the code executor wired in, as Amplify Hosting deploys it once the
 * executor-image workflow has pushed an image (no Docker at deploy time).
 */
type BackendModule = typeof import('../../amplify/backend.js');
let synth: Synthesized<BackendModule>;

beforeAll(async () => {
  synth = await synthesizeBackend({
    deploymentType: 'branch',
    env: { EXECUTOR_IMAGE_REPOSITORY: 'streamcanvas-executor', EXECUTOR_IMAGE_TAG: '0123abcd', STREAMCANVAS_MEDIA_PROVIDER: 'mesh' },
  });
  // A whole backend: slow on a busy two-core machine.
}, 300_000);
afterAll(() => synth?.cleanup());

describe('code executor in the backend', () => {
  it('is a container-image function from the pushed image, reserving no concurrency unless configured', () => {
    const executor = synth.module.executor;
    expect(executor).toBeDefined();
    const { stack, logicalId } = synth.locate(executor!.function);
    const fn = stack.json.Resources[logicalId]!;
    expect(fn.Properties).toMatchObject({ PackageType: 'Image' });
    expect(fn.Properties?.ReservedConcurrentExecutions).toBeUndefined();
    expect(synth.render((fn.Properties as { Code: { ImageUri: unknown } }).Code.ImageUri, stack)).toContain('streamcanvas-executor:0123abcd');
  });

  it('is in no VPC, and its role has no policy at all', () => {
    const executor = synth.module.executor!;
    const { stack } = synth.locate(executor.function);
    expect(resourcesOfType(stack, 'AWS::EC2::VPC')).toEqual([]);
    stack.template.hasResourceProperties('AWS::Lambda::Function', { PackageType: 'Image', VpcConfig: Match.absent() });
    const role = stack.json.Resources[synth.locate(executor.role).logicalId]!;
    expect(role.Properties?.Policies).toBeUndefined();
    expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    const roleRef = JSON.stringify({ Ref: synth.locate(executor.role).logicalId });
    expect(resourcesOfType(stack, 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties?.Roles) .includes(roleRef))).toEqual([]);
  });

  it('is invoked by the realtime function, which learns its name', () => {
    const realtime = synth.module.backend.realtime.resources.cfnResources.cfnFunction;
    const { stack, logicalId } = synth.locate(realtime);
    const env = (stack.json.Resources[logicalId]!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    expect(env.CODE_RUNNER_FUNCTION_NAME).toBeDefined();
    const invokeGrants = resourcesOfType(stack, 'AWS::IAM::Policy').filter(([, policy]) =>
      JSON.stringify(policy.Properties).includes('lambda:InvokeFunction'),
    );
    // The realtime function invokes the executor; the session function invokes the deck processor.
    expect(invokeGrants).toHaveLength(2);
    const realtimeRole = JSON.stringify({ Ref: synth.locate(synth.module.backend.realtime.resources.lambda.role!.node.defaultChild as never).logicalId });
    expect(invokeGrants.filter(([, policy]) => JSON.stringify(policy.Properties?.Roles).includes(realtimeRole))).toHaveLength(1);
  });

  it('adds the executor alarms, and the stacks still have no cycle', () => {
    const alarms = synth.stacks.flatMap((stack) => resourcesOfType(stack, 'AWS::CloudWatch::Alarm'));
    // The monitoring test's 12, plus the executor's errors, error rate and timeouts.
    expect(alarms).toHaveLength(15);
    for (const stack of synth.stacks) expect(cycleIn(stack)).toBeUndefined();
    expect(synth.synthError).toBeUndefined();
  });
});

describe('runtimes', () => {
  it('every function runs a supported Node.js LTS (22 or later), the executor included (its image is node:22)', () => {
    const functions = synth.stacks.flatMap((stack) => resourcesOfType(stack, 'AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(4);
    for (const [logicalId, fn] of functions) {
      const runtime = fn.Properties?.Runtime;
      if (fn.Properties?.PackageType === 'Image') {
        expect(runtime, logicalId).toBeUndefined();
        continue;
      }
      expect(runtime, logicalId).toMatch(/^nodejs(\d+)\.x$/);
      expect(Number(/^nodejs(\d+)/.exec(String(runtime))?.[1]), logicalId).toBeGreaterThanOrEqual(22);
    }
  });

  it('the executor image builds on Node 22 and bundles for it', () => {
    const dockerfile = readFileSync(new URL('../../amplify/executor/Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=(2[2-9]|[3-9]\d)$/m);
    const targets = [...dockerfile.matchAll(/--target=node(\d+)/g)].map((match) => Number(match[1]));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(target).toBe(Number(/^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)![1]));
  });

  it('the executor image starts its runtime through runtime-entrypoint.sh, with nondumpable.so built from source', () => {
    const dockerfile = readFileSync(new URL('../../amplify/executor/Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/opt\/streamcanvas\/runtime-entrypoint\.sh", "\/var\/task\/node_modules\/\.bin\/aws-lambda-ric"\]$/m);
    expect(dockerfile).toMatch(/gcc -shared -fPIC .*-o \/opt\/streamcanvas\/nondumpable\.so \/build\/nondumpable\.c/);
    const workflow = readFileSync(new URL('../../.github/workflows/executor-image.yml', import.meta.url), 'utf8');
    expect(workflow).toContain('/opt/streamcanvas/runtime-entrypoint.sh /var/task/node_modules/.bin/aws-lambda-ric index.handler');
    expect(workflow).toContain('npx tsx tests/support/lambda-harness/smoke-attacks.ts http://localhost:9000');
  });
});
