import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAttOf, refOf, resourcesOfType, synthesizeBackend, type CfnResourceJson, type StackTemplate, type Synthesized } from './synth-backend.js';

/**
 * Amazon IVS on a branch deployment (its default media provider): grants limited to this
 * deployment's stages, the publish-token route behind the Cognito authorizer, the orphan
 * sweep's schedule, the IVS alarms and the outputs the browser reads.
 */
type BackendModule = typeof import('../../amplify/backend.js');
let synth: Synthesized<BackendModule>;

beforeAll(async () => {
  synth = await synthesizeBackend({ deploymentType: 'branch' });
});
afterAll(() => synth?.cleanup());

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const props = (resource: CfnResourceJson | undefined): Record<string, unknown> => resource?.Properties ?? {};
type FunctionName = 'sessionApi' | 'realtime' | 'wsAuthorizer' | 'mediaSweep';

function statementsOf(name: FunctionName): { stack: StackTemplate; statements: Statement[] } {
  const { stack, logicalId } = synth.locate(synth.module.backend[name].resources.cfnResources.cfnFunction);
  const roleId = getAttOf(props(stack.json.Resources[logicalId]).Role)!.logicalId;
  const statements = resourcesOfType(stack, 'AWS::IAM::Policy')
    .filter(([, policy]) => (props(policy).Roles as unknown[]).some((role) => refOf(role) === roleId))
    .flatMap(([, policy]) => (props(policy).PolicyDocument as { Statement: Statement[] }).Statement);
  return { stack, statements };
}
const ivsStatements = (name: FunctionName) => {
  const { stack, statements } = statementsOf(name);
  return statements
    .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('ivs:')))
    .map((statement) => ({ ...statement, actions: [statement.Action].flat().sort(), resources: [statement.Resource].flat().map((r) => synth.render(r, stack)) }));
};
const ownStages = { StringEquals: { 'aws:ResourceTag/streamcanvas:deployment': expect.any(String) } };
const stageArns = 'arn:${AWS::Partition}:ivs:${AWS::Region}:${AWS::AccountId}:stage/*';

describe('IVS grants', () => {
  it('no function may do ivs:* or act on every resource, except ListStages (which IAM only allows on *)', () => {
    for (const name of ['sessionApi', 'realtime', 'wsAuthorizer', 'mediaSweep'] as const) {
      for (const statement of ivsStatements(name)) {
        expect(statement.actions, name).not.toContain('ivs:*');
        if (statement.resources.includes('*')) expect(statement.actions, name).toEqual(['ivs:ListStages']);
      }
    }
  });

  it('the session function creates only stages tagged with this deployment, and mints and deletes only those', () => {
    const statements = ivsStatements('sessionApi');
    expect(statements.map((s) => s.actions)).toEqual([['ivs:CreateStage', 'ivs:TagResource'], ['ivs:CreateParticipantToken'], ['ivs:DeleteStage']]);
    const [create, token, remove] = statements;
    expect(create!.resources).toEqual([stageArns]);
    expect(create!.Condition).toEqual({ StringEquals: { 'aws:RequestTag/streamcanvas:deployment': expect.any(String) } });
    for (const statement of [token!, remove!]) {
      expect(statement.resources).toEqual([stageArns]);
      expect(statement.Condition).toEqual(ownStages);
    }
    // The tag the grants require is the one the function puts on its stages.
    const tag = create!.Condition!.StringEquals!['aws:RequestTag/streamcanvas:deployment'];
    expect(token!.Condition!.StringEquals!['aws:ResourceTag/streamcanvas:deployment']).toEqual(tag);
    const { stack, logicalId } = synth.locate(synth.module.backend.sessionApi.resources.cfnResources.cfnFunction);
    const env = (props(stack.json.Resources[logicalId]).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(synth.render(env.IVS_STAGE_DEPLOYMENT_TAG, stack)).toBe(synth.render(tag, stack));
    expect(env.IVS_STORAGE_CONFIGURATION_ARN).toBeUndefined();
  });

  it('the realtime function may only delete its stages (ending a session), the sweep list and delete them, the authorizer nothing', () => {
    expect(ivsStatements('realtime').map((s) => [s.actions, s.Condition])).toEqual([[['ivs:DeleteStage'], ownStages]]);
    expect(ivsStatements('mediaSweep').map((s) => s.actions)).toEqual([['ivs:DeleteStage'], ['ivs:ListStages']]);
    expect(ivsStatements('wsAuthorizer')).toEqual([]);
  });
});

describe('token routes', () => {
  const routes = () => {
    const stack = synth.locate(synth.module.apis.httpApi).stack;
    return Object.fromEntries(resourcesOfType(stack, 'AWS::ApiGatewayV2::Route').map(([, route]) => [props(route).RouteKey as string, props(route)]));
  };

  it('the publish-token route is behind the Cognito authorizer; the subscribe-token route is public', () => {
    const all = routes();
    expect(all['POST /sessions/{sessionId}/media/publish-token']).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: expect.anything() });
    expect(all['POST /sessions/{sessionId}/media/subscribe-token']?.AuthorizationType).toBe('NONE');
  });

  it('both are throttled below what IVS allows for CreateParticipantToken (50/s)', () => {
    const stack = synth.locate(synth.module.apis.httpApi).stack;
    const [[, stage]] = resourcesOfType(stack, 'AWS::ApiGatewayV2::Stage') as [[string, CfnResourceJson]];
    const settings = props(stage).RouteSettings as Record<string, { ThrottlingRateLimit: number }>;
    const tokenRate = settings['POST /sessions/{sessionId}/media/subscribe-token']!.ThrottlingRateLimit + settings['POST /sessions/{sessionId}/media/publish-token']!.ThrottlingRateLimit;
    expect(tokenRate).toBeLessThanOrEqual(50);
  });
});

describe('sweep and monitoring', () => {
  it('the sweep runs every 15 minutes', () => {
    const rules = synth.stacks.flatMap((stack) => resourcesOfType(stack, 'AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    expect(props(rules[0]![1])).toMatchObject({ ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED' });
  });

  it('alarms on IVS refusals (quota, throttling) and packet loss, and the sweep has an error alarm', () => {
    const names = synth.stacks
      .flatMap((stack) => resourcesOfType(stack, 'AWS::CloudWatch::Alarm').map(([, alarm]) => synth.render(props(alarm).AlarmName, stack)))
      .map((name) => name.replace(/^.*?-(?=ivs-|errors-media)/, ''));
    expect(names).toEqual(expect.arrayContaining(['ivs-refusals', 'ivs-packet-loss', 'errors-media-sweep']));
    const filters = synth.stacks.flatMap((stack) => resourcesOfType(stack, 'AWS::Logs::MetricFilter'));
    expect(filters).toHaveLength(1);
    expect(props(filters[0]![1]).FilterPattern).toBe('{ ($.ivsFailure = "quota") || ($.ivsFailure = "throttled") }');
  });

  it('puts IVS on the dashboard', () => {
    const { stack } = synth.locate(synth.module.monitoring.dashboard.node.defaultChild as never);
    const body = synth.render(props(resourcesOfType(stack, 'AWS::CloudWatch::Dashboard')[0]![1]).DashboardBody, stack);
    for (const metric of ['ConcurrentPublishers', 'ConcurrentSubscriptions', 'DownloadPacketLoss', 'IvsRefusals']) expect(body).toContain(metric);
  });
});

describe('outputs', () => {
  it('tells the browser to use IVS, with mesh kept for older tiles', () => {
    const customOutputs = JSON.parse(synth.render(synth.root.json.Outputs?.customOutputs?.Value, synth.root)) as { custom: { media: unknown } };
    expect(customOutputs.custom.media).toMatchObject({ providers: ['ivs', 'mesh'], defaultProvider: 'ivs' });
  });

  it('synthesizes without validation errors', () => {
    expect(synth.synthError).toBeUndefined();
  });
});
