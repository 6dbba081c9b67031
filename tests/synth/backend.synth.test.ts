import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { boardsTable, connectionsTable, decksTable, sessionStatesTable, sessionsTable, type TableDefinition } from '../../amplify/data/table-definitions.js';
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
 * The whole backend as a `branch` deployment (what Amplify Hosting deploys), synthesized once.
 * Expected values are written out here rather than derived from the code under test.
 */
type BackendModule = typeof import('../../amplify/backend.js');
let synth: Synthesized<BackendModule>;

beforeAll(async () => {
  // Media over mesh: the IVS default of branches has its own file (media-ivs.synth.test.ts).
  synth = await synthesizeBackend({ deploymentType: 'branch', env: { STREAMCANVAS_MEDIA_PROVIDER: 'mesh' } });
});
afterAll(() => synth?.cleanup());

const props = (resource: CfnResourceJson | undefined): Record<string, unknown> => resource?.Properties ?? {};
const resourceIn = (stack: StackTemplate, logicalId: string): CfnResourceJson => {
  const resource = stack.json.Resources[logicalId];
  if (!resource) throw new Error(`No resource ${logicalId} in stack ${stack.name}.`);
  return resource;
};
type FunctionName = 'sessionApi' | 'realtime' | 'wsAuthorizer' | 'eventsAuthorizer';
const fnOf = (name: FunctionName): CfnFunction => synth.module.backend[name].resources.cfnResources.cfnFunction;

describe('auth', () => {
  it('requires passwords of at least 8 characters with upper, lower, digits and symbols', () => {
    synth.stack('auth').template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 8,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });
  });

  it('signs users in by email, verified with a code', () => {
    synth.stack('auth').template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      VerificationMessageTemplate: Match.objectLike({ DefaultEmailOption: 'CONFIRM_WITH_CODE' }),
    });
  });

  it('offers TOTP MFA, optional unless STREAMCANVAS_REQUIRE_MFA is set', () => {
    synth.stack('auth').template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  it('hides whether a user exists on every app client', () => {
    const clients = resourcesOfType(synth.stack('auth'), 'AWS::Cognito::UserPoolClient');
    expect(clients.length).toBeGreaterThan(0);
    for (const [, client] of clients) expect(props(client).PreventUserExistenceErrors).toBe('ENABLED');
  });
});

describe('tables', () => {
  const S = (name: string) => ({ AttributeName: name, AttributeType: 'S' });
  const N = (name: string) => ({ AttributeName: name, AttributeType: 'N' });
  const hash = (name: string) => ({ AttributeName: name, KeyType: 'HASH' });
  const range = (name: string) => ({ AttributeName: name, KeyType: 'RANGE' });
  const expected = [
    {
      definition: sessionsTable,
      KeySchema: [hash('sessionId')],
      AttributeDefinitions: [S('sessionId'), S('hostId'), S('createdAt')],
      GlobalSecondaryIndexes: [
        { IndexName: 'HostIdIndex', KeySchema: [hash('hostId'), range('createdAt')], Projection: { ProjectionType: 'ALL' } },
      ],
      TimeToLiveSpecification: undefined,
    },
    {
      definition: sessionStatesTable,
      KeySchema: [hash('sessionId'), range('timestamp')],
      AttributeDefinitions: [S('sessionId'), N('timestamp')],
      GlobalSecondaryIndexes: undefined,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    },
    {
      definition: connectionsTable,
      KeySchema: [hash('connectionId')],
      AttributeDefinitions: [S('connectionId'), S('sessionId')],
      // Only what fan-out reads: the rate-limit buckets written on every chat, reaction and signal stay out of the index.
      GlobalSecondaryIndexes: [
        {
          IndexName: 'SessionIdIndex',
          KeySchema: [hash('sessionId')],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['role', 'connectedAt'] },
        },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    },
  ];

  it('creates exactly the five tables, all in the data stack', () => {
    for (const stack of synth.stacks) {
      const count = resourcesOfType(stack, 'AWS::DynamoDB::Table').length;
      expect(count, `tables in stack ${stack.name}`).toBe(stack.name === 'data' ? 5 : 0);
    }
  });

  it.each(expected)('$definition.logicalName has its keys, indexes and TTL', (table) => {
    const { stack, logicalId } = synth.locate(synth.module.tables.tableFor(table.definition));
    expect(stack.name).toBe('data');
    const actual = props(resourceIn(stack, logicalId));
    expect(actual.KeySchema).toEqual(table.KeySchema);
    expect(actual.AttributeDefinitions).toEqual(expect.arrayContaining(table.AttributeDefinitions));
    expect(actual.AttributeDefinitions).toHaveLength(table.AttributeDefinitions.length);
    expect(actual.GlobalSecondaryIndexes).toEqual(table.GlobalSecondaryIndexes);
    expect(actual.TimeToLiveSpecification).toEqual(table.TimeToLiveSpecification);
  });

  it.each(expected)('$definition.logicalName is on demand with point-in-time recovery', (table) => {
    const { stack, logicalId } = synth.locate(synth.module.tables.tableFor(table.definition));
    const actual = props(resourceIn(stack, logicalId));
    expect(actual.BillingMode).toBe('PAY_PER_REQUEST');
    expect(actual.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it.each(expected)('$definition.logicalName is retained and deletion-protected on a branch', (table) => {
    const { stack, logicalId } = synth.locate(synth.module.tables.tableFor(table.definition));
    const resource = resourceIn(stack, logicalId);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    expect(props(resource).DeletionProtectionEnabled).toBe(true);
  });
});

describe('files bucket', () => {
  const bucket = () => {
    const buckets = resourcesOfType(synth.stack('storage'), 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(1);
    return buckets[0]!;
  };
  /** S3 statements of the policies in the realtime stack, by the function whose role they are attached to. */
  const s3GrantsOf = (name: 'sessionApi' | 'realtime' | 'wsAuthorizer') => {
    const { stack, logicalId } = synth.locate(fnOf(name));
    const roleId = getAttOf(props(resourceIn(stack, logicalId)).Role)!.logicalId;
    return resourcesOfType(stack, 'AWS::IAM::Policy')
      .filter(([, policy]) => (props(policy).Roles as unknown[]).some((role) => refOf(role) === roleId))
      .flatMap(([, policy]) => (props(policy).PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement)
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')))
      .map((statement) => ({ actions: [statement.Action].flat(), resources: [statement.Resource].flat().map((r) => synth.render(r, stack)) }));
  };

  it('is one private bucket in the storage stack, kept on a branch, refusing plain HTTP', () => {
    const [bucketId, resource] = bucket();
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(props(resource).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policies = resourcesOfType(synth.stack('storage'), 'AWS::S3::BucketPolicy');
    expect(JSON.stringify(policies)).toContain('aws:SecureTransport');
    expect(refOf(props(policies[0]?.[1]).Bucket)).toBe(bucketId);
  });

  it('allows no browser origin by CORS on a branch that knows no app origin (never localhost, never *)', () => {
    expect(props(bucket()[1]).CorsConfiguration).toBeUndefined();
  });

  it('gives the session function object access to this bucket only, and its name', () => {
    const grants = s3GrantsOf('sessionApi');
    expect(grants.length).toBeGreaterThan(0);
    for (const { actions, resources } of grants) {
      for (const action of actions) expect(action).toMatch(/^s3:(GetObject|GetBucket|List|PutObject|Abort|DeleteObject)/);
      for (const resource of resources) expect(resource).toMatch(/^\$\{GetAtt:storage\/\w+\.Arn\}(\/\*)?$/);
    }
    expect(grants.flatMap((g) => g.actions)).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:PutObject', 's3:DeleteObject*']));
    const env = (props(resourceIn(synth.locate(fnOf('sessionApi')).stack, synth.locate(fnOf('sessionApi')).logicalId)).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.FILES_BUCKET_NAME).toBeDefined();
  });

  it('gives the authorizer no access to the bucket', () => {
    expect(s3GrantsOf('wsAuthorizer')).toEqual([]);
  });
});

describe('HTTP API', () => {
  const expectedRoutes: Record<string, 'JWT' | 'NONE'> = {
    'POST /sessions': 'JWT',
    'GET /sessions': 'JWT',
    'GET /sessions/{sessionId}': 'NONE',
    'PATCH /sessions/{sessionId}': 'JWT',
    'POST /decks': 'JWT',
    'GET /decks': 'JWT',
    'GET /decks/{deckId}': 'JWT',
    'POST /decks/{deckId}/convert': 'JWT',
    'DELETE /decks/{deckId}': 'JWT',
    'GET /sessions/{sessionId}/decks/{deckId}': 'NONE',
    'GET /sessions/{sessionId}/replay': 'NONE',
    'GET /sessions/{sessionId}/replay/seek': 'NONE',
    'GET /sessions/{sessionId}/replay/log': 'NONE',
    'GET /sessions/{sessionId}/replay/reactions': 'NONE',
    'DELETE /sessions/{sessionId}/replay': 'JWT',
    'GET /sessions/{sessionId}/insights': 'JWT',
    'POST /sessions/{sessionId}/media/publish-token': 'JWT',
    'POST /sessions/{sessionId}/media/subscribe-token': 'NONE',
  };
  const httpApi = () => synth.locate(synth.module.apis.httpApi);
  const ofHttpApi = (type: string) =>
    resourcesOfType(httpApi().stack, type).filter(([, resource]) => refOf(props(resource).ApiId) === httpApi().logicalId);

  it('is an HTTP API in the functions’ stack, allowing the app’s origins by CORS (a branch: never localhost)', () => {
    const { stack, logicalId } = httpApi();
    expect(stack.name).toBe('realtime');
    const api = props(resourceIn(stack, logicalId));
    expect(api.ProtocolType).toBe('HTTP');
    // Built outside Amplify Hosting and without STREAMCANVAS_APP_ORIGINS, a branch knows no app origin.
    expect(api.CorsConfiguration).toEqual({
      AllowOrigins: [],
      AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      AllowHeaders: ['authorization', 'content-type'],
      MaxAge: 3600,
    });
  });

  it('has a Cognito JWT authorizer: issuer is the user pool, audience its app client', () => {
    const authorizers = ofHttpApi('AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [, authorizer] = authorizers[0]!;
    const { AuthorizerType, IdentitySource, JwtConfiguration } = props(authorizer) as {
      AuthorizerType: string;
      IdentitySource: string[];
      JwtConfiguration: { Issuer: unknown; Audience: unknown[] };
    };
    const { cfnUserPool, cfnUserPoolClient } = synth.module.backend.auth.resources.cfnResources;
    expect(AuthorizerType).toBe('JWT');
    expect(IdentitySource).toEqual(['$request.header.Authorization']);
    expect(synth.render(JwtConfiguration.Issuer, httpApi().stack)).toBe(
      `https://cognito-idp.\${AWS::Region}.amazonaws.com/\${Ref:auth/${synth.locate(cfnUserPool).logicalId}}`,
    );
    expect(JwtConfiguration.Audience.map((audience) => synth.render(audience, httpApi().stack))).toEqual([
      `\${Ref:auth/${synth.locate(cfnUserPoolClient).logicalId}}`,
    ]);
  });

  it('has exactly the session routes', () => {
    const keys = ofHttpApi('AWS::ApiGatewayV2::Route').map(([, route]) => props(route).RouteKey);
    expect(keys.sort()).toEqual(Object.keys(expectedRoutes).sort());
  });

  it.each(Object.entries(expectedRoutes))('%s is authorized by %s and integrated with the session function', (routeKey, auth) => {
    const stack = httpApi().stack;
    const [, route] = ofHttpApi('AWS::ApiGatewayV2::Route').find(([, r]) => props(r).RouteKey === routeKey)!;
    const [[authorizerId]] = ofHttpApi('AWS::ApiGatewayV2::Authorizer') as [[string, CfnResourceJson]];
    expect(props(route).AuthorizationType).toBe(auth);
    expect(props(route).AuthorizerId).toEqual(auth === 'JWT' ? { Ref: authorizerId } : undefined);

    const integrationId = /^integrations\/\$\{Ref:realtime\/(.+)\}$/.exec(synth.render(props(route).Target, stack))?.[1];
    const integration = props(resourceIn(stack, integrationId!));
    expect(integration.IntegrationType).toBe('AWS_PROXY');
    expect(integration.PayloadFormatVersion).toBe('2.0');
    expect(getAttOf(integration.IntegrationUri)).toEqual({ logicalId: synth.locate(fnOf('sessionApi')).logicalId, attribute: 'Arn' });
  });

  it('deploys a throttled $default stage', () => {
    const stages = ofHttpApi('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = props(stages[0]![1]);
    expect(stage.StageName).toBe('$default');
    expect(stage.AutoDeploy).toBe(true);
    expectThrottled(stage.DefaultRouteSettings);
  });
});

describe('WebSocket API', () => {
  const expectedRoutes = ['$connect', '$disconnect', '$default', 'publishState', 'sync', 'ping', 'signal', 'chat', 'react', 'end', 'runCode', 'boardUpdate', 'boardLoad', 'boardView', 'boardFile'];
  const webSocketApi = () => synth.locate(synth.module.apis.webSocketApi);
  const ofWebSocketApi = (type: string) =>
    resourcesOfType(webSocketApi().stack, type).filter(([, resource]) => refOf(props(resource).ApiId) === webSocketApi().logicalId);
  const routeNamed = (key: string) => ofWebSocketApi('AWS::ApiGatewayV2::Route').find(([, r]) => props(r).RouteKey === key)![1];

  it('is a WebSocket API in the functions’ stack, selecting routes by body.action', () => {
    const { stack, logicalId } = webSocketApi();
    expect(stack.name).toBe('realtime');
    const api = props(resourceIn(stack, logicalId));
    expect(api.ProtocolType).toBe('WEBSOCKET');
    expect(api.RouteSelectionExpression).toBe('$request.body.action');
  });

  it('has exactly the realtime routes', () => {
    const keys = ofWebSocketApi('AWS::ApiGatewayV2::Route').map(([, route]) => props(route).RouteKey);
    expect(keys.sort()).toEqual([...expectedRoutes].sort());
  });

  it.each(expectedRoutes)('%s is integrated with the realtime function', (routeKey) => {
    const stack = webSocketApi().stack;
    const integrationId = /^integrations\/\$\{Ref:realtime\/(.+)\}$/.exec(synth.render(props(routeNamed(routeKey)).Target, stack))?.[1];
    const integration = props(resourceIn(stack, integrationId!));
    expect(integration.IntegrationType).toBe('AWS_PROXY');
    expect(synth.render(integration.IntegrationUri, stack)).toContain(`\${GetAtt:realtime/${synth.locate(fnOf('realtime')).logicalId}.Arn}`);
  });

  it('authorizes $connect with the ws-authorizer function, identity source ?sessionId', () => {
    const stack = webSocketApi().stack;
    const connect = props(routeNamed('$connect'));
    expect(connect.AuthorizationType).toBe('CUSTOM');
    const authorizer = props(resourceIn(stack, refOf(connect.AuthorizerId)!));
    expect(authorizer.AuthorizerType).toBe('REQUEST');
    expect(authorizer.IdentitySource).toEqual(['route.request.querystring.sessionId']);
    expect(synth.render(authorizer.AuthorizerUri, stack)).toContain(`\${GetAtt:realtime/${synth.locate(fnOf('wsAuthorizer')).logicalId}.Arn}`);
  });

  it('needs no authorizer on the other routes: the connection was authorized at $connect', () => {
    for (const key of expectedRoutes.filter((k) => k !== '$connect')) {
      expect(props(routeNamed(key)).AuthorizationType, key).toBe('NONE');
    }
  });

  it('deploys a throttled, auto-deployed prod stage', () => {
    const stages = ofWebSocketApi('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = props(stages[0]![1]);
    expect(stage.StageName).toBe('prod');
    expect(stage.AutoDeploy).toBe(true);
    expectThrottled(stage.DefaultRouteSettings);
  });
});

describe('invoke permissions', () => {
  it('lets only API Gateway, from the right API, invoke each function', () => {
    const stack = synth.stack('realtime');
    const http = `\${Ref:realtime/${synth.locate(synth.module.apis.httpApi).logicalId}}`;
    const ws = `\${Ref:realtime/${synth.locate(synth.module.apis.webSocketApi).logicalId}}`;
    const expectedApi: Record<string, string> = {
      [synth.locate(fnOf('sessionApi')).logicalId]: http,
      [synth.locate(fnOf('realtime')).logicalId]: ws,
      [synth.locate(fnOf('wsAuthorizer')).logicalId]: ws,
    };
    const permissions = synth.stacks.flatMap((s) =>
      resourcesOfType(s, 'AWS::Lambda::Permission').map(([, p]) => ({ stack: s, permission: props(p) })),
    );
    const forOurFunctions = permissions.filter(({ stack: s, permission }) => s === stack && getAttOf(permission.FunctionName)?.logicalId! in expectedApi);
    expect(forOurFunctions.length).toBeGreaterThan(0);
    for (const { permission } of forOurFunctions) {
      const fnId = getAttOf(permission.FunctionName)!.logicalId;
      expect(permission.Principal).toBe('apigateway.amazonaws.com');
      expect(synth.render(permission.SourceArn, stack)).toContain(`:${expectedApi[fnId]}/`);
    }
  });
});

describe('least privilege', () => {
  interface Statement {
    Effect: string;
    Action: string | string[];
    Resource: unknown;
  }
  const actionsOf = (statement: Statement) => [statement.Action].flat();
  const resourcesOf = (statement: Statement) => [statement.Resource].flat();
  const allStatements = () =>
    synth.stacks.flatMap((stack) => [
      ...resourcesOfType(stack, 'AWS::IAM::Policy').flatMap(([id, policy]) =>
        (props(policy).PolicyDocument as { Statement: Statement[] }).Statement.map((statement) => ({ stack, id, statement })),
      ),
      ...resourcesOfType(stack, 'AWS::IAM::Role').flatMap(([id, role]) =>
        ((props(role).Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []).flatMap((policy) =>
          policy.PolicyDocument.Statement.map((statement) => ({ stack, id, statement })),
        ),
      ),
    ]);

  /** The statements of the policies attached to a function's role. */
  const statementsOfFunction = (name: FunctionName): Statement[] => {
    const { stack, logicalId } = synth.locate(fnOf(name));
    const roleId = getAttOf(props(resourceIn(stack, logicalId)).Role)!.logicalId;
    return resourcesOfType(stack, 'AWS::IAM::Policy')
      .filter(([, policy]) => (props(policy).Roles as unknown[]).some((role) => refOf(role) === roleId))
      .flatMap(([, policy]) => (props(policy).PolicyDocument as { Statement: Statement[] }).Statement);
  };

  /** DynamoDB actions per table (logical id in the data stack) granted to a function. */
  const tableAccessOf = (name: FunctionName): Record<string, Set<string>> => {
    const stack = synth.locate(fnOf(name)).stack;
    const access: Record<string, Set<string>> = {};
    for (const statement of statementsOfFunction(name)) {
      const dynamoActions = actionsOf(statement).filter((action) => action.startsWith('dynamodb:'));
      if (dynamoActions.length === 0) continue;
      for (const resource of resourcesOf(statement)) {
        const tableId = /^\$\{GetAtt:data\/(\w+)\.Arn\}(\/index\/\*)?$/.exec(synth.render(resource, stack))?.[1];
        expect(tableId, `DynamoDB resource ${synth.render(resource, stack)} of ${name} is not a table of the data stack`).toBeDefined();
        access[tableId!] ??= new Set();
        for (const action of dynamoActions) access[tableId!]!.add(action);
      }
    }
    return access;
  };
  const tableId = (definition: TableDefinition) =>
    synth.locate(synth.module.tables.tableFor(definition)).logicalId;
  const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

  it('grants no wildcard action in any policy of any stack', () => {
    const statements = allStatements();
    expect(statements.length).toBeGreaterThan(0);
    for (const { stack, id, statement } of statements) {
      for (const action of actionsOf(statement)) {
        expect(action, `${stack.name}/${id}`).not.toBe('*');
        expect(action, `${stack.name}/${id}`).not.toMatch(/^[\w-]+:\*$/);
      }
    }
  });

  it('grants no DynamoDB action on every resource', () => {
    for (const { stack, id, statement } of allStatements()) {
      if (!actionsOf(statement).some((action) => action.toLowerCase().startsWith('dynamodb:'))) continue;
      expect(resourcesOf(statement), `${stack.name}/${id}`).not.toContain('*');
    }
  });

  it('attaches no *FullAccess managed policy to any role', () => {
    const roles = synth.stacks.flatMap((stack) => resourcesOfType(stack, 'AWS::IAM::Role').map(([id, role]) => ({ stack, id, role })));
    expect(roles.length).toBeGreaterThan(0);
    for (const { stack, id, role } of roles) {
      for (const arn of (props(role).ManagedPolicyArns as unknown[] | undefined) ?? []) {
        expect(synth.render(arn, stack), `${stack.name}/${id}`).not.toMatch(/FullAccess/i);
      }
    }
  });

  it('gives the session function read/write on sessions, states and decks, and read-only on connections (to end a room)', () => {
    const access = tableAccessOf('sessionApi');
    expect(Object.keys(access).sort()).toEqual([tableId(sessionsTable), tableId(sessionStatesTable), tableId(connectionsTable), tableId(decksTable)].sort());
    expect([...access[tableId(sessionsTable)]!]).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', ...writeActions]));
    expect([...access[tableId(sessionStatesTable)]!]).toEqual(expect.arrayContaining(['dynamodb:GetItem', ...writeActions]));
    const connections = [...access[tableId(connectionsTable)]!];
    expect(connections).toEqual(expect.arrayContaining(['dynamodb:Query']));
    for (const action of writeActions) expect(connections).not.toContain(action);
  });

  it('gives the authorizer read-only access to the sessions table only', () => {
    const access = tableAccessOf('wsAuthorizer');
    expect(Object.keys(access)).toEqual([tableId(sessionsTable)]);
    const actions = [...access[tableId(sessionsTable)]!];
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem']));
    for (const action of writeActions) expect(actions).not.toContain(action);
  });

  it('gives the realtime function read/write on the session, state, connection, deck and board tables', () => {
    const access = tableAccessOf('realtime');
    expect(Object.keys(access).sort()).toEqual([tableId(sessionsTable), tableId(sessionStatesTable), tableId(connectionsTable), tableId(decksTable), tableId(boardsTable)].sort());
    for (const actions of Object.values(access)) expect([...actions]).toEqual(expect.arrayContaining(['dynamodb:GetItem', ...writeActions]));
  });

  it('lets the realtime and session functions (not the authorizer) manage connections, on the prod stage only', () => {
    const stack = synth.stack('realtime');
    const manage = (name: 'sessionApi' | 'realtime' | 'wsAuthorizer') =>
      statementsOfFunction(name).filter((statement) => actionsOf(statement).includes('execute-api:ManageConnections'));
    for (const name of ['realtime', 'sessionApi'] as const) {
      const statements = manage(name);
      expect(statements).toHaveLength(1);
      expect(actionsOf(statements[0]!)).toEqual(['execute-api:ManageConnections']);
      expect(resourcesOf(statements[0]!).map((resource) => synth.render(resource, stack))).toEqual([
        `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${Ref:realtime/${synth.locate(synth.module.apis.webSocketApi).logicalId}}/prod/*/@connections/*`,
      ]);
    }
    expect(manage('wsAuthorizer')).toEqual([]);
  });

  it('gives the Event API authorizer read-only access to the sessions table only, and no Event API permission', () => {
    const access = tableAccessOf('eventsAuthorizer');
    expect(Object.keys(access)).toEqual([tableId(sessionsTable)]);
    for (const action of writeActions) expect([...access[tableId(sessionsTable)]!]).not.toContain(action);
    expect(statementsOfFunction('eventsAuthorizer').flatMap(actionsOf).filter((action) => action.startsWith('appsync:'))).toEqual([]);
  });

  it('lets only the realtime and session functions publish to the Event API, on the live namespace only, and nobody subscribe or connect by IAM', () => {
    const stack = synth.stack('realtime');
    const api = synth.locate(synth.module.liveEvents.api).logicalId;
    const liveNamespace = `arn:\${AWS::Partition}:appsync:\${AWS::Region}:\${AWS::AccountId}:apis/\${GetAtt:realtime/${api}.ApiId}/channelNamespace/live`;
    for (const name of ['realtime', 'sessionApi'] as const) {
      const publishing = statementsOfFunction(name).filter((statement) => actionsOf(statement).some((action) => action.startsWith('appsync:')));
      expect(publishing).toHaveLength(1);
      expect(actionsOf(publishing[0]!)).toEqual(['appsync:EventPublish']);
      expect(resourcesOf(publishing[0]!).map((resource) => synth.render(resource, stack))).toEqual([liveNamespace]);
    }
    const appsyncActions = allStatements().flatMap(({ statement }) => actionsOf(statement).filter((action) => action.startsWith('appsync:')));
    expect([...new Set(appsyncActions)]).toEqual(['appsync:EventPublish']);
    expect(appsyncActions).toHaveLength(2);
  });
});

describe('function configuration', () => {
  const environmentOf = (name: FunctionName): Record<string, string> => {
    const { stack, logicalId } = synth.locate(fnOf(name));
    const variables = (props(resourceIn(stack, logicalId)).Environment as { Variables: Record<string, unknown> }).Variables;
    return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, synth.render(value, stack)]));
  };
  const tableRef = (definition: typeof sessionsTable | typeof sessionStatesTable | typeof connectionsTable) =>
    `\${Ref:data/${synth.locate(synth.module.tables.tableFor(definition)).logicalId}}`;

  it('puts all three functions in the realtime stack, next to the APIs', () => {
    for (const name of ['sessionApi', 'realtime', 'wsAuthorizer'] as const) expect(synth.locate(fnOf(name)).stack.name).toBe('realtime');
  });

  it('tells each function its table names', () => {
    expect(environmentOf('sessionApi')).toMatchObject({
      SESSIONS_TABLE: tableRef(sessionsTable),
      SESSION_STATES_TABLE: tableRef(sessionStatesTable),
      CONNECTIONS_TABLE: tableRef(connectionsTable),
    });
    expect(environmentOf('sessionApi').WEBSOCKET_MANAGEMENT_ENDPOINT).toMatch(/^https:\/\/.+\/prod$/);
    expect(environmentOf('wsAuthorizer')).toMatchObject({ SESSIONS_TABLE: tableRef(sessionsTable) });
    expect(environmentOf('realtime')).toMatchObject({
      SESSIONS_TABLE: tableRef(sessionsTable),
      SESSION_STATES_TABLE: tableRef(sessionStatesTable),
      CONNECTIONS_TABLE: tableRef(connectionsTable),
    });
    expect(environmentOf('wsAuthorizer')).not.toHaveProperty('CONNECTIONS_TABLE');
  });

  it('tells the authorizer the user pool and app client whose tokens it verifies', () => {
    const { cfnUserPool, cfnUserPoolClient } = synth.module.backend.auth.resources.cfnResources;
    expect(environmentOf('wsAuthorizer')).toMatchObject({
      USER_POOL_ID: `\${Ref:auth/${synth.locate(cfnUserPool).logicalId}}`,
      USER_POOL_CLIENT_ID: `\${Ref:auth/${synth.locate(cfnUserPoolClient).logicalId}}`,
    });
  });

  it('tells the two functions that publish where the Event API takes publishes', () => {
    const api = synth.locate(synth.module.liveEvents.api).logicalId;
    for (const name of ['realtime', 'sessionApi'] as const) {
      expect(environmentOf(name).EVENT_API_URL).toBe(`https://\${GetAtt:realtime/${api}.Dns.Http}/event`);
    }
    expect(environmentOf('wsAuthorizer')).not.toHaveProperty('EVENT_API_URL');
    expect(environmentOf('eventsAuthorizer')).toMatchObject({ SESSIONS_TABLE: tableRef(sessionsTable) });
    expect(synth.locate(fnOf('eventsAuthorizer')).stack.name).toBe('realtime');
  });

  it('runs the realtime function with 512 MB for up to 30 s', () => {
    const { stack, logicalId } = synth.locate(fnOf('realtime'));
    expect(props(resourceIn(stack, logicalId))).toMatchObject({ MemorySize: 512, Timeout: 30 });
  });
});

describe('outputs', () => {
  it('publishes httpApiUrl, webSocketUrl, region and media as amplify_outputs custom', () => {
    const { root } = synth;
    expect(root.json.Metadata?.['AWS::Amplify::Custom']).toEqual({ version: '1', stackOutputs: ['customOutputs'] });
    const customOutputs = JSON.parse(synth.render(root.json.Outputs?.customOutputs?.Value, root)) as unknown;
    const http = synth.locate(synth.module.apis.httpApi).logicalId;
    const ws = synth.locate(synth.module.apis.webSocketApi).logicalId;
    expect(customOutputs).toEqual({
      version: '1.4',
      custom: {
        httpApiUrl: `\${GetAtt:realtime/${http}.ApiEndpoint}`,
        webSocketUrl: `wss://\${Ref:realtime/${ws}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/prod`,
        region: '${AWS::Region}',
        media: { providers: ['mesh'], defaultProvider: 'mesh', iceServers: [{ urls: 'stun:stun.l.google.com:19302' }] },
        events: {
          url: `https://\${GetAtt:realtime/${synth.locate(synth.module.liveEvents.api).logicalId}.Dns.Http}/event`,
          aws_region: '${AWS::Region}',
          default_authorization_type: 'AWS_LAMBDA',
        },
      },
    });
  });
});

describe('Event API', () => {
  const api = () => resourcesOfType(synth.stack('realtime'), 'AWS::AppSync::Api');
  const authMode = (type: string) => [{ AuthType: type }];

  it('is one Event API, in the functions’ stack: IAM to publish, the Lambda authorizer to connect and subscribe', () => {
    expect(synth.stacks.flatMap((stack) => resourcesOfType(stack, 'AWS::AppSync::Api'))).toHaveLength(1);
    const [[, resource]] = api() as [[string, CfnResourceJson]];
    const config = props(resource).EventConfig as Record<string, unknown>;
    expect(config.ConnectionAuthModes).toEqual(authMode('AWS_LAMBDA'));
    expect(config.DefaultPublishAuthModes).toEqual(authMode('AWS_IAM'));
    expect(config.DefaultSubscribeAuthModes).toEqual(authMode('AWS_LAMBDA'));
    const providers = config.AuthProviders as Array<{ AuthType: string; LambdaAuthorizerConfig?: Record<string, unknown> }>;
    expect(providers.map((p) => p.AuthType).sort()).toEqual(['AWS_IAM', 'AWS_LAMBDA']);
    const lambda = providers.find((p) => p.AuthType === 'AWS_LAMBDA')!.LambdaAuthorizerConfig!;
    expect(synth.render(lambda.AuthorizerUri, synth.stack('realtime'))).toBe(`\${GetAtt:realtime/${synth.locate(fnOf('eventsAuthorizer')).logicalId}.Arn}`);
    // Never cached: a cached answer would outlive the session's end; tokens that are not a session id never reach the function.
    expect(lambda.AuthorizerResultTtlInSeconds).toBe(0);
    expect(new RegExp(lambda.IdentityValidationExpression as string).test('6b7f3f2e-4a0e-4c39-9c53-0b7a4d1d8d11')).toBe(true);
    expect(new RegExp(lambda.IdentityValidationExpression as string).test('eyJhbGciOiJIUzI1NiJ9.x.y')).toBe(false);
    expect((props(resource).Name as string).length).toBeLessThanOrEqual(50);
  });

  it('has exactly the live namespace, publish by IAM only, subscribe by the Lambda authorizer only', () => {
    const namespaces = synth.stacks.flatMap((stack) => resourcesOfType(stack, 'AWS::AppSync::ChannelNamespace'));
    expect(namespaces).toHaveLength(1);
    const [, namespace] = namespaces[0]!;
    expect(props(namespace)).toMatchObject({ Name: 'live', PublishAuthModes: authMode('AWS_IAM'), SubscribeAuthModes: authMode('AWS_LAMBDA') });
    expect(getAttOf(props(namespace).ApiId)?.logicalId).toBe(api()[0]![0]);
  });

  it('lets only AppSync, from this API, invoke the Event API authorizer', () => {
    const stack = synth.stack('realtime');
    const authorizerId = synth.locate(fnOf('eventsAuthorizer')).logicalId;
    const permissions = resourcesOfType(stack, 'AWS::Lambda::Permission').filter(([, p]) => getAttOf(props(p).FunctionName)?.logicalId === authorizerId);
    expect(permissions).toHaveLength(1);
    expect(props(permissions[0]![1])).toMatchObject({ Principal: 'appsync.amazonaws.com', Action: 'lambda:InvokeFunction' });
    expect(synth.render(props(permissions[0]![1]).SourceArn, stack)).toBe(`\${GetAtt:realtime/${api()[0]![0]}.ApiArn}`);
  });
});

describe('stack dependencies', () => {
  it('has no circular dependency (CloudFormation validation rule F3004)', () => {
    const circular = synth.violations.filter((v) => v.ruleName === 'F3004' || /circular/i.test(v.description));
    expect(circular.map((v) => v.description)).toEqual([]);
  });

  it('has no dependency cycle between the resources of any template (nested stacks included)', () => {
    const cycles = synth.stacks.map((stack) => ({ stack: stack.name, cycle: cycleIn(stack) })).filter(({ cycle }) => cycle);
    expect(cycles).toEqual([]);
  });

  it('synthesizes with CDK template validation findings treated as errors', () => {
    expect(synth.synthError?.message).toBeUndefined();
  });

  it('references nested stacks in one direction only: realtime -> auth, data, storage; monitoring -> auth, data, realtime', () => {
    const names = new Map(synth.stacks.filter((s) => s.resourceId).map((s) => [s.resourceId!, s.name]));
    const graph: Record<string, string[]> = {};
    for (const [logicalId, resource] of resourcesOfType(synth.root, 'AWS::CloudFormation::Stack')) {
      const referenced = new Set<string>([resource.DependsOn ?? []].flat());
      collectGetAtts(resource.Properties, referenced);
      graph[names.get(logicalId)!] = [...referenced].filter((id) => names.has(id)).map((id) => names.get(id)!).sort();
    }
    expect(graph).toEqual({ auth: [], data: [], storage: [], realtime: ['auth', 'data', 'storage'], monitoring: ['auth', 'data', 'realtime'] });
  });
});

function expectThrottled(settings: unknown): void {
  const { ThrottlingRateLimit, ThrottlingBurstLimit } = (settings ?? {}) as Record<string, number | undefined>;
  expect(ThrottlingRateLimit).toBeGreaterThan(0);
  expect(ThrottlingBurstLimit).toBeGreaterThanOrEqual(ThrottlingRateLimit!);
}

function collectGetAtts(value: unknown, into: Set<string>): void {
  const getAtt = getAttOf(value);
  if (getAtt) into.add(getAtt.logicalId);
  if (value && typeof value === 'object') for (const child of Object.values(value)) collectGetAtts(child, into);
}
