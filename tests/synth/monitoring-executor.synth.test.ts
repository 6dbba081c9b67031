import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { HttpApi, WebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { CodeExecutor } from '../../amplify/executor/resource.js';
import { Monitoring, alarmEmails } from '../../amplify/monitoring/resource.js';

/**
 * Monitoring.addExecutor, the one line that brings the code executor under monitoring once it
 * is wired into amplify/backend.ts. Synthesized in a plain App (no Amplify, no Docker): the
 * executor in the same stack as the monitoring, as CodeExecutor creates it from a prebuilt image.
 */

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function synth(options: { executorLogGroup?: boolean } = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'monitoring-synth-'));
  outdirs.push(outdir);
  const stack = new Stack(new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } }), 'Ops');
  const userPool = new UserPool(stack, 'Pool');
  const monitoring = new Monitoring(stack, 'Monitoring', {
    namePrefix: 'sc-test',
    functions: {},
    tables: [{ name: 'Things', table: new Table(stack, 'Things', { partitionKey: { name: 'id', type: AttributeType.STRING } }) }],
    httpApi: new HttpApi(stack, 'Http'),
    webSocketApi: new WebSocketApi(stack, 'Ws'),
    userPool,
    userPoolClient: userPool.addClient('Client'),
  });
  let fn: lambda.Function;
  if (options.executorLogGroup) {
    fn = new lambda.Function(stack, 'Executor', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      timeout: Duration.seconds(20),
      logGroup: new logs.LogGroup(stack, 'ExecutorLogs', { retention: logs.RetentionDays.ONE_MONTH }),
    });
  } else {
    fn = new CodeExecutor(stack, 'Executor', {
      dockerAvailable: false,
      prebuiltImage: { repository: 'streamcanvas-executor', tagOrDigest: '0123abcd' },
      network: { kind: 'none' },
    }).function;
  }
  monitoring.addExecutor(fn, { reservedConcurrency: 10 });
  const template = Template.fromStack(stack);
  const executorRef = { Ref: stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction) };
  const topicRef = { Ref: stack.getLogicalId(monitoring.topic.node.defaultChild as never) };
  return { template, monitoring, executorRef, topicRef, stack };
}

const { template, monitoring, executorRef, topicRef } = synth();
const alarmProps = (key: string) => {
  const alarm = monitoring.alarms.get(key);
  expect(alarm, key).toBeDefined();
  const resources = template.findResources('AWS::CloudWatch::Alarm');
  const logicalId = Stack.of(alarm!).getLogicalId(alarm!.node.defaultChild as never);
  return resources[logicalId]!.Properties as Record<string, unknown>;
};
const paging = (threshold: number, comparison: string) => ({
  Threshold: threshold,
  ComparisonOperator: comparison,
  EvaluationPeriods: 1,
  DatapointsToAlarm: 1,
  TreatMissingData: 'notBreaching',
  AlarmActions: [topicRef],
  OKActions: [topicRef],
});

describe('Monitoring.addExecutor', () => {
  it('alarms on more than 5 executor Errors (Sum) in 5 minutes, like every function', () => {
    expect(alarmProps('errors:executor')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 300,
      Dimensions: [{ Name: 'FunctionName', Value: executorRef }],
      ...paging(5, 'GreaterThanThreshold'),
    });
  });

  it('alarms when more than 10 % of at least 5 invocations in 5 minutes failed (metric math)', () => {
    const props = alarmProps('executor-error-rate');
    expect(props).toMatchObject(paging(10, 'GreaterThanThreshold'));
    const stat = (metricName: string) => ({
      Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: [{ Name: 'FunctionName', Value: executorRef }] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(props.Metrics).toEqual([
      {
        Id: 'expr_1',
        Expression: 'IF(invocations >= 5, 100 * FILL(errors, 0) / invocations, 0)',
        Label: 'Executor error rate (%)',
        ReturnData: true,
      },
      { Id: 'invocations', MetricStat: stat('Invocations'), ReturnData: false },
      { Id: 'errors', MetricStat: stat('Errors'), ReturnData: false },
    ]);
  });

  it('alarms when an invocation ran 90 % of the 20 s timeout or longer (Maximum Duration >= 18000 ms)', () => {
    expect(alarmProps('executor-timeouts')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Period: 300,
      Dimensions: [{ Name: 'FunctionName', Value: executorRef }],
      ...paging(18000, 'GreaterThanOrEqualToThreshold'),
    });
  });

  it("keeps the executor's log group (Lambda's default name) for 30 days", () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', executorRef]] },
      RetentionInDays: 30,
    });
  });

  it('creates no second log group for a function that has its own', () => {
    const withOwn = synth({ executorLogGroup: true });
    const groups = Object.values(withOwn.template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(1);
    expect(groups[0]!.Properties).toMatchObject({ RetentionInDays: 30 });
    expect(groups[0]!.Properties.LogGroupName).toBeUndefined();
  });

  it('adds the executor alarms to the alarm status widget and a row of executor graphs to the dashboard', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const key of ['errors:executor', 'executor-error-rate', 'executor-timeouts']) {
      const alarm = monitoring.alarms.get(key)!;
      expect(body).toContain(Stack.of(alarm).getLogicalId(alarm.node.defaultChild as never));
    }
    for (const title of ['Executor invocations, errors, throttles (sum)', 'Executor duration (ms)', 'Executor concurrent executions (max)', 'Code runs by status (sum)']) {
      expect(body).toContain(title);
    }
    expect(body).toContain('{\\"value\\":20000,\\"label\\":\\"timeout\\"');
    expect(body).toContain('{\\"value\\":10,\\"label\\":\\"reserved\\"');
  });

  it('gives the executor no new permission (its role stays empty)', () => {
    template.hasResourceProperties('AWS::IAM::Role', Match.objectLike({ Policies: Match.absent(), ManagedPolicyArns: Match.absent() }));
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('alarmEmails (STREAMCANVAS_ALARM_EMAIL)', () => {
  it('reads none, one or several comma-separated addresses', () => {
    expect(alarmEmails({})).toEqual([]);
    expect(alarmEmails({ STREAMCANVAS_ALARM_EMAIL: '' })).toEqual([]);
    expect(alarmEmails({ STREAMCANVAS_ALARM_EMAIL: 'oncall@example.com' })).toEqual(['oncall@example.com']);
    expect(alarmEmails({ STREAMCANVAS_ALARM_EMAIL: ' a@example.com, b@example.org ,a@example.com' })).toEqual(['a@example.com', 'b@example.org']);
  });

  it.each(['oncall', 'on call@example.com', 'a@b'])('refuses %s with a resolution', (value) => {
    expect(() => alarmEmails({ STREAMCANVAS_ALARM_EMAIL: value })).toThrow(/not an e-mail address\. Resolution:/);
  });
});
