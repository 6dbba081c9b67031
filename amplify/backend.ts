import { defineBackend } from '@aws-amplify/backend';
import { Stack, Token } from 'aws-cdk-lib';
import type { CfnUserPool } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { auth, passwordPolicy } from './auth/resource.js';
import { boardsTable, connectionsTable, decksTable, sessionStatesTable, sessionsTable, tableDefinitions, type TableDefinition } from './data/table-definitions.js';
import { StreamCanvasTables, dataRetentionFor } from './data/tables.js';
import { realtime } from './functions/realtime/resource.js';
import { sessionApi } from './functions/session-api/resource.js';
import { wsAuthorizer } from './functions/ws-authorizer/resource.js';
import { eventsAuthorizer } from './functions/events-authorizer/resource.js';
import { EVENT_API_URL_ENV } from './functions/realtime/event-api-publisher.js';
import { LiveEvents } from './realtime/live-events.js';
import { RealtimeApis, appOrigins } from './realtime/resource.js';
import { Monitoring, alarmEmails } from './monitoring/resource.js';
import { enableActiveTracing } from './monitoring/tracing.js';
import { prebuiltImageFromEnv } from './executor/container-image.js';
import { CodeExecutor, EXECUTOR_IMAGE_ENV_PREFIX, executorSettingsFromEnv } from './executor/resource.js';
import { storage } from './storage/resource.js';
import { FILES_BUCKET_ENV } from './storage/object-store.js';
import { HttpMethods, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { deckProcessor } from './functions/deck-processor/resource.js';
import { DeckConverter, DECK_CONVERTER_IMAGE_ENV_PREFIX } from './converter/resource.js';
import { DECK_CONVERTER_ENV, DECK_PROCESSOR_ENV } from './decks/deck-env.js';
import { UPLOADS_PREFIX } from './decks/object-keys.js';
import { REPLAY_RETENTION_DAYS } from '../src/protocol/replay.js';
import { ivsRecordingFromEnv, mediaOutputsFromEnv, mediaProviderFromEnv, sfuFromEnv } from './media/config.js';
import { IvsMedia } from './media/resource.js';
import { mediaSweep } from './functions/media-sweep/resource.js';
import { sfuEnv } from './functions/realtime/sfu-relay.js';

/**
 * Stacks (nested under the Amplify root stack):
 *   auth      Cognito user pool and client (defineAuth)
 *   data      the DynamoDB tables (custom stack; nothing in it references another stack)
 *   storage   the files bucket (defineStorage; nothing in it references another stack)
 *   realtime  the three functions, both APIs and their grants (resourceGroupName + Stack.of)
 *   monitoring  alarms, their SNS topic, the dashboard (custom stack; it only reads the others)
 * References point one way only, realtime -> data, auth and monitoring -> realtime, data, auth,
 * so the nested stacks have no cycle. tests/synth asserts that.
 */
export const backend = defineBackend({ auth, storage, sessionApi, realtime, wsAuthorizer, deckProcessor, eventsAuthorizer, mediaSweep });

pinPasswordPolicy(backend.auth.resources.cfnResources.cfnUserPool);

const dataStack = backend.createStack('data');
export const tables = new StreamCanvasTables(dataStack, 'Tables', {
  definitions: tableDefinitions,
  retention: dataRetentionFor(dataStack),
});

// Least privilege: each function gets exactly the tables it touches, and learns their names.
connectTables(backend.sessionApi, { readWrite: [sessionsTable, sessionStatesTable, decksTable], read: [connectionsTable] });
connectTables(backend.wsAuthorizer, { read: [sessionsTable] });
connectTables(backend.eventsAuthorizer, { read: [sessionsTable] });
connectTables(backend.realtime, { readWrite: [sessionsTable, sessionStatesTable, connectionsTable, decksTable, boardsTable] });
connectTables(backend.deckProcessor, { readWrite: [decksTable] });
connectTables(backend.mediaSweep, { read: [sessionsTable] });

const { userPool, userPoolClient } = backend.auth.resources;
backend.wsAuthorizer.addEnvironment('USER_POOL_ID', userPool.userPoolId);
backend.wsAuthorizer.addEnvironment('USER_POOL_CLIENT_ID', userPoolClient.userPoolClientId);

const allowedOrigins = appOrigins(process.env, { sandbox: backend.stack.node.tryGetContext('amplify-backend-type') === 'sandbox' });
allowBrowserTransfers(backend.storage.resources.cfnResources.cfnBucket, allowedOrigins);
// Nothing in the bucket is ever public: every read goes through a presigned URL.
backend.storage.resources.cfnResources.cfnBucket.publicAccessBlockConfiguration = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
};
// Presigned URLs for uploads and downloads are signed by the session function. The realtime
// function signs whiteboard images (`boards/<sessionId>/…`) and writes replay checkpoints too
// large for a DynamoDB item (read and deleted by the session function).
connectFilesBucket(backend.sessionApi);
connectFilesBucket(backend.realtime);
// Decks: the processor checks uploads and stores PDFs; an upload the host never finished is gone after a day.
connectFilesBucket(backend.deckProcessor);
expireAbandonedUploads(backend.storage.resources.cfnResources.cfnBucket);
backend.deckProcessor.resources.lambda.grantInvoke(backend.sessionApi.resources.lambda);
backend.sessionApi.addEnvironment(DECK_PROCESSOR_ENV, backend.deckProcessor.resources.lambda.functionName);
expireReplayObjects(backend.storage.resources.cfnResources.cfnBucket);

export const apis = new RealtimeApis(Stack.of(backend.realtime.resources.lambda), 'RealtimeApis', {
  functions: {
    sessionApi: backend.sessionApi.resources.lambda,
    realtime: backend.realtime.resources.lambda,
    wsAuthorizer: backend.wsAuthorizer.resources.lambda,
  },
  userPool,
  userPoolClient,
  apiNamePrefix: backend.stack.stackName,
  allowedOrigins,
});

// The management endpoint of the WebSocket API's stage, for the session function (it is not behind that API).
backend.sessionApi.addEnvironment('WEBSOCKET_MANAGEMENT_ENDPOINT', apis.webSocketStage.callbackUrl);

// The Event API that fans each message out to a session's audience; the two functions that publish learn its endpoint.
export const liveEvents = new LiveEvents(Stack.of(backend.realtime.resources.lambda), 'LiveEvents', {
  authorizer: backend.eventsAuthorizer.resources.lambda,
  publishers: [backend.realtime.resources.lambda, backend.sessionApi.resources.lambda],
});
backend.realtime.addEnvironment(EVENT_API_URL_ENV, liveEvents.httpUrl);
backend.sessionApi.addEnvironment(EVENT_API_URL_ENV, liveEvents.httpUrl);

enableActiveTracing([backend.sessionApi, backend.realtime, backend.wsAuthorizer, backend.deckProcessor, backend.eventsAuthorizer, backend.mediaSweep].map((fn) => fn.resources.lambda));

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
    'deck-processor': backend.deckProcessor.resources.lambda,
    'events-authorizer': backend.eventsAuthorizer.resources.lambda,
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
const executorImage = prebuiltImageFromEnv(process.env, EXECUTOR_IMAGE_ENV_PREFIX);
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

// PowerPoint -> PDF: a container-image Lambda with LibreOffice, built like the executor's image
// (DECK_CONVERTER_BUILD_WITH_DOCKER=true, or DECK_CONVERTER_IMAGE_REPOSITORY + DECK_CONVERTER_IMAGE_TAG from the
// converter-image workflow). With neither, PDFs still work and PowerPoint uploads say conversion is not set up.
const converterImage = prebuiltImageFromEnv(process.env, DECK_CONVERTER_IMAGE_ENV_PREFIX);
const buildConverterWithDocker = process.env.DECK_CONVERTER_BUILD_WITH_DOCKER === 'true';
export const deckConverter =
  buildConverterWithDocker || converterImage
    ? new DeckConverter(Stack.of(backend.deckProcessor.resources.lambda), 'DeckConverter', { dockerAvailable: buildConverterWithDocker, prebuiltImage: converterImage })
    : undefined;
if (deckConverter) {
  deckConverter.function.grantInvoke(backend.deckProcessor.resources.lambda);
  backend.deckProcessor.addEnvironment(DECK_CONVERTER_ENV, deckConverter.function.functionName);
}

// Lands in amplify_outputs.json as `custom`; the browser reads it at runtime.
backend.addOutput({
  custom: {
    httpApiUrl: apis.httpApiUrl,
    webSocketUrl: apis.webSocketUrl,
    region: backend.stack.region,
    // Camera, screen and microphone: providers and ICE servers (STREAMCANVAS_ICE_SERVERS).
    media: mediaOutputsFromEnv(process.env, mediaProvider),
    // Where Amplify Gen 2 puts an Event API; parseAmplifyConfig turns it into API.Events for the `events` client.
    events: { url: liveEvents.httpUrl, aws_region: backend.stack.region, default_authorization_type: 'AWS_LAMBDA' },
  },
});

/**
 * Amazon IVS stages for every live session: grants scoped to this deployment's stages, the
 * orphan sweep, and with STREAMCANVAS_IVS_RECORDING=true, recording of the host's tracks to the
 * files bucket (amplify/storage; the session records the S3 prefix for replay).
 */
function ivsMediaFor(deploymentTag: string): IvsMedia {
  const recording = ivsRecordingFromEnv(process.env);
  return new IvsMedia(Stack.of(backend.sessionApi.resources.lambda), 'IvsMedia', {
    deploymentTag,
    tokenIssuer: backend.sessionApi,
    stageEnders: [backend.sessionApi, backend.realtime],
    sweeper: backend.mediaSweep,
    ...(recording ? { recordingBucket: backend.storage.resources.bucket } : {}),
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

/** Grants a function the files bucket (objects only) and tells it the bucket's name. */
function connectFilesBucket(fn: FunctionWithEnvironment): void {
  const bucket = backend.storage.resources.bucket;
  bucket.grantReadWrite(fn.resources.lambda);
  fn.addEnvironment(FILES_BUCKET_ENV, bucket.bucketName);
}

/**
 * Replay objects (checkpoints over a DynamoDB item, `replays/<sessionId>/…`) expire a day after
 * the log items they belong to (REPLAY_RETENTION_DAYS, DynamoDB's TTL), so nothing outlives its replay.
 */
function expireReplayObjects(cfnBucket: CfnBucket): void {
  addLifecycleRule(cfnBucket, { id: 'replay-objects', status: 'Enabled', prefix: 'replays/', expirationInDays: REPLAY_RETENTION_DAYS + 1 });
}

/** Adds a rule beside those already set (each feature owns a prefix of the one bucket). */
function addLifecycleRule(cfnBucket: CfnBucket, rule: CfnBucket.RuleProperty): void {
  const existing = (cfnBucket.lifecycleConfiguration as CfnBucket.LifecycleConfigurationProperty | undefined)?.rules ?? [];
  cfnBucket.lifecycleConfiguration = { rules: [...(existing as CfnBucket.RuleProperty[]), rule] };
}

/**
 * Browsers PUT and GET presigned URLs straight to the bucket, so it needs CORS, but only for the
 * app's own origins (defineStorage allows every origin by default). Presigned URLs carry their
 * own authorization; CORS only decides which pages may read the answers.
 */
function allowBrowserTransfers(cfnBucket: CfnBucket, origins: readonly string[]): void {
  cfnBucket.corsConfiguration = origins.length
    ? { corsRules: [{ allowedOrigins: [...origins], allowedMethods: [HttpMethods.GET, HttpMethods.HEAD, HttpMethods.PUT], allowedHeaders: ['*'], exposedHeaders: ['ETag'], maxAge: 3000 }] }
    : undefined;
}

/** Uploads live under uploads/ until the processor moves them on; S3 deletes what a host abandoned. */
function expireAbandonedUploads(cfnBucket: CfnBucket): void {
  addLifecycleRule(cfnBucket, { id: 'ExpireAbandonedDeckUploads', status: 'Enabled', prefix: UPLOADS_PREFIX, expirationInDays: 1, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } });
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
