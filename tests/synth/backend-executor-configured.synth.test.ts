import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { cycleIn, resourcesOfType, synthesizeBackend, type Synthesized } from './synth-backend.js';

/**
 * The backend with the executor's opt-in settings (docs/DEPLOYMENT.md): reserved concurrency for an
 * account that can spare it, and the isolated VPC. Its own file: the backend module is imported once
 * per file, with the environment of that moment.
 */
type BackendModule = typeof import('../../amplify/backend.js');

describe('code executor with reserved concurrency and a VPC configured', () => {
  let configured: Synthesized<BackendModule>;
  beforeAll(async () => {
    configured = await synthesizeBackend({
      deploymentType: 'branch',
      env: {
        EXECUTOR_IMAGE_REPOSITORY: 'streamcanvas-executor',
        EXECUTOR_IMAGE_TAG: '0123abcd',
        STREAMCANVAS_EXECUTOR_RESERVED_CONCURRENCY: '10',
        STREAMCANVAS_EXECUTOR_NETWORK: 'isolated-vpc',
      },
    });
  });
  afterAll(() => configured?.cleanup());

  it('reserves that concurrency and runs in an isolated VPC with no route out', () => {
    const { stack } = configured.locate(configured.module.executor!.function);
    stack.template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      ReservedConcurrentExecutions: 10,
      VpcConfig: Match.objectLike({ SecurityGroupIds: Match.anyValue(), SubnetIds: Match.anyValue() }),
    });
    expect(resourcesOfType(stack, 'AWS::EC2::NatGateway')).toEqual([]);
    expect(resourcesOfType(stack, 'AWS::EC2::InternetGateway')).toEqual([]);
    for (const candidate of configured.stacks) expect(cycleIn(candidate)).toBeUndefined();
    expect(configured.synthError).toBeUndefined();
  });
});
