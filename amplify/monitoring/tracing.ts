import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnFunction, Tracing, type IFunction } from 'aws-cdk-lib/aws-lambda';

/**
 * Lambda active tracing (AWS X-Ray) without any tracing library: Lambda records each
 * invocation's segment (initialization/cold start, invocation, overhead), sampled by
 * Lambda's default rule (the first request each second, then 5 %). Subsegments for the
 * DynamoDB and @connections calls would need the Powertools Tracer (or the X-Ray SDK) in the
 * bundle, which this project does not install. API Gateway HTTP and WebSocket APIs cannot
 * trace, so a trace starts at the function.
 *
 * defineFunction has no tracing option, so this sets it on the CloudFormation resource and
 * grants the two X-Ray actions Lambda needs (the same statement CDK adds for Tracing.ACTIVE;
 * X-Ray does not support resource-level permissions, hence "*").
 *
 * Not for the code executor: its role holds no permissions on purpose (docs/DEPLOYMENT.md).
 */
export function enableActiveTracing(functions: readonly IFunction[]): void {
  for (const fn of functions) {
    const cfnFunction = fn.node.defaultChild;
    if (!(cfnFunction instanceof CfnFunction)) {
      throw new Error(`${fn.node.path} has no CfnFunction to enable tracing on. Resolution: pass functions created in this app.`);
    }
    cfnFunction.tracingConfig = { mode: Tracing.ACTIVE };
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    );
  }
}
