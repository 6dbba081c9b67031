import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { IHttpApi, IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, appMetrics, metricDimensions, serviceNames } from '../functions/shared/metric-names.js';

/**
 * Alarms, the alarm topic, the operations dashboard and a saved Logs Insights query for one
 * StreamCanvas backend. It only *reads* the other stacks (function names, table names, API ids,
 * the user pool), so put it in a stack of its own (`backend.createStack('monitoring')`):
 * references then point from monitoring to the others and never back, and no cycle can form.
 *
 * Every alarm: one 5-minute period, one evaluation period, missing data is not breaching,
 * ALARM and OK both notify the topic. Thresholds are in `alarmThresholds`; docs/DEPLOYMENT.md
 * lists them with what to do when each fires.
 */

/** Written out so the docs and the synth tests can state them. */
export const alarmThresholds = {
  /** Every 5-minute period. */
  periodMinutes: 5,
  /** Each function: Errors (Sum) > 5. */
  lambdaErrors: 5,
  /** Each table: read + write throttle events, table and indexes (Sum) >= 1. */
  tableThrottledRequests: 1,
  /** HTTP API: 5xx responses (Sum) >= 1. The session function answers 500 for any unhandled error. */
  http5xx: 1,
  /** WebSocket API: IntegrationError (Sum) >= 1: the realtime function failed or timed out. */
  webSocketIntegrationErrors: 1,
  /** Executor: errors as a percentage of invocations > 10, counted only with at least 5 invocations. */
  executorErrorRatePercent: 10,
  executorErrorRateMinInvocations: 5,
  /** Executor: the longest invocation (Maximum Duration) >= 90 % of the function timeout. */
  executorTimeoutFraction: 0.9,
  /** IVS: requests Amazon IVS refused for a quota or throttling (Sum) >= 1. */
  ivsRefusals: 1,
  /** IVS: subscribers' download packet loss, region-wide (Average, percent) > 5. */
  ivsDownloadPacketLossPercent: 5,
} as const;

export interface MonitoredTable {
  /** Label in alarm names and on the dashboard, e.g. the table's logical name. */
  name: string;
  table: ITable;
  /** Global secondary indexes: their throttles count as the table's (a throttled index write throttles the table write). */
  indexNames?: readonly string[];
}

export interface MonitoringProps {
  /** Makes alarm and dashboard names unique per backend in the account, e.g. the root stack name. */
  namePrefix: string;
  /** Addresses subscribed to the alarm topic (each must confirm the e-mail AWS sends). */
  alarmEmails?: readonly string[];
  /** Label -> function. Each gets an error alarm and a line on the Lambda graphs. */
  functions: Readonly<Record<string, lambda.IFunction>>;
  tables: readonly MonitoredTable[];
  httpApi: IHttpApi;
  webSocketApi: IWebSocketApi;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
}

export interface ExecutorMonitoringOptions {
  /** Default: the function's own timeout (`fn.timeout`). */
  timeout?: Duration;
  /** Drawn as a line on the concurrency graph. */
  reservedConcurrency?: number;
}

const period = Duration.minutes(alarmThresholds.periodMinutes);
/** Counted by a log metric filter on `ivsFailure` (amplify/functions/session-api/media-tokens.ts logs it). */
export const IVS_REFUSALS_METRIC = 'IvsRefusals';

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  /** Keyed `errors:<function>`, `throttles:<table>`, `http-5xx`, `websocket-integration-errors`, `executor-*`. */
  readonly alarms = new Map<string, cloudwatch.Alarm>();
  readonly errorsQuery?: logs.QueryDefinition;

  private readonly namePrefix: string;
  private readonly alarmAction: SnsAction;
  /** The alarm status widget reads this list when the dashboard renders (at synth), so later alarms appear too. */
  private readonly alarmList: cloudwatch.IAlarm[] = [];
  private readonly lambdaGraphs: {
    invocations: cloudwatch.GraphWidget;
    errors: cloudwatch.GraphWidget;
    duration: cloudwatch.GraphWidget;
    concurrency: cloudwatch.GraphWidget;
  };

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix;

    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'StreamCanvas alarms' });
    for (const email of props.alarmEmails ?? []) this.topic.addSubscription(new EmailSubscription(email));
    this.alarmAction = new SnsAction(this.topic);

    this.lambdaGraphs = {
      invocations: graph('Lambda invocations (sum)'),
      errors: graph('Lambda errors and throttles (sum)'),
      duration: graph('Lambda duration p99 (ms)'),
      concurrency: graph('Lambda concurrent executions (max)'),
    };
    for (const [label, fn] of Object.entries(props.functions)) this.addFunction(label, fn);
    for (const table of props.tables) this.addTableAlarm(table);
    this.addAlarm('http-5xx', 'Http5xx', {
      description: `The HTTP API answered ${alarmThresholds.http5xx} or more 5xx responses in ${alarmThresholds.periodMinutes} minutes.`,
      metric: props.httpApi.metricServerError({ period, statistic: 'Sum' }),
      threshold: alarmThresholds.http5xx,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.addAlarm('websocket-integration-errors', 'WebSocketIntegrationErrors', {
      description:
        `The WebSocket API saw ${alarmThresholds.webSocketIntegrationErrors} or more integration errors in ${alarmThresholds.periodMinutes} minutes ` +
        '(the realtime function failed, timed out or was throttled).',
      metric: props.webSocketApi.metric('IntegrationError', { period, statistic: 'Sum' }),
      threshold: alarmThresholds.webSocketIntegrationErrors,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    const logGroups = Object.entries(props.functions).flatMap(([label, fn]) => {
      const name = configuredLogGroupName(fn);
      return name ? [logs.LogGroup.fromLogGroupName(this, `LogGroup-${label}`, name)] : [];
    });
    if (logGroups.length > 0) {
      this.errorsQuery = new logs.QueryDefinition(this, 'ErrorsQuery', {
        queryDefinitionName: `${props.namePrefix}/errors-and-warnings`,
        queryString: new logs.QueryString({
          fields: ['@timestamp', 'service', 'level', 'message', 'error', 'routeKey', 'sessionId', '@requestId'],
          filterStatements: ['level in ["ERROR", "CRITICAL", "WARN"] or @message like /Task timed out|Runtime.ExitError/'],
          sort: '@timestamp desc',
          limit: 200,
        }),
        logGroups,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix}-operations`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# StreamCanvas operations\n' +
          'Alarms notify the SNS topic of this backend (subscribe with `STREAMCANVAS_ALARM_EMAIL`). ' +
          'Thresholds and what to do: docs/DEPLOYMENT.md, section *Monitoring*.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarmList, width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      this.lambdaGraphs.invocations,
      this.lambdaGraphs.errors,
      this.lambdaGraphs.duration,
      this.lambdaGraphs.concurrency,
    );
    this.dashboard.addWidgets(...this.tableWidgets(props.tables));
    this.dashboard.addWidgets(...this.webSocketWidgets(props.webSocketApi));
    this.dashboard.addWidgets(...this.httpWidgets(props.httpApi));
    this.dashboard.addWidgets(...this.cognitoWidgets(props.userPool, props.userPoolClient));
    this.dashboard.addWidgets(...this.appWidgets());
    if (logGroups.length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.LogQueryWidget({
          title: 'Recent errors and warnings (all functions)',
          logGroupNames: logGroups.map((group) => group.logGroupName),
          queryLines: [
            'fields @timestamp, service, level, message, error, routeKey, sessionId',
            'filter level in ["ERROR", "CRITICAL", "WARN"]',
            'sort @timestamp desc',
            'limit 50',
          ],
          width: 24,
          height: 6,
        }),
      );
    }
  }

  /**
   * Amazon IVS real-time (media provider `ivs`): participants and quality from the
   * AWS/IVSRealTime namespace (region-wide: every stage of the account), and the requests IVS
   * refused for a quota or throttling, counted from the logs of `functions` (they log
   * `ivsFailure`). Call once, when the deployment uses IVS.
   */
  addIvs(functions: readonly lambda.IFunction[]): void {
    const ivs = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/IVSRealTime', metricName, statistic, period, label });
    const refusals = new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: IVS_REFUSALS_METRIC, statistic: 'Sum', period, label: 'refused by IVS' });
    functions.forEach((fn, index) => {
      const logGroupName = configuredLogGroupName(fn);
      if (!logGroupName) return;
      new logs.MetricFilter(this, `IvsRefusals${index}`, {
        logGroup: logs.LogGroup.fromLogGroupName(this, `IvsLogGroup${index}`, logGroupName),
        filterPattern: logs.FilterPattern.any(logs.FilterPattern.stringValue('$.ivsFailure', '=', 'quota'), logs.FilterPattern.stringValue('$.ivsFailure', '=', 'throttled')),
        metricNamespace: METRICS_NAMESPACE,
        metricName: IVS_REFUSALS_METRIC,
        metricValue: '1',
      });
    });
    this.addAlarm('ivs-refusals', 'IvsRefusals', {
      description:
        `Amazon IVS refused ${alarmThresholds.ivsRefusals} or more stage or token requests in ${alarmThresholds.periodMinutes} minutes ` +
        '(a quota such as 100 stages per region, or throttling): hosts or viewers could not start media.',
      metric: refusals,
      threshold: alarmThresholds.ivsRefusals,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.addAlarm('ivs-packet-loss', 'IvsDownloadPacketLoss', {
      description: `IVS subscribers lost more than ${alarmThresholds.ivsDownloadPacketLossPercent} % of packets on average over ${alarmThresholds.periodMinutes} minutes.`,
      metric: ivs('DownloadPacketLoss', 'Average', 'download packet loss %'),
      threshold: alarmThresholds.ivsDownloadPacketLossPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.dashboard.addWidgets(
      graph('IVS participants (max, region)', [ivs('ConcurrentPublishers', 'Maximum', 'publishers'), ivs('ConcurrentSubscriptions', 'Maximum', 'subscriptions')]),
      graph('IVS quality (avg %, region)', [ivs('DownloadPacketLoss', 'Average', 'download packet loss'), ivs('DroppedFrames', 'Average', 'dropped frames')]),
      graph('IVS bitrate (avg bit/s, region)', [ivs('PublishBitrate', 'Average', 'publish'), ivs('SubscribeBitrate', 'Average', 'subscribe')]),
      graph('IVS refusals: quota or throttling (sum)', [refusals]),
    );
  }

  /** An error alarm (> 5 errors in 5 minutes) and lines on the Lambda graphs. */
  addFunction(label: string, fn: lambda.IFunction): void {
    const metric = (name: string, statistic: string) => fn.metric(name, { period, statistic, label });
    this.lambdaGraphs.invocations.addLeftMetric(metric('Invocations', 'Sum'));
    this.lambdaGraphs.errors.addLeftMetric(metric('Errors', 'Sum'));
    this.lambdaGraphs.errors.addLeftMetric(fn.metric('Throttles', { period, statistic: 'Sum', label: `${label} throttles` }));
    this.lambdaGraphs.duration.addLeftMetric(metric('Duration', 'p99'));
    this.lambdaGraphs.concurrency.addLeftMetric(metric('ConcurrentExecutions', 'Maximum'));
    this.addAlarm(`errors:${label}`, `Errors-${label}`, {
      description: `The ${label} function failed more than ${alarmThresholds.lambdaErrors} times in ${alarmThresholds.periodMinutes} minutes.`,
      metric: fn.metricErrors({ period, statistic: 'Sum' }),
      threshold: alarmThresholds.lambdaErrors,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  /**
   * The code executor: its error alarm, an error-rate alarm (metric math), a timeout alarm
   * (longest invocation near the timeout) and a row of graphs. One call wires it:
   * `monitoring.addExecutor(executor.function)`.
   */
  addExecutor(fn: lambda.Function, options: ExecutorMonitoringOptions = {}): void {
    const timeout = options.timeout ?? fn.timeout;
    if (!timeout) {
      throw new Error(
        'Monitoring.addExecutor cannot tell the executor\'s timeout. Resolution: pass { timeout } or create the function with an explicit timeout.',
      );
    }
    const label = 'executor';
    this.addFunction(label, fn);
    if (!configuredLogGroupName(fn)) {
      // The executor's role may not write logs, so Lambda never creates its log group. Should it
      // ever get that permission, this group (Lambda's default name, in the function's own stack)
      // keeps its logs for a month instead of forever.
      new logs.LogGroup(fn, 'LogGroup', {
        logGroupName: `/aws/lambda/${fn.functionName}`,
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }

    const invocations = fn.metricInvocations({ period, statistic: 'Sum' });
    const errors = fn.metricErrors({ period, statistic: 'Sum' });
    const { executorErrorRatePercent, executorErrorRateMinInvocations, executorTimeoutFraction } = alarmThresholds;
    this.addAlarm('executor-error-rate', 'ExecutorErrorRate', {
      description:
        `More than ${executorErrorRatePercent} % of code-executor invocations failed in ${alarmThresholds.periodMinutes} minutes ` +
        `(counted from ${executorErrorRateMinInvocations} invocations). The executor answers every run, so a failed invocation is the executor itself breaking.`,
      metric: new cloudwatch.MathExpression({
        expression: `IF(invocations >= ${executorErrorRateMinInvocations}, 100 * FILL(errors, 0) / invocations, 0)`,
        usingMetrics: { invocations, errors },
        label: 'Executor error rate (%)',
        period,
      }),
      threshold: executorErrorRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    const timeoutMs = timeout.toMilliseconds();
    const nearTimeoutMs = Math.round(timeoutMs * executorTimeoutFraction);
    this.addAlarm('executor-timeouts', 'ExecutorTimeouts', {
      description:
        `A code-executor invocation ran ${nearTimeoutMs} ms or longer (${Math.round(executorTimeoutFraction * 100)} % of its ${timeoutMs} ms timeout) ` +
        `in ${alarmThresholds.periodMinutes} minutes: runs are being cut off by the Lambda timeout instead of the executor's own limits.`,
      metric: fn.metricDuration({ period, statistic: 'Maximum' }),
      threshold: nearTimeoutMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    const timeoutLine: cloudwatch.HorizontalAnnotation = { value: timeoutMs, label: 'timeout', color: cloudwatch.Color.RED };
    this.dashboard.addWidgets(
      graph('Executor invocations, errors, throttles (sum)', [
        fn.metricInvocations({ period, statistic: 'Sum', label: 'invocations' }),
        fn.metricErrors({ period, statistic: 'Sum', label: 'errors' }),
        fn.metricThrottles({ period, statistic: 'Sum', label: 'throttles' }),
      ]),
      graph(
        'Executor duration (ms)',
        ['p50', 'p99', 'Maximum'].map((statistic) => fn.metricDuration({ period, statistic, label: statistic })),
        [timeoutLine],
      ),
      graph(
        'Executor concurrent executions (max)',
        [fn.metric('ConcurrentExecutions', { period, statistic: 'Maximum', label: 'concurrent' })],
        options.reservedConcurrency ? [{ value: options.reservedConcurrency, label: 'reserved', color: cloudwatch.Color.RED }] : [],
      ),
      graph('Code runs by status (sum)', [appSearch(appMetrics.codeRuns.name, metricDimensions.status, 'Sum')]),
    );
  }

  private addTableAlarm(table: MonitoredTable): void {
    const dynamo = (metricName: string, indexName?: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: table.table.tableName, ...(indexName ? { GlobalSecondaryIndexName: indexName } : {}) },
        statistic: 'Sum',
        period,
      });
    const usingMetrics: Record<string, cloudwatch.IMetric> = {
      readThrottles: dynamo('ReadThrottleEvents'),
      writeThrottles: dynamo('WriteThrottleEvents'),
    };
    (table.indexNames ?? []).forEach((indexName, i) => {
      usingMetrics[`indexRead${i}`] = dynamo('ReadThrottleEvents', indexName);
      usingMetrics[`indexWrite${i}`] = dynamo('WriteThrottleEvents', indexName);
    });
    this.addAlarm(`throttles:${table.name}`, `Throttles-${table.name}`, {
      description: `DynamoDB throttled requests to table ${table.name} (or its indexes) in ${alarmThresholds.periodMinutes} minutes.`,
      metric: new cloudwatch.MathExpression({
        expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '),
        usingMetrics,
        label: `${table.name} throttle events`,
        period,
      }),
      threshold: alarmThresholds.tableThrottledRequests,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }

  private addAlarm(
    key: string,
    id: string,
    props: { description: string; metric: cloudwatch.IMetric; threshold: number; comparisonOperator: cloudwatch.ComparisonOperator },
  ): void {
    const alarm = new cloudwatch.Alarm(this, `Alarm-${id}`, {
      alarmName: `${this.namePrefix}-${key.replace(':', '-')}`,
      alarmDescription: `${props.description} See docs/DEPLOYMENT.md, section Monitoring.`,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: props.comparisonOperator,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.alarms.set(key, alarm);
    this.alarmList.push(alarm);
  }

  private tableWidgets(tables: readonly MonitoredTable[]): cloudwatch.IWidget[] {
    const byTable = (metricName: string, suffix = '') =>
      tables.map((t) => t.table.metric(metricName, { period, statistic: 'Sum', label: `${t.name}${suffix}` }));
    return [
      graph('DynamoDB consumed read capacity units (sum)', byTable('ConsumedReadCapacityUnits')),
      graph('DynamoDB consumed write capacity units (sum)', byTable('ConsumedWriteCapacityUnits')),
      graph('DynamoDB throttle events (sum)', [
        ...byTable('ReadThrottleEvents', ' read'),
        ...byTable('WriteThrottleEvents', ' write'),
      ]),
      graph('DynamoDB system errors (sum)', byTable('SystemErrors')),
    ];
  }

  private webSocketWidgets(api: IWebSocketApi): cloudwatch.IWidget[] {
    const ws = (metricName: string, statistic = 'Sum', label = metricName) => api.metric(metricName, { period, statistic, label });
    return [
      graph('WebSocket connects and messages (sum)', [ws('ConnectCount'), ws('MessageCount')]),
      graph('WebSocket errors (sum)', [ws('IntegrationError'), ws('ClientError'), ws('ExecutionError')]),
      graph('WebSocket integration latency (ms)', [ws('IntegrationLatency', 'p50', 'p50'), ws('IntegrationLatency', 'p99', 'p99')]),
      graph('Active viewers, largest session (max)', [appMetric(appMetrics.activeViewers.name, 'Maximum', 'viewers')]),
    ];
  }

  private httpWidgets(api: IHttpApi): cloudwatch.IWidget[] {
    return [
      graph('HTTP requests (sum)', [api.metricCount({ period, statistic: 'Sum', label: 'requests' })]),
      graph('HTTP 4xx and 5xx (sum)', [
        api.metricClientError({ period, statistic: 'Sum', label: '4xx' }),
        api.metricServerError({ period, statistic: 'Sum', label: '5xx' }),
      ]),
      graph('HTTP latency (ms)', [
        api.metricLatency({ period, statistic: 'p50', label: 'latency p50' }),
        api.metricLatency({ period, statistic: 'p99', label: 'latency p99' }),
        api.metricIntegrationLatency({ period, statistic: 'p99', label: 'integration p99' }),
      ]),
    ];
  }

  private cognitoWidgets(userPool: IUserPool, client: IUserPoolClient): cloudwatch.IWidget[] {
    const cognito = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Cognito',
        metricName,
        dimensionsMap: { UserPool: userPool.userPoolId, UserPoolClient: client.userPoolClientId },
        statistic: 'Sum',
        period,
        label: metricName,
      });
    return [
      graph('Cognito sign-ups and sign-ins (sum)', ['SignUpSuccesses', 'SignInSuccesses', 'TokenRefreshSuccesses'].map(cognito)),
      graph('Cognito throttles (sum)', ['SignUpThrottles', 'SignInThrottles', 'TokenRefreshThrottles'].map(cognito)),
    ];
  }

  private appWidgets(): cloudwatch.IWidget[] {
    return [
      graph('Publishes (sum) and viewers per publish (max)', [
        appMetric(appMetrics.publishes.name, 'Sum', 'publishes'),
        appMetric(appMetrics.fanOutViewers.name, 'Maximum', 'viewers per publish'),
      ]),
      graph(
        'Fan-out duration per publish (ms)',
        ['p50', 'p99', 'Maximum'].map((statistic) => appMetric(appMetrics.fanOutDuration.name, statistic, statistic)),
      ),
      graph('Rejected messages by reason (sum)', [appSearch(appMetrics.rejectedMessages.name, metricDimensions.reason, 'Sum')]),
      graph('Code runs by language (sum)', [appSearch(appMetrics.codeRuns.name, metricDimensions.language, 'Sum')]),
    ];
  }
}

/**
 * The log group a function was created with (`logging.retention` in defineFunction, or CDK's
 * `logGroup` prop). Read from the CloudFormation resource: the L2 `fn.logGroup` getter would
 * create a LogRetention custom resource for a function that has none.
 */
function configuredLogGroupName(fn: lambda.IFunction): string | undefined {
  const cfnFunction = fn.node.defaultChild;
  if (!(cfnFunction instanceof lambda.CfnFunction)) return undefined;
  const loggingConfig = cfnFunction.loggingConfig;
  if (!loggingConfig || Token.isUnresolved(loggingConfig)) return undefined;
  return (loggingConfig as lambda.CfnFunction.LoggingConfigProperty).logGroup;
}

/** STREAMCANVAS_ALARM_EMAIL: one address or several separated by commas; unset for none. */
export function alarmEmails(env: Record<string, string | undefined> = process.env): string[] {
  const emails = (env.STREAMCANVAS_ALARM_EMAIL ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const email of emails) {
    if (!/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(email)) {
      throw new Error(
        `STREAMCANVAS_ALARM_EMAIL contains '${email}', which is not an e-mail address. ` +
          'Resolution: set it to one address, or several separated by commas, e.g. oncall@example.com.',
      );
    }
  }
  return [...new Set(emails)];
}

function graph(title: string, left: cloudwatch.IMetric[] = [], annotations: cloudwatch.HorizontalAnnotation[] = []): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width: 6, height: 6, leftAnnotations: annotations, period });
}

/** One of the realtime function's own metrics (service dimension only). */
function appMetric(metricName: string, statistic: string, label: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [metricDimensions.service]: serviceNames.realtime },
    statistic,
    period,
    label,
  });
}

/** Every series of a dimensioned app metric, one line per value of `dimension` (e.g. per language). */
function appSearch(metricName: string, dimension: string, statistic: string): cloudwatch.MathExpression {
  const service = metricDimensions.service;
  return new cloudwatch.MathExpression({
    expression:
      `SEARCH('{${METRICS_NAMESPACE},${service},${dimension}} ${service}="${serviceNames.realtime}" MetricName="${metricName}"', ` +
      `'${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    // A dynamic label: each series is named by its dimension value (rate_limited, python, …).
    label: `\${PROP('Dim.${dimension}')}`,
    period,
  });
}
