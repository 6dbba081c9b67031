import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { IvsMedia } from '../../amplify/media/resource.js';

/**
 * IvsMedia with recording on, in a plain stack (this branch's backend has no files bucket yet;
 * amplify/backend.ts passes it where defineBackend has `storage`): a storage configuration on
 * that bucket, passed to the session function, and the grant to use it in CreateStage.
 */
function synth(recording: boolean) {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = (id: string) => {
    const created = new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
    return { resources: { lambda: created }, addEnvironment: (key: string, value: string) => void created.addEnvironment(key, value), created };
  };
  const sessionApi = fn('SessionApi');
  const realtime = fn('Realtime');
  const sweep = fn('Sweep');
  const bucket = new s3.Bucket(stack, 'Files');
  new IvsMedia(stack, 'IvsMedia', { deploymentTag: 'amplify-app-main', tokenIssuer: sessionApi, stageEnders: [sessionApi, realtime], sweeper: sweep, ...(recording ? { recordingBucket: bucket } : {}) });
  return { template: Template.fromStack(stack), stack };
}

describe('IvsMedia recording', () => {
  it('with a bucket: a storage configuration on it, its ARN for the session function, and CreateStage on it', () => {
    const { template } = synth(true);
    template.resourceCountIs('AWS::IVS::StorageConfiguration', 1);
    template.hasResourceProperties('AWS::IVS::StorageConfiguration', { S3: { BucketName: { Ref: Match.stringLikeRegexp('^Files') } } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ IVS_STORAGE_CONFIGURATION_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('Recording'), 'Arn'] } }) },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: { Sid?: string; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );
    const record = statements.find((statement) => statement.Sid === 'RecordOwnStages');
    expect(record?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Recording/), 'Arn'] });
  });

  it('without one (the default): no storage configuration and no recording grant', () => {
    const { template } = synth(false);
    template.resourceCountIs('AWS::IVS::StorageConfiguration', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('RecordOwnStages');
    expect(JSON.stringify(template.toJSON())).not.toContain('IVS_STORAGE_CONFIGURATION_ARN');
  });
});
