import { join } from 'node:path';
import { createTokenVerifier } from '../amplify/auth/token-verifier.js';
import { handler as realtimeHandler } from '../amplify/functions/realtime/handler.js';
import { handler as sessionApiHandler } from '../amplify/functions/session-api/handler.js';
import { handler as wsAuthorizerHandler } from '../amplify/functions/ws-authorizer/handler.js';
import { httpRoutes, publicHttpRoutes } from '../src/protocol/session.js';
import { WEBSOCKET_STAGE, webSocketActions } from '../src/protocol/realtime.js';
import { startLocalCognito } from './cognito/index.js';
import { startLocalDynamo } from './dynamo.js';
import { startLocalS3 } from './s3.js';
import { FILES_BUCKET_ENV } from '../amplify/storage/object-store.js';
import { startLambdaService } from './lambda-service.js';
import { localCodeRunner } from './code-runner.js';
import { localDeckConverter } from './deck-converter.js';
import { handler as deckProcessorHandler } from '../amplify/functions/deck-processor/handler.js';
import { DECK_CONVERTER_ENV, DECK_PROCESSOR_ENV } from '../amplify/decks/deck-env.js';
import { startHttpGateway } from './http-gateway.js';
import { localOutputs } from './outputs.js';
import { startWebServer, type WebMode } from './web-server.js';
import { startWebSocketGateway } from './websocket-gateway.js';
import { randomBytes } from 'node:crypto';
import { sfuEnv } from '../amplify/functions/realtime/sfu-relay.js';
import { startLocalSfu } from './sfu/server.js';

/**
 * Boots every AWS stand-in in this process and points the real handlers at them through
 * the same environment variables the Lambdas get in AWS.
 */
export interface LocalStackPorts {
  web: number;
  httpApi: number;
  webSocket: number;
  cognito: number;
  dynamo: number;
  lambda: number;
  s3: number;
  /** The local SFU's signalling endpoint (its media uses ephemeral UDP ports). */
  sfu: number;
}

export interface LocalStackOptions {
  dataDir: string;
  host?: string;
  ports: LocalStackPorts;
  web: WebMode;
  onCode?: (event: { kind: string; username: string; code: string }) => void;
  log?: (line: string) => void;
  /** Overrides API Gateway's 10-minute idle timeout, for tests. */
  webSocketIdleTimeoutMs?: number;
}

export const defaultPorts: LocalStackPorts = { web: 5173, httpApi: 4100, webSocket: 4101, cognito: 9229, dynamo: 4102, lambda: 4103, s3: 4104, sfu: 4105 };

/** The executor's function name locally; in AWS the backend passes the real one. */
const CODE_RUNNER_FUNCTION = 'streamcanvas-code-runner';
/** The deck functions' names locally. */
const DECK_PROCESSOR_FUNCTION = 'streamcanvas-deck-processor';
const DECK_CONVERTER_FUNCTION = 'streamcanvas-deck-converter';

export async function startLocalStack(options: LocalStackOptions) {
  const host = options.host ?? '127.0.0.1';
  // The SDK's Node 22 notice is noise on a developer's terminal; Lambda runs Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // The handlers' CloudWatch metrics (one EMF JSON line each on stdout) mean nothing locally.
  // Set POWERTOOLS_METRICS_DISABLED=false to see them; logs are unaffected (LOG_LEVEL sets their level).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const log = options.log ?? ((line: string) => console.error(line));
  const stopping: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch((error) => log(`while stopping: ${String(error)}`));
  };

  try {
    const dynamo = await startLocalDynamo({ dataDir: join(options.dataDir, 'dynamodb'), port: options.ports.dynamo, host });
    stopping.push(dynamo.close);
    const cognito = await startLocalCognito({
      dataDir: join(options.dataDir, 'cognito'),
      port: options.ports.cognito,
      host,
      onCode: options.onCode,
    });
    stopping.push(cognito.close);
    const s3 = await startLocalS3({ dataDir: join(options.dataDir, 's3'), port: options.ports.s3, host });
    stopping.push(s3.close);

    Object.assign(process.env, {
      AWS_REGION: cognito.region,
      // No stand-in checks signatures, but s3rver knows only this access key id.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      [FILES_BUCKET_ENV]: s3.bucketName,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
      USER_POOL_ID: cognito.userPoolId,
      USER_POOL_CLIENT_ID: cognito.userPoolClientId,
      ...dynamo.tableNames,
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;

    // The code runner answers through a Lambda Invoke stand-in, sandboxed by bubblewrap instead of Lambda.
    const lambda = await startLambdaService({
      host,
      port: options.ports.lambda,
      functions: {
        [CODE_RUNNER_FUNCTION]: localCodeRunner(log),
        // Decks: the processor as in AWS; the converter runs LibreOffice in bubblewrap instead of its Lambda image.
        [DECK_PROCESSOR_FUNCTION]: deckProcessorHandler,
        [DECK_CONVERTER_FUNCTION]: localDeckConverter(log),
      },
      log,
    });
    stopping.push(lambda.close);
    process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.endpoint;
    process.env.CODE_RUNNER_FUNCTION_NAME = CODE_RUNNER_FUNCTION;
    process.env[DECK_PROCESSOR_ENV] = DECK_PROCESSOR_FUNCTION;
    process.env[DECK_CONVERTER_ENV] = DECK_CONVERTER_FUNCTION;

    // The SFU: the realtime function relays `signal`s addressed to "sfu" to it, with the caller's role.
    const sfu = await startLocalSfu({ host, port: options.ports.sfu, secret: randomBytes(24).toString('base64url'), log });
    stopping.push(sfu.close);
    process.env[sfuEnv.url] = sfu.url;
    process.env[sfuEnv.secret] = sfu.secret;

    const verifyToken = createTokenVerifier({
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      region: cognito.region,
      cognitoEndpoint: cognito.endpoint,
    });

    const httpApi = await startHttpGateway({
      host,
      port: options.ports.httpApi,
      routes: Object.values(httpRoutes).map((routeKey) => ({
        routeKey,
        authorization: publicHttpRoutes.includes(routeKey) ? 'none' : 'jwt',
        handler: sessionApiHandler,
      })),
      verifyToken,
      allowedOrigins: (origin) => /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin),
      log,
    });
    stopping.push(httpApi.close);

    const webSocketOptions = {
      host,
      stage: WEBSOCKET_STAGE,
      routeKeys: webSocketActions,
      authorizer: wsAuthorizerHandler,
      handler: realtimeHandler,
      log,
      idleTimeoutMs: options.webSocketIdleTimeoutMs,
    };
    let webSocket = await startWebSocketGateway({ ...webSocketOptions, port: options.ports.webSocket });
    stopping.push(webSocket.close);
    // The handlers build the management endpoint from the request unless this standard variable overrides it.
    process.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI = webSocket.managementEndpoint;
    // What backend.ts gives the session function, which is not behind the WebSocket API.
    process.env.WEBSOCKET_MANAGEMENT_ENDPOINT = webSocket.managementEndpoint;

    const outputs = localOutputs({
      region: cognito.region,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      userPoolEndpoint: cognito.endpoint,
      httpApiUrl: httpApi.url,
      webSocketUrl: webSocket.url,
      media: { providers: ['mesh', 'sfu'], defaultProvider: 'sfu', iceServers: [] },
    });
    const web = await startWebServer({ mode: options.web, host, port: options.ports.web, outputs });
    if (web) stopping.push(web.close);

    return {
      webUrl: web?.url,
      httpApiUrl: httpApi.url,
      webSocketUrl: webSocket.url,
      sfuUrl: sfu.url,
      sfuStats: () => sfu.sfu.stats(),
      cognito,
      dynamoEndpoint: dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      dynamoRequestCounts: dynamo.requestCounts,
      dynamoBodyBytes: dynamo.bodyBytes,
      outputs,
      webSocketConnectionCount: () => webSocket.connectionCount(),
      /** Stops and starts the WebSocket gateway on the same port, as an outage would. */
      async restartWebSocketGateway(downtimeMs = 0) {
        const index = stopping.indexOf(webSocket.close);
        await webSocket.close();
        await new Promise((resolve) => setTimeout(resolve, downtimeMs));
        webSocket = await startWebSocketGateway({ ...webSocketOptions, port: Number(new URL(webSocket.url).port) });
        stopping[index] = webSocket.close;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;
