import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { containerImageCode, type PrebuiltImage } from './container-image.js';

/**
 * The code-execution Lambda: a container image (amplify/executor/Dockerfile)
 * that runs untrusted code as the runtime's own user. The runtime starts
 * without the function's credentials and non-dumpable (runtime-entrypoint.sh),
 * and the function gets as little as AWS allows besides:
 *
 * - Its role has no managed policies and no CloudWatch Logs permission: the
 *   function writes no logs. Lambda still publishes its metrics (invocations,
 *   errors, duration, throttles) without any role permission, and the caller
 *   logs each RunResult's status and timings.
 * - By default it is in no VPC, so the role has no policy at all: credentials
 *   that leaked despite the above (Lambda's own init is outside the image)
 *   would grant nothing. The network barrier is the seccomp filter (no
 *   sockets but AF_UNIX), which the Lambda-like harness in `npm test` and the
 *   image's smoke test prove; stdout is an exfiltration channel either way.
 *   A VPC would also hold up every stack deletion while Lambda releases its
 *   network interfaces. docs/DEPLOYMENT.md has the reasoning.
 * - `network: isolated-vpc` adds a VPC as a second network barrier: isolated
 *   subnets, no NAT, no internet gateway, no endpoints, a security group with
 *   no egress. The role then holds what Lambda requires to attach it (checked
 *   at create and update time): ENI creation scoped to the executor's subnets
 *   and security group, the rest where IAM allows.
 * - Reserved concurrency, when the account can spare it, caps what a flood
 *   of runs can cost; off by default, because a new account (total
 *   concurrency 10) cannot reserve any and the whole deployment would roll back.
 */

export type ExecutorNetwork =
  /** A new VPC with isolated subnets only (default). */
  | { kind: 'isolated-vpc'; maxAzs?: number }
  /** An existing VPC; pick subnets without a route out. */
  | { kind: 'existing-vpc'; vpc: ec2.IVpc; subnets?: ec2.SubnetSelection }
  /** No VPC: the role then needs no policy at all. */
  | { kind: 'none' };

export interface CodeExecutorProps {
  /** True where Docker can build the image at deploy time (a developer's `ampx sandbox`); false on Amplify Hosting. */
  dockerAvailable: boolean;
  /** The image the executor-image workflow pushed; required when Docker is not available. */
  prebuiltImage?: PrebuiltImage;
  /** Default: no VPC. */
  network?: ExecutorNetwork;
  /** Default: none reserved (see executorSettingsFromEnv). */
  reservedConcurrency?: number;
  /** Default 2048 MB: Lambda's CPU share grows with memory, and javac/g++ are CPU-bound. */
  memorySize?: number;
  /** Default 20 s: compile (10 s) plus run (5 s) plus start-up. */
  timeout?: Duration;
}

/** Only what the Dockerfile copies enters the asset (and its hash): not node_modules. */
const DOCKER_CONTEXT = [
  'package.json',
  'package-lock.json',
  'src/protocol/**',
  'amplify/executor/**',
  'amplify/functions/code-runner/**',
];

/** The environment variables' prefix: EXECUTOR_IMAGE_REPOSITORY, EXECUTOR_IMAGE_TAG. */
export const EXECUTOR_IMAGE_ENV_PREFIX = 'EXECUTOR';

export interface ExecutorSettings {
  /** Undefined: nothing reserved. */
  reservedConcurrency?: number;
  network: 'none' | 'isolated-vpc';
}

/**
 * The executor's deployment settings, read strictly so that a typo fails the
 * synth instead of silently deploying something else:
 *
 *   STREAMCANVAS_EXECUTOR_RESERVED_CONCURRENCY  a whole number from 1, or unset/'off' (default: off)
 *   STREAMCANVAS_EXECUTOR_NETWORK               'none' (default) or 'isolated-vpc'
 */
export function executorSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): ExecutorSettings {
  const reserved = env.STREAMCANVAS_EXECUTOR_RESERVED_CONCURRENCY?.trim() ?? '';
  let reservedConcurrency: number | undefined;
  if (reserved !== '' && reserved !== 'off') {
    reservedConcurrency = Number(reserved);
    if (!/^\d+$/.test(reserved) || reservedConcurrency < 1) {
      throw new Error(
        `STREAMCANVAS_EXECUTOR_RESERVED_CONCURRENCY is '${reserved}', which is not a whole number from 1. ` +
          "Resolution: set it to the executor's reserved concurrency (e.g. 10; the account keeps at least 100 unreserved), or to 'off'.",
      );
    }
  }
  const network = env.STREAMCANVAS_EXECUTOR_NETWORK?.trim() || 'none';
  if (network !== 'none' && network !== 'isolated-vpc') {
    throw new Error(
      `STREAMCANVAS_EXECUTOR_NETWORK is '${network}', which is neither 'none' nor 'isolated-vpc'. ` +
        "Resolution: unset it (no VPC, the default) or set it to 'isolated-vpc'.",
    );
  }
  return { reservedConcurrency, network };
}

export class CodeExecutor extends Construct {
  readonly function: lambda.DockerImageFunction;
  readonly role: iam.Role;
  readonly vpc?: ec2.IVpc;
  readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: CodeExecutorProps) {
    super(scope, id);
    const network = props.network ?? { kind: 'none' };

    let vpcConfig: Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'> = {};
    let networkPolicy: iam.PolicyDocument | undefined;
    if (network.kind !== 'none') {
      const vpc = network.kind === 'existing-vpc' ? network.vpc : isolatedVpc(this, network.maxAzs ?? 2);
      const vpcSubnets = network.kind === 'existing-vpc' && network.subnets
        ? network.subnets
        : { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
      const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc,
        allowAllOutbound: false,
        description: 'StreamCanvas code executor: no ingress, no egress',
      });
      this.vpc = vpc;
      this.securityGroup = securityGroup;
      vpcConfig = { vpc, vpcSubnets, securityGroups: [securityGroup] };
      networkPolicy = networkInterfacePolicy(this, vpc.selectSubnets(vpcSubnets).subnetIds, securityGroup);
    }

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'StreamCanvas code executor: runs untrusted code, so it may do nothing',
      inlinePolicies: networkPolicy ? { AttachToVpc: networkPolicy } : undefined,
    });

    this.function = new lambda.DockerImageFunction(this, 'Function', {
      description: 'StreamCanvas code executor (untrusted code; no permissions, no network)',
      code: containerImageCode(this, {
        dockerAvailable: props.dockerAvailable,
        prebuiltImage: props.prebuiltImage,
        dockerfile: 'amplify/executor/Dockerfile',
        dockerContext: DOCKER_CONTEXT,
        missingImageError:
          'CodeExecutor needs a container image, but Docker is not available to build one and no prebuilt image is configured. ' +
          'Resolution: run the executor-image workflow (.github/workflows/executor-image.yml) and set EXECUTOR_IMAGE_REPOSITORY and ' +
          'EXECUTOR_IMAGE_TAG (the commit SHA it pushed) in the build environment, or deploy from a machine with Docker.',
      }),
      architecture: lambda.Architecture.X86_64,
      memorySize: props.memorySize ?? 2048,
      timeout: props.timeout ?? Duration.seconds(20),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      // A failed run is answered, not retried: retries would only run untrusted code again.
      retryAttempts: 0,
      ...vpcConfig,
    });
  }
}

function isolatedVpc(scope: Construct, maxAzs: number): ec2.Vpc {
  return new ec2.Vpc(scope, 'Vpc', {
    maxAzs,
    natGateways: 0,
    // Isolated subnets only: CDK then creates no internet gateway and no NAT.
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    // Nothing uses the default security group; restricting it would add a custom-resource Lambda with its own role.
    restrictDefaultSecurityGroup: false,
  });
}

/**
 * What Lambda needs to attach the function to its subnets (AWS docs: "required
 * only to create ENIs"). Describe* only works on "*"; the rest is scoped.
 */
function networkInterfacePolicy(scope: Construct, subnetIds: string[], securityGroup: ec2.ISecurityGroup): iam.PolicyDocument {
  const stack = Stack.of(scope);
  const ec2Arn = (resource: string, resourceName: string): string =>
    stack.formatArn({ service: 'ec2', resource, resourceName });
  const networkInterfaces = ec2Arn('network-interface', '*');
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'CreateInterfacesInExecutorSubnets',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [
          networkInterfaces,
          ec2Arn('security-group', securityGroup.securityGroupId),
          ...subnetIds.map((subnetId) => ec2Arn('subnet', subnetId)),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'ManageExecutorInterfaces',
        actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: [networkInterfaces],
      }),
      new iam.PolicyStatement({
        sid: 'DescribeOnlyWorksOnAll',
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
    ],
  });
}
