import { defineBackend } from '@aws-amplify/backend';
import { Stack, Token } from 'aws-cdk-lib';
import type { CfnUserPool } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { auth, passwordPolicy } from './auth/resource.js';
import { connectionsTable, sessionStatesTable, sessionsTable, tableDefinitions, type TableDefinition } from './data/table-definitions.js';
import { StreamCanvasTables, dataRetentionFor } from './data/tables.js';
import { realtime } from './functions/realtime/resource.js';
import { sessionApi } from './functions/session-api/resource.js';
import { wsAuthorizer } from './functions/ws-authorizer/resource.js';
import { RealtimeApis, appOrigins } from './realtime/resource.js';
import { Monitoring, alarmEmails } from './monitoring/resource.js';
import { enableActiveTracing } from './monitoring/tracing.js';
import { CodeExecutor, executorSettingsFromEnv, prebuiltImageFromEnv } from './executor/resource.js';
import { ivsRecordingFromEnv, mediaOutputsFromEnv, mediaProviderFromEnv, sfuFromEnv } from './media/config.js';
import { IvsMedia } from './media/resource.js';
import { mediaSweep } from './functions/media-sweep/resource.js';
import { sfuEnv } from './functions/realtime/sfu-relay.js';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

/**
 * Stacks (nested under the Amplify root stack):
 *   auth      Cognito user pool and client (defineAuth)
 *   data      the DynamoDB tables (custom stack; nothing in it references another stack)
 *   realtime  the three functions, both APIs and their grants (resourceGroupName + Stack.of)
 *   monitoring  alarms, their SNS topic, the dashboard (custom stack; it only reads the others)
 * References point one way only, realtime -> data, auth and monitoring -> realtime, data, auth,
 * so the nested stacks have no cycle. tests/synth asserts that.
 */
export const backend = defineBackend({ auth, sessionApi, realtime, wsAuthorizer, mediaSweep });

pinPasswordPolicy(backend.auth.resources.cfnResources.cfnUserPool);

const dataStack = backend.createStack('data');
export const tables = new StreamCanvasTables(dataStack, 'Tables', {
  definitions: tableDefinitions,
  retention: dataRetentionFor(dataStack),
});

// Least privilege: each function gets exactly the tables it touches, and learns their names.
connectTables(backend.sessionApi, { readWrite: [sessionsTable, sessionStatesTable], read: [connectionsTable] });
connectTables(backend.wsAuthorizer, { read: [sessionsTable] });
connectTables(backend.realtime, { readWrite: [sessionsTable, sessionStatesTable, connectionsTable] });
connectTables(backend.mediaSweep, { read: [sessionsTable] });

const { userPool, userPoolClient } = backend.auth.resources;
backend.wsAuthorizer.addEnvironment('USER_POOL_ID', userPool.userPoolId);
backend.wsAuthorizer.addEnvironment('USER_POOL_CLIENT_ID', userPoolClient.userPoolClientId);

export const apis = new RealtimeApis(Stack.of(backend.realtime.resources.lambda), 'RealtimeApis', {
  functions: {
    sessionApi: backend.sessionApi.resources.lambda,
    realtime: backend.realtime.resources.lambda,
    wsAuthorizer: backend.wsAuthorizer.resources.lambda,
  },
  userPool,
  userPoolClient,
  apiNamePrefix: backend.stack.stackName,
  allowedOrigins: appOrigins(process.env, { sandbox: backend.stack.node.tryGetContext('amplify-backend-type') === 'sandbox' }),
});

// The management endpoint of the WebSocket API's stage, for the session function (it is not behind that API).
backend.sessionApi.addEnvironment('WEBSOCKET_MANAGEMENT_ENDPOINT', apis.webSocketStage.callbackUrl);

enableActiveTracing([backend.sessionApi, backend.realtime, backend.wsAuthorizer, backend.mediaSweep].map((fn) => fn.resources.lambda));

// Camera, screen and microphone: STREAMCANVAS_MEDIA_PROVIDER (ivs on branches, mesh on sandboxes; docs/DEPLOYMENT.md).
const isSandbox = backend.stack.node.tryGetContext('amplify-backend-type') === 'sandbox';
export const mediaProvider = mediaProviderFromEnv(process.env, { sandbox: isSandbox });
export const ivsMedia = mediaProvider === 'ivs' ? ivsMediaFor(backend.stack.stackName) : undefined;
if (mediaProvider === 'sfu') {
  const sfu = sfuFromEnv(process.env);
  backend.realtime.addEnvironment(sfuEnv.url, sfu.url);
  backend.realtime.addEnvironment(sfuEnv.secret, sfu.secret);
}

// Alarms (to STREAMCANVAS_ALARM_EMAIL), the operations dashboard and a saved Logs Insights query.
export const monitoring = new Monitoring(backend.createStack('monitoring'), 'Monitoring', {
  namePrefix: backend.stack.stackName,
  alarmEmails: alarmEmails(),
  functions: {
    'session-api': backend.sessionApi.resources.lambda,
    realtime: backend.realtime.resources.lambda,
    'ws-authorizer': backend.wsAuthorizer.resources.lambda,
    ...(ivsMedia ? { 'media-sweep': backend.mediaSweep.resources.lambda } : {}),
  },
  tables: tableDefinitions.map((definition) => ({
    name: definition.logicalName,
    table: tables.tableFor(definition),
    indexNames: definition.globalSecondaryIndexes.map((index) => index.indexName),
  })),
  httpApi: apis.httpApi,
  webSocketApi: apis.webSocketApi,
  userPool,
  userPoolClient,
});

if (ivsMedia) monitoring.addIvs([backend.sessionApi.resources.lambda]);

// Code execution: a container-image Lambda the realtime function invokes. Docker builds it where it
// runs (EXECUTOR_BUILD_WITH_DOCKER=true, e.g. a developer's sandbox); elsewhere it is the image the
// executor-image workflow pushed (EXECUTOR_IMAGE_REPOSITORY + EXECUTOR_IMAGE_TAG). With neither,
// the deployment has no executor and the code tile tells the host so (docs/DEPLOYMENT.md).
const executorImage = prebuiltImageFromEnv(process.env);
const buildExecutorWithDocker = process.env.EXECUTOR_BUILD_WITH_DOCKER === 'true';
// Reserved concurrency and VPC are opt-in (STREAMCANVAS_EXECUTOR_*; docs/DEPLOYMENT.md, pre-flight check).
const executorSettings = executorSettingsFromEnv(process.env);
export const executor =
  buildExecutorWithDocker || executorImage
    ? new CodeExecutor(Stack.of(backend.realtime.resources.lambda), 'CodeExecutor', {
        dockerAvailable: buildExecutorWithDocker,
        prebuiltImage: executorImage,
        reservedConcurrency: executorSettings.reservedConcurrency,
        network: { kind: executorSettings.network },
      })
    : undefined;
if (executor) {
  executor.function.grantInvoke(backend.realtime.resources.lambda);
  backend.realtime.addEnvironment('CODE_RUNNER_FUNCTION_NAME', executor.function.functionName);
  monitoring.addExecutor(executor.function, { reservedConcurrency: executorSettings.reservedConcurrency });
}

// Lands in amplify_outputs.json as `custom`; the browser reads it at runtime.
backend.addOutput({
  custom: {
    httpApiUrl: apis.httpApiUrl,
    webSocketUrl: apis.webSocketUrl,
    region: backend.stack.region,
    // Camera, screen and microphone: providers and ICE servers (STREAMCANVAS_ICE_SERVERS).
    media: mediaOutputsFromEnv(process.env, mediaProvider),
  },
});

/**
 * Amazon IVS stages for every live session: grants scoped to this deployment's stages, the
 * orphan sweep, and with STREAMCANVAS_IVS_RECORDING=true, recording of the host's tracks to the
 * files bucket (amplify/storage; the session records the S3 prefix for replay).
 */
function ivsMediaFor(deploymentTag: string): IvsMedia {
  const recording = ivsRecordingFromEnv(process.env);
  // The files bucket, where this backend defines one (`storage` in defineBackend).
  const filesBucket = (backend as { storage?: { resources: { bucket: IBucket } } }).storage?.resources.bucket;
  if (recording && !filesBucket) {
    throw new Error(
      'STREAMCANVAS_IVS_RECORDING=true needs the files bucket (amplify/storage), and this backend defines none. ' +
        'Resolution: add storage to defineBackend, or unset STREAMCANVAS_IVS_RECORDING.',
    );
  }
  return new IvsMedia(Stack.of(backend.sessionApi.resources.lambda), 'IvsMedia', {
    deploymentTag,
    tokenIssuer: backend.sessionApi,
    stageEnders: [backend.sessionApi, backend.realtime],
    sweeper: backend.mediaSweep,
    ...(recording && filesBucket ? { recordingBucket: filesBucket } : {}),
  });
}

interface FunctionWithEnvironment {
  resources: { lambda: IFunction };
  addEnvironment(key: string, value: string): void;
}

function connectTables(fn: FunctionWithEnvironment, access: { read?: TableDefinition[]; readWrite?: TableDefinition[] }): void {
  for (const definition of access.read ?? []) {
    const table = tables.tableFor(definition);
    table.grantReadData(fn.resources.lambda);
    fn.addEnvironment(definition.envVar, table.tableName);
  }
  for (const definition of access.readWrite ?? []) {
    const table = tables.tableFor(definition);
    table.grantReadWriteData(fn.resources.lambda);
    fn.addEnvironment(definition.envVar, table.tableName);
  }
}

/** defineAuth has no password policy option; pin it here so a changed Amplify default cannot weaken it. */
function pinPasswordPolicy(cfnUserPool: CfnUserPool): void {
  const policies = cfnUserPool.policies as CfnUserPool.PoliciesProperty | undefined;
  const existingPasswordPolicy = policies?.passwordPolicy as CfnUserPool.PasswordPolicyProperty | undefined;
  if (Token.isUnresolved(policies) || Token.isUnresolved(existingPasswordPolicy)) {
    throw new Error(
      'The user pool policies are a token and cannot be extended. ' +
        'Resolution: set the password policy with cfnUserPool.addPropertyOverride("Policies.PasswordPolicy", …) instead.',
    );
  }
  cfnUserPool.policies = { ...policies, passwordPolicy: { ...existingPasswordPolicy, ...passwordPolicy } };
}
