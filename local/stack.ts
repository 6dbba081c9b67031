import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier } from '../amplify/auth/token-verifier.js';
import { handler as realtimeHandler } from '../amplify/functions/realtime/handler.js';
import { handler as sessionApiHandler } from '../amplify/functions/session-api/handler.js';
import { handler as wsAuthorizerHandler } from '../amplify/functions/ws-authorizer/handler.js';
import { handler as eventsAuthorizerHandler } from '../amplify/functions/events-authorizer/handler.js';
import { EVENT_API_URL_ENV } from '../amplify/functions/realtime/event-api-publisher.js';
import { LIVE_NAMESPACE } from '../src/protocol/live-events.js';
import { startEventApi } from './event-api.js';
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
import { startFunctionProcess, type FunctionProcess } from './function-process.js';
import type { WebSocketEvent, WebSocketResult } from '../amplify/functions/realtime/websocket-event.js';

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
  /** The AppSync Events stand-in; any free port when omitted (only the served config names it). */
  eventApi?: number;
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
  /**
   * Runs the realtime function in a Node process of its own, as Lambda would, so its CPU time
   * can be measured apart from the stand-ins' (the benchmark). Default: in this process.
   */
  realtimeInOwnProcess?: boolean;
  /**
   * Starts the AppSync Events stand-in (default). Without it the functions post every message to
   * each connection over @connections, as a deployment without an Event API would.
   */
  eventApi?: boolean;
}

export const defaultPorts: Required<LocalStackPorts> = { web: 5173, httpApi: 4100, webSocket: 4101, cognito: 9229, dynamo: 4102, lambda: 4103, s3: 4104, sfu: 4105, eventApi: 4106 };

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

    // Replaced by a separate process once every endpoint is in the environment (realtimeInOwnProcess).
    let realtime: (event: WebSocketEvent) => Promise<WebSocketResult> = realtimeHandler;
    let realtimeProcess: FunctionProcess<WebSocketEvent, WebSocketResult> | undefined;
    // AppSync Events: the realtime and session functions publish with IAM (the local credentials,
    // checked), browsers subscribe through the events authorizer, as amplify/realtime/live-events.ts sets it up in AWS.
    const eventApi =
      options.eventApi === false
        ? undefined
        : await startEventApi({
            host,
            port: options.ports.eventApi ?? 0,
            region: cognito.region,
            connectionAuthModes: ['AWS_LAMBDA'],
            namespaces: { [LIVE_NAMESPACE]: { publish: ['AWS_IAM'], subscribe: ['AWS_LAMBDA'] } },
            authorizer: eventsAuthorizerHandler,
            iamSecrets: { [process.env.AWS_ACCESS_KEY_ID!]: process.env.AWS_SECRET_ACCESS_KEY! },
            log,
          });
    if (eventApi) {
      stopping.push(eventApi.close);
      process.env[EVENT_API_URL_ENV] = eventApi.httpUrl;
    } else {
      delete process.env[EVENT_API_URL_ENV];
    }

    const webSocketOptions = {
      host,
      stage: WEBSOCKET_STAGE,
      routeKeys: webSocketActions,
      authorizer: wsAuthorizerHandler,
      handler: (event: WebSocketEvent) => realtime(event),
      log,
      idleTimeoutMs: options.webSocketIdleTimeoutMs,
    };
    let webSocket = await startWebSocketGateway({ ...webSocketOptions, port: options.ports.webSocket });
    stopping.push(webSocket.close);
    // The handlers build the management endpoint from the request unless this standard variable overrides it.
    process.env.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI = webSocket.managementEndpoint;
    // What backend.ts gives the session function, which is not behind the WebSocket API.
    process.env.WEBSOCKET_MANAGEMENT_ENDPOINT = webSocket.managementEndpoint;

    const startRealtimeProcess = async (env: NodeJS.ProcessEnv) => {
      const started = await startFunctionProcess<WebSocketEvent, WebSocketResult>({
        module: fileURLToPath(new URL('../amplify/functions/realtime/handler.ts', import.meta.url)),
        env,
      });
      realtime = started.invoke;
      return started;
    };
    const stopRealtimeProcess = () => realtimeProcess?.close() ?? Promise.resolve();
    if (options.realtimeInOwnProcess) {
      realtimeProcess = await startRealtimeProcess(process.env);
      // Stopped after the gateway, whose closing sockets still run $disconnect.
      stopping.splice(stopping.indexOf(webSocket.close), 0, stopRealtimeProcess);
    }

    const outputs = localOutputs({
      region: cognito.region,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      userPoolEndpoint: cognito.endpoint,
      httpApiUrl: httpApi.url,
      webSocketUrl: webSocket.url,
      media: { providers: ['mesh', 'sfu'], defaultProvider: 'sfu', iceServers: [] },
      eventApiUrl: eventApi?.clientUrl,
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
      /** Where Amplify's events client connects (`ws:`, see local/event-api.ts) and where the backend publishes. */
      eventApiUrl: eventApi?.clientUrl,
      eventApiHttpUrl: eventApi?.httpUrl,
      /** The Event API stand-in itself, for tests that reproduce its failures. */
      eventApi,
      webSocketConnectionCount: () => webSocket.connectionCount(),
      /** CPU time the realtime function has used, in microseconds; only with realtimeInOwnProcess. */
      realtimeCpuMicros: () => realtimeProcess?.cpuMicros(),
      /**
       * Only with realtimeInOwnProcess, for the benchmark: starts the realtime function afresh,
       * publishing through the Event API or (false) posting to each connection as without one.
       */
      async restartRealtimeFunction({ eventApi: useEventApi }: { eventApi: boolean }) {
        if (!realtimeProcess) throw new Error('restartRealtimeFunction needs the stack started with realtimeInOwnProcess: true.');
        await realtimeProcess.close();
        const env = { ...process.env };
        if (!useEventApi) delete env[EVENT_API_URL_ENV];
        realtimeProcess = await startRealtimeProcess(env);
      },
      dynamoRequestBytes: dynamo.requestBytes,
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
