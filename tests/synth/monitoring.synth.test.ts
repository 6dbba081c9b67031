import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IConstruct } from 'constructs';
import { connectionsTable, sessionStatesTable, sessionsTable } from '../../amplify/data/table-definitions.js';
import {
  cycleIn,
  getAttOf,
  refOf,
  resourcesOfType,
  synthesizeBackend,
  type CfnResourceJson,
  type StackTemplate,
  type Synthesized,
} from './synth-backend.js';

/**
 * Production operations on a `branch` deployment (what Amplify Hosting deploys), with an alarm
 * e-mail configured: alarms, their topic, the dashboard, log retention, tracing, throttling, and
 * the tables' backups. Synthesized once; expected values are written out, not derived.
 */
type BackendModule = typeof import('../../amplify/backend.js');
let synth: Synthesized<BackendModule>;

beforeAll(async () => {
  synth = await synthesizeBackend({
    deploymentType: 'branch',
    // Media over mesh: IVS adds its own alarms and graphs (media-ivs.synth.test.ts).
    env: { STREAMCANVAS_ALARM_EMAIL: 'oncall@example.com, lead@example.com', STREAMCANVAS_MEDIA_PROVIDER: 'mesh' },
  });
});
afterAll(() => synth?.cleanup());

const props = (resource: CfnResourceJson | undefined): Record<string, unknown> => resource?.Properties ?? {};
const monitoringStack = () => synth.stack('monitoring');
const alarms = () => resourcesOfType(monitoringStack(), 'AWS::CloudWatch::Alarm');
/** Every function of the backend (not the executor, which has its own alarms). */
const FUNCTIONS = ['sessionApi', 'realtime', 'wsAuthorizer', 'deckProcessor', 'eventsAuthorizer'] as const;
const fnOf = (name: (typeof FUNCTIONS)[number]) => synth.module.backend[name].resources.cfnResources.cfnFunction;
/** `${Ref:<stack>/<logicalId>}`, as `synth.render` writes a reference to a construct. */
const refTo = (construct: IConstruct) => {
  const { stack, logicalId } = synth.locate(construct);
  return `\${Ref:${stack.name}/${logicalId}}`;
};
const topicRef = () => {
  const [[topicId]] = resourcesOfType(monitoringStack(), 'AWS::SNS::Topic') as [[string, CfnResourceJson]];
  return { Ref: topicId };
};

interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
  Period: number;
  Stat: string;
}
interface MetricDataQuery {
  Id: string;
  Expression?: string;
  MetricStat?: MetricStat;
  ReturnData?: boolean;
}

/** An alarm's single metric, dimensions rendered across stacks. */
function singleMetricOf(alarm: CfnResourceJson) {
  const p = props(alarm);
  return {
    namespace: p.Namespace,
    metricName: p.MetricName,
    statistic: p.Statistic,
    period: p.Period,
    dimensions: Object.fromEntries(
      (p.Dimensions as { Name: string; Value: unknown }[]).map((d) => [d.Name, synth.render(d.Value, monitoringStack())]),
    ),
  };
}

/** The common shape every alarm must have: 1 of 1 period, missing data OK, both actions to the topic. */
function expectPagingAlarm(alarm: CfnResourceJson, threshold: number, comparison: string) {
  expect(props(alarm)).toMatchObject({
    Threshold: threshold,
    ComparisonOperator: comparison,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    TreatMissingData: 'notBreaching',
    AlarmActions: [topicRef()],
    OKActions: [topicRef()],
  });
}

function alarmWithMetric(metricName: string, dimensionValue: string): CfnResourceJson {
  const found = alarms().filter(([, alarm]) => {
    const p = props(alarm);
    if (p.MetricName !== metricName) return false;
    return Object.values(singleMetricOf(alarm).dimensions).includes(dimensionValue);
  });
  expect(found, `alarms on ${metricName} of ${dimensionValue}`).toHaveLength(1);
  return found[0]![1];
}

describe('the alarm topic', () => {
  it('is one SNS topic in the monitoring stack, with an e-mail subscription per STREAMCANVAS_ALARM_EMAIL address', () => {
    expect(resourcesOfType(monitoringStack(), 'AWS::SNS::Topic')).toHaveLength(1);
    const subscriptions = resourcesOfType(monitoringStack(), 'AWS::SNS::Subscription').map(([, s]) => props(s));
    expect(subscriptions).toEqual([
      { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: topicRef() },
      { Protocol: 'email', Endpoint: 'lead@example.com', TopicArn: topicRef() },
    ]);
  });
});

describe('alarms', () => {
  it('are exactly: 5 function error alarms, 5 table throttle alarms, HTTP 5xx and WebSocket integration errors', () => {
    expect(alarms()).toHaveLength(12);
    for (const stack of synth.stacks.filter((s) => s.name !== 'monitoring')) {
      expect(resourcesOfType(stack, 'AWS::CloudWatch::Alarm'), stack.name).toEqual([]);
    }
  });

  it('each notify the topic on ALARM and OK, after one 5-minute period, treating missing data as fine', () => {
    for (const [id, alarm] of alarms()) {
      const p = props(alarm);
      expect(p.EvaluationPeriods, id).toBe(1);
      expect(p.DatapointsToAlarm, id).toBe(1);
      expect(p.TreatMissingData, id).toBe('notBreaching');
      expect(p.AlarmActions, id).toEqual([topicRef()]);
      expect(p.OKActions, id).toEqual([topicRef()]);
      expect(p.AlarmName, id).toMatch(new RegExp(`^${synth.module.backend.stack.stackName}-`));
    }
  });

  it.each(FUNCTIONS)('%s: more than 5 Errors (Sum) in 5 minutes', (name) => {
    const alarm = alarmWithMetric('Errors', refTo(fnOf(name)));
    expect(singleMetricOf(alarm)).toEqual({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      statistic: 'Sum',
      period: 300,
      dimensions: { FunctionName: refTo(fnOf(name)) },
    });
    expectPagingAlarm(alarm, 5, 'GreaterThanThreshold');
  });

  const tables = [
    { definition: sessionsTable, indexes: ['HostIdIndex'] },
    { definition: sessionStatesTable, indexes: [] },
    { definition: connectionsTable, indexes: ['SessionIdIndex'] },
  ];
  it.each(tables)('$definition.logicalName: any read or write throttle event, on the table or its indexes', ({ definition, indexes }) => {
    const tableRef = refTo(synth.module.tables.tableFor(definition));
    const found = alarms().filter(([, alarm]) =>
      ((props(alarm).Metrics as MetricDataQuery[] | undefined) ?? []).some(
        (q) => q.MetricStat && synth.render(q.MetricStat.Metric.Dimensions.find((d) => d.Name === 'TableName')?.Value, monitoringStack()) === tableRef,
      ),
    );
    expect(found).toHaveLength(1);
    const [, alarm] = found[0]!;
    const queries = props(alarm).Metrics as MetricDataQuery[];
    const expression = queries.filter((q) => q.Expression);
    expect(expression).toHaveLength(1);
    expect(expression[0]!.ReturnData).toBe(true);

    const inputs = queries.filter((q) => q.MetricStat);
    const describe = (q: MetricDataQuery) => ({
      namespace: q.MetricStat!.Metric.Namespace,
      metricName: q.MetricStat!.Metric.MetricName,
      stat: q.MetricStat!.Stat,
      period: q.MetricStat!.Period,
      dimensions: Object.fromEntries(q.MetricStat!.Metric.Dimensions.map((d) => [d.Name, synth.render(d.Value, monitoringStack())])),
      returnData: q.ReturnData,
    });
    const input = (metricName: string, index?: string) => ({
      namespace: 'AWS/DynamoDB',
      metricName,
      stat: 'Sum',
      period: 300,
      dimensions: { TableName: tableRef, ...(index ? { GlobalSecondaryIndexName: index } : {}) },
      returnData: false,
    });
    expect(inputs.map(describe)).toEqual([
      input('ReadThrottleEvents'),
      input('WriteThrottleEvents'),
      ...indexes.flatMap((index) => [input('ReadThrottleEvents', index), input('WriteThrottleEvents', index)]),
    ]);
    // Every input is summed, each with gaps filled by 0.
    expect(expression[0]!.Expression).toBe(inputs.map((q) => `FILL(${q.Id}, 0)`).join(' + '));
    expectPagingAlarm(alarm, 1, 'GreaterThanOrEqualToThreshold');
  });

  it('HTTP API: 1 or more 5xx responses (Sum) in 5 minutes', () => {
    const apiRef = refTo(synth.module.apis.httpApi);
    const alarm = alarmWithMetric('5xx', apiRef);
    expect(singleMetricOf(alarm)).toEqual({
      namespace: 'AWS/ApiGateway',
      metricName: '5xx',
      statistic: 'Sum',
      period: 300,
      dimensions: { ApiId: apiRef },
    });
    expectPagingAlarm(alarm, 1, 'GreaterThanOrEqualToThreshold');
  });

  it('WebSocket API: 1 or more IntegrationError (Sum) in 5 minutes', () => {
    const apiRef = refTo(synth.module.apis.webSocketApi);
    const alarm = alarmWithMetric('IntegrationError', apiRef);
    expect(singleMetricOf(alarm)).toEqual({
      namespace: 'AWS/ApiGateway',
      metricName: 'IntegrationError',
      statistic: 'Sum',
      period: 300,
      dimensions: { ApiId: apiRef },
    });
    expectPagingAlarm(alarm, 1, 'GreaterThanOrEqualToThreshold');
  });

  it('exposes every alarm under a stable key, for wiring and tests', () => {
    expect([...synth.module.monitoring.alarms.keys()].sort()).toEqual(
      [
        'errors:session-api',
        'errors:realtime',
        'errors:ws-authorizer',
        'errors:deck-processor',
        'errors:events-authorizer',
        'throttles:StreamSessions',
        'throttles:SessionStates',
        'throttles:Connections',
        'throttles:Decks',
        'throttles:Boards',
        'http-5xx',
        'websocket-integration-errors',
      ].sort(),
    );
  });
});

describe('the dashboard', () => {
  /** The dashboard body with every reference replaced by `${…}` (rendered across stacks), parsed. */
  const body = () => {
    const dashboards = resourcesOfType(monitoringStack(), 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const join = (props(dashboards[0]![1]).DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const text = join[1].map((part) => (typeof part === 'string' ? part : synth.render(part, monitoringStack()))).join(join[0]);
    return JSON.parse(text) as {
      widgets: { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[]; query?: string } }[];
    };
  };
  const widget = (title: string) => {
    const found = body().widgets.find((w) => w.properties.title === title);
    expect(found, `widget '${title}'`).toBeDefined();
    return found!;
  };
  /** The metric names a widget plots (namespace, metric name), and its search expressions. */
  const plotted = (title: string) =>
    (widget(title).properties.metrics ?? []).map((row) =>
      typeof (row[0] as { expression?: string }).expression === 'string' ? (row[0] as { expression: string }).expression : `${row[0]} ${row[1]}`,
    );

  it('is named after the backend', () => {
    const [[, dashboard]] = resourcesOfType(monitoringStack(), 'AWS::CloudWatch::Dashboard') as [[string, CfnResourceJson]];
    expect(props(dashboard).DashboardName).toBe(`${synth.module.backend.stack.stackName}-operations`);
  });

  it('shows the state of every alarm', () => {
    const alarmArns = widget('Alarms').properties.alarms!;
    expect(alarmArns.sort()).toEqual(alarms().map(([id]) => `\${GetAtt:monitoring/${id}.Arn}`).sort());
  });

  it('graphs Lambda invocations, errors and throttles, duration and concurrency for every function', () => {
    const functions = FUNCTIONS;
    const perFunction = (title: string, metricName: string) => {
      const rows = widget(title).properties.metrics!.filter((row) => row[1] === metricName);
      expect(rows.map((row) => row[3]).sort(), `${title}: ${metricName}`).toEqual(functions.map((f) => refTo(fnOf(f))).sort());
    };
    perFunction('Lambda invocations (sum)', 'Invocations');
    perFunction('Lambda errors and throttles (sum)', 'Errors');
    perFunction('Lambda errors and throttles (sum)', 'Throttles');
    perFunction('Lambda duration p99 (ms)', 'Duration');
    perFunction('Lambda concurrent executions (max)', 'ConcurrentExecutions');
  });

  it('graphs DynamoDB consumed capacity and throttles', () => {
    expect(plotted('DynamoDB consumed read capacity units (sum)')).toEqual(Array(5).fill('AWS/DynamoDB ConsumedReadCapacityUnits'));
    expect(plotted('DynamoDB consumed write capacity units (sum)')).toEqual(Array(5).fill('AWS/DynamoDB ConsumedWriteCapacityUnits'));
    expect(new Set(plotted('DynamoDB throttle events (sum)'))).toEqual(
      new Set(['AWS/DynamoDB ReadThrottleEvents', 'AWS/DynamoDB WriteThrottleEvents']),
    );
  });

  it('graphs WebSocket connections, messages, errors and latency, and the active viewers', () => {
    expect(plotted('WebSocket connects and messages (sum)')).toEqual(['AWS/ApiGateway ConnectCount', 'AWS/ApiGateway MessageCount']);
    expect(plotted('WebSocket errors (sum)')).toEqual([
      'AWS/ApiGateway IntegrationError',
      'AWS/ApiGateway ClientError',
      'AWS/ApiGateway ExecutionError',
    ]);
    expect(plotted('WebSocket integration latency (ms)')).toEqual(Array(2).fill('AWS/ApiGateway IntegrationLatency'));
    expect(plotted('Active viewers, largest session (max)')).toEqual(['StreamCanvas ActiveViewers']);
  });

  it('graphs HTTP requests, 4xx/5xx and latency', () => {
    expect(plotted('HTTP requests (sum)')).toEqual(['AWS/ApiGateway Count']);
    expect(plotted('HTTP 4xx and 5xx (sum)')).toEqual(['AWS/ApiGateway 4xx', 'AWS/ApiGateway 5xx']);
    expect(plotted('HTTP latency (ms)')).toEqual(['AWS/ApiGateway Latency', 'AWS/ApiGateway Latency', 'AWS/ApiGateway IntegrationLatency']);
  });

  it('graphs Cognito sign-ups and sign-ins of the app client', () => {
    const { cfnUserPool, cfnUserPoolClient } = synth.module.backend.auth.resources.cfnResources;
    const rows = widget('Cognito sign-ups and sign-ins (sum)').properties.metrics!;
    expect(rows.map((row) => row.slice(0, 6))).toEqual(
      ['SignUpSuccesses', 'SignInSuccesses', 'TokenRefreshSuccesses'].map((name) => [
        'AWS/Cognito',
        name,
        'UserPool',
        refTo(cfnUserPool),
        'UserPoolClient',
        refTo(cfnUserPoolClient),
      ]),
    );
  });

  it("graphs the app's own metrics: publishes, fan-out duration, rejected messages by reason, code runs by language", () => {
    expect(plotted('Publishes (sum) and viewers per publish (max)')).toEqual(['StreamCanvas Publishes', 'StreamCanvas FanOutViewers']);
    expect(plotted('Fan-out duration per publish (ms)')).toEqual(Array(3).fill('StreamCanvas FanOutDuration'));
    expect(plotted('Rejected messages by reason (sum)')).toEqual([
      `SEARCH('{StreamCanvas,service,reason} service="realtime" MetricName="RejectedMessages"', 'Sum', 300)`,
    ]);
    expect(plotted('Code runs by language (sum)')).toEqual([
      `SEARCH('{StreamCanvas,service,language} service="realtime" MetricName="CodeRuns"', 'Sum', 300)`,
    ]);
  });

  it('lists recent errors and warnings from every function log group', () => {
    const query = widget('Recent errors and warnings (all functions)').properties.query!;
    for (const name of FUNCTIONS) {
      expect(query).toContain(`SOURCE '${logGroupRefOf(name)}'`);
    }
    expect(query).toContain('filter level in ["ERROR", "CRITICAL", "WARN"]');
  });
});

/** `${Ref:realtime/<log group>}`: the log group a function's LoggingConfig points at. */
function logGroupRefOf(name: (typeof FUNCTIONS)[number]): string {
  const { stack, logicalId } = synth.locate(fnOf(name));
  const logGroup = refOf((props(stack.json.Resources[logicalId]).LoggingConfig as { LogGroup: unknown }).LogGroup);
  return `\${Ref:${stack.name}/${logGroup}}`;
}

describe('logs', () => {
  /** Amplify's own deploy-time helper (root stack, branch deployments only); its logs are not ours to configure. */
  const isAmplifyInternal = (stack: StackTemplate, logicalId: string) => stack.name === 'root' && logicalId.startsWith('AmplifyBranchLinker');

  /**
   * The log group a function writes to: the one its LoggingConfig names, or else one created
   * under Lambda's default name `/aws/lambda/<function>` (what Monitoring.addExecutor does).
   */
  const logGroupOf = (stack: StackTemplate, functionId: string, fn: CfnResourceJson) => {
    const configured = refOf((props(fn).LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
    if (configured) return stack.json.Resources[configured];
    return resourcesOfType(stack, 'AWS::Logs::LogGroup')
      .map(([, group]) => group)
      .find((group) => JSON.stringify(props(group).LogGroupName) === JSON.stringify({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: functionId }]] }));
  };

  it('every StreamCanvas function logs to a log group kept for 30 days', () => {
    const functions = synth.stacks.flatMap((stack) =>
      resourcesOfType(stack, 'AWS::Lambda::Function')
        .filter(([id]) => !isAmplifyInternal(stack, id))
        .map(([id, fn]) => ({ stack, id, fn })),
    );
    expect(functions.map(({ stack, id }) => `${stack.name}/${id}`)).toEqual(
      expect.arrayContaining(FUNCTIONS.map((name) => refTo(fnOf(name)).slice(6, -1))),
    );
    for (const { stack, id, fn } of functions) {
      const logGroup = logGroupOf(stack, id, fn);
      expect(logGroup?.Type, `${stack.name}/${id} has no log group of its own`).toBe('AWS::Logs::LogGroup');
      expect(props(logGroup).RetentionInDays, `${stack.name}/${id}`).toBe(30);
    }
  });

  it('saves a Logs Insights query for errors and warnings over every function log group', () => {
    const queries = resourcesOfType(monitoringStack(), 'AWS::Logs::QueryDefinition');
    expect(queries).toHaveLength(1);
    const query = props(queries[0]![1]);
    expect(query.Name).toBe(`${synth.module.backend.stack.stackName}/errors-and-warnings`);
    expect((query.LogGroupNames as unknown[]).map((name) => synth.render(name, monitoringStack())).sort()).toEqual(
      FUNCTIONS.map(logGroupRefOf).sort(),
    );
    expect(query.QueryString).toMatch(/filter level in \["ERROR", "CRITICAL", "WARN"\]/);
  });
});

describe('tracing', () => {
  it.each(FUNCTIONS)('%s has active X-Ray tracing and may send its segments', (name) => {
    const { stack, logicalId } = synth.locate(fnOf(name));
    const fn = props(stack.json.Resources[logicalId]);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    const roleId = getAttOf(fn.Role)!.logicalId;
    const statements = resourcesOfType(stack, 'AWS::IAM::Policy')
      .filter(([, policy]) => (props(policy).Roles as unknown[]).some((role) => refOf(role) === roleId))
      .flatMap(([, policy]) => (props(policy).PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }),
    );
  });
});

describe('throttling', () => {
  const stageOf = (api: IConstruct) => {
    const { stack, logicalId } = synth.locate(api);
    const stages = resourcesOfType(stack, 'AWS::ApiGatewayV2::Stage').filter(([, s]) => refOf(props(s).ApiId) === logicalId);
    expect(stages).toHaveLength(1);
    return { stack, apiId: logicalId, stage: stages[0]![1] };
  };
  const routeIdOf = (stack: StackTemplate, apiId: string, routeKey: string) => {
    const [found] = resourcesOfType(stack, 'AWS::ApiGatewayV2::Route').filter(
      ([, r]) => refOf(props(r).ApiId) === apiId && props(r).RouteKey === routeKey,
    );
    return found![0];
  };
  const limits = (rate: number, burst: number) => ({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });

  it('HTTP API: 100 requests/s (burst 200) per route, creating sessions 10/s (burst 20)', () => {
    const { stack, apiId, stage } = stageOf(synth.module.apis.httpApi);
    expect(props(stage).DefaultRouteSettings).toEqual(limits(100, 200));
    expect(props(stage).RouteSettings).toEqual({
      'POST /sessions': limits(10, 20),
      'POST /sessions/{sessionId}/media/subscribe-token': limits(40, 80),
      'POST /sessions/{sessionId}/media/publish-token': limits(10, 20),
    });
    // The stage must be created after the route its settings name.
    expect([stage.DependsOn].flat()).toContain(routeIdOf(stack, apiId, 'POST /sessions'));
  });

  it('WebSocket API: 1000 messages/s (burst 2000) per route; $connect, chat, react and runCode lower', () => {
    const { stack, apiId, stage } = stageOf(synth.module.apis.webSocketApi);
    expect(props(stage).DefaultRouteSettings).toEqual(limits(1000, 2000));
    expect(props(stage).RouteSettings).toEqual({
      $connect: limits(300, 600),
      chat: limits(100, 200),
      react: limits(50, 100),
      runCode: limits(10, 20),
    });
    for (const routeKey of ['$connect', 'chat', 'react', 'runCode']) {
      expect([stage.DependsOn].flat()).toContain(routeIdOf(stack, apiId, routeKey));
    }
  });
});

describe('backups on a branch deployment', () => {
  it.each([sessionsTable, sessionStatesTable, connectionsTable])('$logicalName has point-in-time recovery, deletion protection and is retained', (definition) => {
    const { stack, logicalId } = synth.locate(synth.module.tables.tableFor(definition));
    const table = stack.json.Resources[logicalId]!;
    expect(props(table).PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(props(table).DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
  });
});

describe('the monitoring stack', () => {
  it('only reads the other stacks: nothing references it, and there is no cycle', () => {
    const names = new Map(synth.stacks.filter((s) => s.resourceId).map((s) => [s.resourceId!, s.name]));
    const monitoringId = monitoringStack().resourceId!;
    for (const [logicalId, resource] of resourcesOfType(synth.root, 'AWS::CloudFormation::Stack')) {
      if (logicalId === monitoringId) continue;
      expect(JSON.stringify(resource), `${names.get(logicalId)} references monitoring`).not.toContain(monitoringId);
    }
    expect(synth.violations).toEqual([]);
    expect(synth.synthError?.message).toBeUndefined();
    expect(synth.stacks.map((stack) => cycleIn(stack)).filter(Boolean)).toEqual([]);
  });
});
