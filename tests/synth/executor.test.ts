import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { prebuiltImageFromEnv } from '../../amplify/executor/container-image.js';
import { CodeExecutor, EXECUTOR_IMAGE_ENV_PREFIX, executorSettingsFromEnv, type CodeExecutorProps } from '../../amplify/executor/resource.js';

/** The CodeExecutor construct alone, in a plain App and Stack, synthesized offline (no Docker needed). */

const outdirs: string[] = [];
/** CloudFormation validation findings fail the synth instead of printing warnings. */
const strictValidation = { '@aws-cdk/core:validateAgainstDefaultRules': true };
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function synth(props: CodeExecutorProps) {
  const outdir = mkdtempSync(join(tmpdir(), 'executor-synth-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: strictValidation });
  const stack = new Stack(app, 'ExecutorStack');
  const executor = new CodeExecutor(stack, 'Executor', props);
  const template = Template.fromStack(stack);
  return { app, stack, executor, template, outdir };
}

const prebuilt: CodeExecutorProps = {
  dockerAvailable: false,
  prebuiltImage: { repository: 'streamcanvas-executor', tagOrDigest: '0123abcd' },
};

type Resource = { Type: string; Properties?: Record<string, unknown> };
const resources = (template: Template, type: string) => Object.values(template.findResources(type)) as Resource[];

describe('the executor function', () => {
  const { template } = synth(prebuilt);

  it('is a container image function with a bounded footprint', () => {
    const [fn] = resources(template, 'AWS::Lambda::Function');
    expect(fn?.Properties).toMatchObject({
      PackageType: 'Image',
      Architectures: ['x86_64'],
    });
    expect(fn?.Properties?.MemorySize).toBeGreaterThanOrEqual(1024);
    expect(fn?.Properties?.Timeout).toBeGreaterThanOrEqual(15);
    expect(fn?.Properties?.Timeout).toBeLessThanOrEqual(30);
    expect(fn?.Properties?.Environment).toBeUndefined();
  });

  it('takes the prebuilt image from ECR at the configured tag', () => {
    const [fn] = resources(template, 'AWS::Lambda::Function');
    expect(JSON.stringify((fn?.Properties?.Code as { ImageUri: unknown }).ImageUri)).toContain('streamcanvas-executor:0123abcd');
  });

  it('does not retry failed asynchronous invocations', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  it('reserves no concurrency unless told to: a new account (total 10) cannot reserve any, and CreateFunction would fail', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
  });

  it('takes its reserved concurrency from props', () => {
    synth({ ...prebuilt, reservedConcurrency: 3 }).template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 3,
    });
  });
});

describe('executorSettingsFromEnv', () => {
  it('defaults to no reserved concurrency and no VPC', () => {
    expect(executorSettingsFromEnv({})).toEqual({ reservedConcurrency: undefined, network: 'none' });
    expect(executorSettingsFromEnv({ STREAMCANVAS_EXECUTOR_RESERVED_CONCURRENCY: 'off', STREAMCANVAS_EXECUTOR_NETWORK: '' })).toEqual({
      reservedConcurrency: undefined,
      network: 'none',
    });
  });

  it('reads a reserved concurrency and the isolated VPC', () => {
    expect(executorSettingsFromEnv({ STREAMCANVAS_EXECUTOR_RESERVED_CONCURRENCY: ' 10 ', STREAMCANVAS_EXECUTOR_NETWORK: 'isolated-vpc' })).toEqual({
      reservedConcurrency: 10,
      network: 'isolated-vpc',
    });
  });

  it.each(['0', '-1', '2.5', 'ten', '10x'])('refuses reserved concurrency %s and says what to set', (value) => {
    expect(() => executorSettingsFromEnv({ STREAMCANVAS_EXECUTOR_RESERVED_CONCURRENCY: value })).toThrow(/whole number from 1.*Resolution/);
  });

  it('refuses an unknown network and says what to set', () => {
    expect(() => executorSettingsFromEnv({ STREAMCANVAS_EXECUTOR_NETWORK: 'vpc' })).toThrow(/neither 'none' nor 'isolated-vpc'.*Resolution/);
  });
});

describe('the executor role', () => {
  it('by default is in no VPC and has no policies at all: a leaked credential grants nothing', () => {
    const { template } = synth(prebuilt);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    const [role] = resources(template, 'AWS::IAM::Role');
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties?.Policies).toBeUndefined();
    expect(resources(template, 'AWS::IAM::Policy')).toEqual([]);
    expect(resources(template, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
  });

  it('in a VPC, holds only what Lambda needs to attach it: network interfaces, no logs, no managed policies', () => {
    const { template } = synth({ ...prebuilt, network: { kind: 'isolated-vpc' } });
    const [role] = resources(template, 'AWS::IAM::Role');
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(resources(template, 'AWS::IAM::Policy')).toEqual([]);
    const policies = role?.Properties?.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } }>;
    const actions = policies.flatMap((policy) => policy.PolicyDocument.Statement.flatMap((statement) => statement.Action));
    expect(actions.sort()).toEqual([
      'ec2:AssignPrivateIpAddresses',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    // Only the Describe calls, which IAM cannot scope, are on "*".
    for (const statement of policies.flatMap((policy) => policy.PolicyDocument.Statement)) {
      const wildcard = JSON.stringify(statement.Resource) === '"*"';
      expect(wildcard).toBe([statement.Action].flat().every((action) => action.startsWith('ec2:Describe')));
    }
  });
});

describe('the executor network, when a VPC is asked for', () => {
  const { template } = synth({ ...prebuilt, network: { kind: 'isolated-vpc' } });

  it('is a VPC with isolated subnets only: no internet gateway, no NAT, no routes out', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    template.resourceCountIs('AWS::EC2::Route', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    for (const subnet of resources(template, 'AWS::EC2::Subnet')) {
      expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
    }
  });

  it('puts the function in those subnets with a security group that allows no traffic', () => {
    const [fn] = resources(template, 'AWS::Lambda::Function');
    const vpcConfig = fn?.Properties?.VpcConfig as { SubnetIds: unknown[]; SecurityGroupIds: unknown[] };
    expect(vpcConfig.SubnetIds).toHaveLength(resources(template, 'AWS::EC2::Subnet').length);
    const [group] = resources(template, 'AWS::EC2::SecurityGroup');
    expect(group?.Properties?.SecurityGroupIngress).toBeUndefined();
    // CDK's placeholder rule for "no egress": ICMP type 252 to 255.255.255.255/32.
    expect(group?.Properties?.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 }),
    ]);
  });

  it('can use an existing VPC\'s isolated subnets instead', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'executor-synth-'));
    outdirs.push(outdir);
    const stack = new Stack(new App({ outdir, context: strictValidation }), 'Existing');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-central-1a', 'eu-central-1b'],
      isolatedSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    });
    new CodeExecutor(stack, 'Executor', { ...prebuilt, network: { kind: 'existing-vpc', vpc } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: Match.objectLike({ SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'] }),
    });
  });
});

describe('the image source', () => {
  it('builds from amplify/executor/Dockerfile when Docker is available, and synthesizes without Docker', () => {
    const { template, app } = synth({ dockerAvailable: true });
    const [fn] = resources(template, 'AWS::Lambda::Function');
    expect(JSON.stringify((fn?.Properties?.Code as { ImageUri: unknown }).ImageUri)).toContain('container-assets');

    const assembly = app.synth();
    const manifestFile = readdirSync(assembly.directory).find((file) => file.endsWith('.assets.json'))!;
    const manifest = JSON.parse(readFileSync(join(assembly.directory, manifestFile), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile?: string; platform?: string } }>;
    };
    const [image] = Object.values(manifest.dockerImages);
    expect(image?.source).toMatchObject({ dockerFile: 'amplify/executor/Dockerfile', platform: 'linux/amd64' });

    // The staged build context holds what the Dockerfile copies, and not node_modules.
    const context = join(assembly.directory, image!.source.directory);
    for (const path of ['package.json', 'package-lock.json', 'amplify/executor/Dockerfile', 'amplify/executor/run-code.ts', 'amplify/functions/code-runner/handler.ts', 'src/protocol/code.ts']) {
      expect(existsSync(join(context, path)), path).toBe(true);
    }
    expect(existsSync(join(context, 'node_modules'))).toBe(false);
    expect(readdirSync(join(context, 'src'))).toEqual(['protocol']);
    expect(readdirSync(join(context, 'amplify')).sort()).toEqual(['executor', 'functions']);
  });

  it('refuses to synthesize without Docker or a prebuilt image, and says what to set', () => {
    expect(() => synth({ dockerAvailable: false })).toThrow(/EXECUTOR_IMAGE_REPOSITORY and EXECUTOR_IMAGE_TAG/);
  });

  it('reads the prebuilt image from EXECUTOR_IMAGE_REPOSITORY and EXECUTOR_IMAGE_TAG', () => {
    expect(prebuiltImageFromEnv({ EXECUTOR_IMAGE_REPOSITORY: ' repo ', EXECUTOR_IMAGE_TAG: 'sha256:abc' }, EXECUTOR_IMAGE_ENV_PREFIX)).toEqual({
      repository: 'repo',
      tagOrDigest: 'sha256:abc',
    });
    expect(prebuiltImageFromEnv({ EXECUTOR_IMAGE_REPOSITORY: 'repo' }, EXECUTOR_IMAGE_ENV_PREFIX)).toBeUndefined();
    expect(prebuiltImageFromEnv({}, EXECUTOR_IMAGE_ENV_PREFIX)).toBeUndefined();
  });

  it('accepts a repository ARN and a digest', () => {
    const { template } = synth({
      dockerAvailable: false,
      prebuiltImage: { repository: 'arn:aws:ecr:eu-central-1:123456789012:repository/executor', tagOrDigest: 'sha256:feed' },
    });
    const [fn] = resources(template, 'AWS::Lambda::Function');
    expect(JSON.stringify((fn?.Properties?.Code as { ImageUri: unknown }).ImageUri)).toContain('executor@sha256:feed');
  });
});
