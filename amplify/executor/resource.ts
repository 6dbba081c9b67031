import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, IgnoreMode, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * The code-execution Lambda: a container image (amplify/executor/Dockerfile)
 * that runs untrusted code. User code can read this function's credentials
 * (same user as the runtime), so the function gets as little as AWS allows:
 *
 * - Its role has no managed policies and no CloudWatch Logs permission: the
 *   function writes no logs. Lambda still publishes its metrics (invocations,
 *   errors, duration, throttles) without any role permission, and the caller
 *   logs each RunResult's status and timings.
 * - Attached to a VPC, the role holds the one statement Lambda requires to
 *   attach it (it checks at create and update time): create/delete network
 *   interfaces, scoped to the executor's own subnets and security group where
 *   IAM allows. With `network: { kind: 'none' }` the role has no policy at all;
 *   then the seccomp filter (no sockets) is the only network barrier.
 * - The default VPC is isolated: PRIVATE_ISOLATED subnets, no NAT, no internet
 *   gateway, no endpoints, and a security group with no egress.
 * - Reserved concurrency caps what a flood of runs can cost.
 */

export interface PrebuiltExecutorImage {
  /** ECR repository name (same account and region) or ARN. */
  repository: string;
  /** An immutable tag (the workflow pushes the commit SHA) or a digest `sha256:…`. */
  tagOrDigest: string;
}

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
  prebuiltImage?: PrebuiltExecutorImage;
  /** Default: a new isolated VPC. */
  network?: ExecutorNetwork;
  /** Default 10. */
  reservedConcurrency?: number;
  /** Default 2048 MB: Lambda's CPU share grows with memory, and javac/g++ are CPU-bound. */
  memorySize?: number;
  /** Default 20 s: compile (10 s) plus run (5 s) plus start-up. */
  timeout?: Duration;
}

/** The repository root: the Docker build context (the handler imports src/protocol). */
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOCKERFILE = 'amplify/executor/Dockerfile';
/** Only what the Dockerfile copies enters the asset (and its hash): not node_modules. */
const DOCKER_CONTEXT = [
  'package.json',
  'package-lock.json',
  'src/protocol/**',
  'amplify/executor/**',
  'amplify/functions/code-runner/**',
];

/** Reads EXECUTOR_IMAGE_REPOSITORY and EXECUTOR_IMAGE_TAG; undefined unless both are set. */
export function prebuiltImageFromEnv(env: Readonly<Record<string, string | undefined>>): PrebuiltExecutorImage | undefined {
  const repository = env.EXECUTOR_IMAGE_REPOSITORY?.trim();
  const tagOrDigest = env.EXECUTOR_IMAGE_TAG?.trim();
  return repository && tagOrDigest ? { repository, tagOrDigest } : undefined;
}

export class CodeExecutor extends Construct {
  readonly function: lambda.DockerImageFunction;
  readonly role: iam.Role;
  readonly vpc?: ec2.IVpc;
  readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: CodeExecutorProps) {
    super(scope, id);
    const network = props.network ?? { kind: 'isolated-vpc' };

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
      code: imageCode(this, props),
      architecture: lambda.Architecture.X86_64,
      memorySize: props.memorySize ?? 2048,
      timeout: props.timeout ?? Duration.seconds(20),
      reservedConcurrentExecutions: props.reservedConcurrency ?? 10,
      role: this.role,
      // A failed run is answered, not retried: retries would only run untrusted code again.
      retryAttempts: 0,
      ...vpcConfig,
    });
  }
}

function imageCode(scope: Construct, props: CodeExecutorProps): lambda.DockerImageCode {
  if (props.dockerAvailable) {
    return lambda.DockerImageCode.fromImageAsset(repositoryRoot, {
      file: DOCKERFILE,
      platform: Platform.LINUX_AMD64,
      ignoreMode: IgnoreMode.DOCKER,
      exclude: ['**', ...DOCKER_CONTEXT.map((path) => `!${path}`)],
    });
  }
  const image = props.prebuiltImage;
  if (!image) {
    throw new Error(
      'CodeExecutor needs a container image, but Docker is not available to build one and no prebuilt image is configured. ' +
        'Resolution: run the executor-image workflow (.github/workflows/executor-image.yml) and set EXECUTOR_IMAGE_REPOSITORY and ' +
        'EXECUTOR_IMAGE_TAG (the commit SHA it pushed) in the build environment, or deploy from a machine with Docker.',
    );
  }
  const repository = image.repository.startsWith('arn:')
    ? ecr.Repository.fromRepositoryArn(scope, 'ImageRepository', image.repository)
    : ecr.Repository.fromRepositoryName(scope, 'ImageRepository', image.repository);
  return lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: image.tagOrDigest });
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
