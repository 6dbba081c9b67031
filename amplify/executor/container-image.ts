import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IgnoreMode } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** An image a CI workflow pushed, for deployments that cannot build one (Amplify Hosting). */
export interface PrebuiltImage {
  /** ECR repository name (same account and region) or ARN. */
  repository: string;
  /** An immutable tag (the workflow pushes the commit SHA) or a digest `sha256:…`. */
  tagOrDigest: string;
}

/** Reads <prefix>_IMAGE_REPOSITORY and <prefix>_IMAGE_TAG; undefined unless both are set. */
export function prebuiltImageFromEnv(env: Readonly<Record<string, string | undefined>>, prefix: string): PrebuiltImage | undefined {
  const repository = env[`${prefix}_IMAGE_REPOSITORY`]?.trim();
  const tagOrDigest = env[`${prefix}_IMAGE_TAG`]?.trim();
  return repository && tagOrDigest ? { repository, tagOrDigest } : undefined;
}

export interface ContainerImageSource {
  /** True where Docker can build the image at deploy time (a developer's `ampx sandbox`). */
  dockerAvailable: boolean;
  prebuiltImage?: PrebuiltImage;
  /** The Dockerfile, relative to the repository root (the build context). */
  dockerfile: string;
  /** Only these paths enter the asset (and its hash): what the Dockerfile copies, not node_modules. */
  dockerContext: readonly string[];
  /** The error, with its resolution, when Docker is unavailable and no image was pushed. */
  missingImageError: string;
}

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Builds the image with Docker where it can, else uses the pushed one; fails the synth if neither. */
export function containerImageCode(scope: Construct, source: ContainerImageSource): lambda.DockerImageCode {
  if (source.dockerAvailable) {
    return lambda.DockerImageCode.fromImageAsset(repositoryRoot, {
      file: source.dockerfile,
      platform: Platform.LINUX_AMD64,
      ignoreMode: IgnoreMode.DOCKER,
      exclude: ['**', ...source.dockerContext.map((path) => `!${path}`)],
    });
  }
  const image = source.prebuiltImage;
  if (!image) throw new Error(source.missingImageError);
  const repository = image.repository.startsWith('arn:')
    ? ecr.Repository.fromRepositoryArn(scope, 'ImageRepository', image.repository)
    : ecr.Repository.fromRepositoryName(scope, 'ImageRepository', image.repository);
  return lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: image.tagOrDigest });
}
