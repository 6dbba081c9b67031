import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnStorageConfiguration } from 'aws-cdk-lib/aws-ivs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ivsEnv, stageTags } from './stages.js';

interface FunctionWithEnvironment {
  resources: { lambda: IFunction };
  addEnvironment(key: string, value: string): void;
}

export interface IvsMediaProps {
  /** Tags every stage this deployment creates; all grants are limited to stages with it. */
  deploymentTag: string;
  /** Creates stages and mints tokens (the session function). */
  tokenIssuer: FunctionWithEnvironment;
  /** Delete the stage of a session they end (the session and realtime functions). */
  stageEnders: FunctionWithEnvironment[];
  /** Lists and deletes orphaned stages on a schedule. */
  sweeper: FunctionWithEnvironment;
  /** With a bucket, IVS records every publisher (the host's tracks) into it. Off by default. */
  recordingBucket?: IBucket;
  /** Default: every 15 minutes. */
  sweepEvery?: Duration;
}

/**
 * Amazon IVS real-time for a deployment whose media provider is `ivs`: least-privilege grants
 * (only stages tagged with this deployment), the orphan sweep's schedule, and optionally
 * individual participant recording to S3. Stages themselves are made at run time, one per
 * live session (amplify/media/stages.ts), so nothing here creates one.
 */
export class IvsMedia extends Construct {
  readonly storageConfiguration?: CfnStorageConfiguration;
  readonly sweepRule: events.Rule;

  constructor(scope: Construct, id: string, props: IvsMediaProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const stageArns = Arn.format({ service: 'ivs', resource: 'stage', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, stack);
    const ownStages = { StringEquals: { [`aws:ResourceTag/${stageTags.deployment}`]: props.deploymentTag } };

    if (props.recordingBucket) {
      // IVS writes with its service-linked role; the bucket must be in this region.
      this.storageConfiguration = new CfnStorageConfiguration(this, 'Recording', {
        s3: { bucketName: props.recordingBucket.bucketName },
        tags: [{ key: stageTags.deployment, value: props.deploymentTag }],
      });
    }

    const issuer = props.tokenIssuer.resources.lambda;
    // CreateStage names no existing resource: its ARN is stage/*, so the tags it must carry are the condition.
    issuer.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CreateOwnStages',
        actions: ['ivs:CreateStage', 'ivs:TagResource'],
        resources: [stageArns],
        conditions: { StringEquals: { [`aws:RequestTag/${stageTags.deployment}`]: props.deploymentTag } },
      }),
    );
    if (this.storageConfiguration) {
      issuer.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'RecordOwnStages', actions: ['ivs:CreateStage', 'ivs:GetStorageConfiguration'], resources: [this.storageConfiguration.attrArn] }),
      );
      props.tokenIssuer.addEnvironment(ivsEnv.storageConfigurationArn, this.storageConfiguration.attrArn);
    }
    issuer.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'TokensForOwnStages', actions: ['ivs:CreateParticipantToken'], resources: [stageArns], conditions: ownStages }),
    );

    for (const fn of new Set([props.tokenIssuer, ...props.stageEnders, props.sweeper])) {
      fn.resources.lambda.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'DeleteOwnStages', actions: ['ivs:DeleteStage'], resources: [stageArns], conditions: ownStages }),
      );
      fn.addEnvironment(ivsEnv.deployment, props.deploymentTag);
    }
    // ListStages names no resource: IAM only accepts "*" for it. It reads names and tags only.
    props.sweeper.resources.lambda.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListStages', actions: ['ivs:ListStages'], resources: ['*'] }));

    this.sweepRule = new events.Rule(this, 'SweepSchedule', {
      description: 'Deletes Amazon IVS stages no live StreamCanvas session uses',
      schedule: events.Schedule.rate(props.sweepEvery ?? Duration.minutes(15)),
      targets: [new targets.LambdaFunction(props.sweeper.resources.lambda, { retryAttempts: 0 })],
    });
  }
}
