import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { cycleIn, resourcesOfType, synthesizeBackend, type Synthesized } from './synth-backend.js';

/**
 * A production branch as Amplify Hosting builds it (AWS_APP_ID, AWS_BRANCH) with the settings
 * docs/DEPLOYMENT.md asks production to set: the app's own domain, an SES sender, and the executor's
 * opt-in reserved concurrency and isolated VPC. Its own file: the backend module is imported once
 * per file, with the environment of that moment.
 */
type BackendModule = typeof import('../../amplify/backend.js');

let configured: Synthesized<BackendModule>;
beforeAll(async () => {
  configured = await synthesizeBackend({
    deploymentType: 'branch',
    env: {
      AWS_APP_ID: 'd1abc2def3',
      AWS_BRANCH: 'main',
      STREAMCANVAS_APP_ORIGINS: 'https://streamcanvas.example.com',
      STREAMCANVAS_SES_FROM: 'no-reply@streamcanvas.example.com',
      STREAMCANVAS_SES_FROM_NAME: 'StreamCanvas',
      STREAMCANVAS_SES_REPLY_TO: 'support@streamcanvas.example.com',
      EXECUTOR_IMAGE_REPOSITORY: 'streamcanvas-executor',
      EXECUTOR_IMAGE_TAG: '0123abcd',
      STREAMCANVAS_EXECUTOR_RESERVED_CONCURRENCY: '10',
      STREAMCANVAS_EXECUTOR_NETWORK: 'isolated-vpc',
    },
  });
  // A whole backend plus a VPC: slow on a busy two-core machine.
}, 300_000);
afterAll(() => configured?.cleanup());

describe('a production branch', () => {
  it('allows by CORS only the app\'s own origins: no localhost', () => {
    const { stack, logicalId } = configured.locate(configured.module.apis.httpApi);
    const cors = stack.json.Resources[logicalId]?.Properties?.CorsConfiguration as { AllowOrigins: string[] };
    expect(cors.AllowOrigins).toEqual(['https://main.d1abc2def3.amplifyapp.com', 'https://streamcanvas.example.com']);
  });

  it('sends Cognito e-mail through SES from the configured sender', () => {
    const pools = resourcesOfType(configured.stack('auth'), 'AWS::Cognito::UserPool');
    expect(pools).toHaveLength(1);
    const email = pools[0]![1].Properties?.EmailConfiguration as Record<string, unknown>;
    expect(email).toMatchObject({
      EmailSendingAccount: 'DEVELOPER',
      From: 'StreamCanvas <no-reply@streamcanvas.example.com>',
      ReplyToEmailAddress: 'support@streamcanvas.example.com',
    });
    expect(configured.render(email.SourceArn, configured.stack('auth'))).toMatch(
      /^arn:\$\{AWS::Partition\}:ses:\$\{AWS::Region\}:\$\{AWS::AccountId\}:identity\/no-reply@streamcanvas\.example\.com$/,
    );
  });
});

describe('code executor with reserved concurrency and a VPC configured', () => {
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
