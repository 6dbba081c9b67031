import { Duration, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { containerImageCode, type PrebuiltImage } from '../executor/container-image.js';

/**
 * The deck converter: a container-image Lambda (amplify/converter/Dockerfile) with LibreOffice,
 * which turns an uploaded presentation into a PDF. It reads and writes only through the
 * presigned URLs the deck processor hands it, so its role has no permissions at all; LibreOffice
 * runs in the executor's Lambda sandbox (no sockets but AF_UNIX, rlimits, a fresh work dir,
 * leftovers swept), started by the same credential-free, non-dumpable runtime entrypoint.
 *
 * Amplify Hosting cannot build images: there it is the image the converter-image workflow
 * pushed (DECK_CONVERTER_IMAGE_REPOSITORY + DECK_CONVERTER_IMAGE_TAG). Without one, the
 * deployment has no converter and PowerPoint uploads say so; PDFs still work.
 */
export interface DeckConverterProps {
  dockerAvailable: boolean;
  prebuiltImage?: PrebuiltImage;
  /** Default 3008 MB: LibreOffice is CPU-bound, and Lambda's CPU share grows with memory. */
  memorySize?: number;
  /** Default 150 s: the sandbox's 120 s limit plus the download and upload. */
  timeout?: Duration;
}

/** Only what the Dockerfile copies enters the asset (and its hash). */
const DOCKER_CONTEXT = [
  'package.json',
  'package-lock.json',
  'src/protocol/**',
  'amplify/converter/**',
  'amplify/executor/**',
  'amplify/functions/deck-converter/**',
];

/** The environment variables' prefix: DECK_CONVERTER_IMAGE_REPOSITORY, DECK_CONVERTER_IMAGE_TAG. */
export const DECK_CONVERTER_IMAGE_ENV_PREFIX = 'DECK_CONVERTER';

export class DeckConverter extends Construct {
  readonly function: lambda.DockerImageFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DeckConverterProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'StreamCanvas deck converter: opens untrusted documents, so it may do nothing',
    });
    this.function = new lambda.DockerImageFunction(this, 'Function', {
      description: 'StreamCanvas deck converter (LibreOffice; untrusted documents; no permissions)',
      code: containerImageCode(this, {
        dockerAvailable: props.dockerAvailable,
        prebuiltImage: props.prebuiltImage,
        dockerfile: 'amplify/converter/Dockerfile',
        dockerContext: DOCKER_CONTEXT,
        missingImageError:
          'DeckConverter needs a container image, but Docker is not available to build one and no prebuilt image is configured. ' +
          'Resolution: run the converter-image workflow (.github/workflows/converter-image.yml) and set DECK_CONVERTER_IMAGE_REPOSITORY and ' +
          'DECK_CONVERTER_IMAGE_TAG (the commit SHA it pushed), or deploy from a machine with Docker (DECK_CONVERTER_BUILD_WITH_DOCKER=true).',
      }),
      architecture: lambda.Architecture.X86_64,
      memorySize: props.memorySize ?? 3008,
      timeout: props.timeout ?? Duration.seconds(150),
      // The upload (50 MB), LibreOffice's profile and the PDF, in /tmp.
      ephemeralStorageSize: Size.gibibytes(2),
      role: this.role,
      // A failed conversion is answered, not retried: the host uploads again.
      retryAttempts: 0,
    });
  }
}
