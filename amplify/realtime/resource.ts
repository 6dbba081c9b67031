import { WEBSOCKET_STAGE, webSocketActions } from '../../src/protocol/realtime.js';
import { Duration } from 'aws-cdk-lib';
import {
  CfnStage,
  CorsHttpMethod,
  HttpApi,
  type HttpStage,
  HttpMethod,
  HttpNoneAuthorizer,
  WebSocketApi,
  WebSocketStage,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer, WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { httpRoutes, publicHttpRoutes, type HttpRouteKey } from '../../src/protocol/session.js';

/**
 * The nested stack holding the three API functions and the APIs that call them.
 *
 * An API in one stack whose function lives in another makes the two stacks depend on each
 * other (integration -> function ARN; function role -> API ARN for @connections), which
 * CloudFormation cannot deploy. So every function behind these APIs uses this
 * `resourceGroupName`, and RealtimeApis is created in `Stack.of(realtime lambda)`.
 * Never pass this name to `backend.createStack`: it would clash with the group's stack.
 */
export const realtimeResourceGroup = 'realtime';

/** Steady-state requests per second and burst, per route, applied as each stage's defaults. */
export const defaultThrottles = {
  http: { rateLimit: 100, burstLimit: 200 },
  // Every patch, signal, chat line and reaction is one message.
  webSocket: { rateLimit: 1000, burstLimit: 2000 },
} as const satisfies Record<string, ThrottleSettings>;

/**
 * Tighter limits for the routes where one request costs much more than the others, applied as
 * the stage's route settings. Like the stage defaults, they are totals for the whole API (all
 * sessions), on top of the per-connection limits in `rateLimits` (src/protocol/realtime.ts).
 */
export const defaultRouteThrottles = {
  http: {
    // Each session is a DynamoDB item a signed-in user creates at will.
    [httpRoutes.createSession]: { rateLimit: 10, burstLimit: 20 },
    // Each is a CreateParticipantToken, which IVS allows 50 times a second per account and region
    // (not adjustable): anonymous callers must not use up what hosts need to publish.
    [httpRoutes.subscribeMediaToken]: { rateLimit: 40, burstLimit: 80 },
    [httpRoutes.publishMediaToken]: { rateLimit: 10, burstLimit: 20 },
  },
  webSocket: {
    // Authorizer + realtime function + 2 writes per connect; a reconnect storm is spread by the clients' backoff.
    // (API Gateway also caps new connections at 500/s per account and region.)
    $connect: { rateLimit: 300, burstLimit: 600 },
    // Every chat line and reaction is posted to every connection of its session: they amplify.
    chat: { rateLimit: 100, burstLimit: 200 },
    react: { rateLimit: 50, burstLimit: 100 },
    // Each run occupies the executor (reserved concurrency 10) for up to its timeout.
    runCode: { rateLimit: 10, burstLimit: 20 },
  },
} as const satisfies { http: Partial<Record<HttpRouteKey, ThrottleSettings>>; webSocket: Record<string, ThrottleSettings> };

export interface RealtimeApisProps {
  functions: {
    /** Integration of every HTTP route. */
    sessionApi: IFunction;
    /** Integration of every WebSocket route; may post to the API's connections. */
    realtime: IFunction;
    /** REQUEST authorizer of $connect. */
    wsAuthorizer: IFunction;
  };
  /** Issuer and audience of the access tokens the HTTP API accepts. */
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
  /** Prefix of the APIs' names, so each backend's APIs are told apart in the console. */
  apiNamePrefix: string;
  /** Browser origins allowed by the HTTP API's CORS preflight (see appOrigins). */
  allowedOrigins: readonly string[];
  throttles?: { http?: ThrottleSettings; webSocket?: ThrottleSettings };
  /** Per-route throttles by route key; default `defaultRouteThrottles`. */
  routeThrottles?: { http?: Readonly<Record<string, ThrottleSettings>>; webSocket?: Readonly<Record<string, ThrottleSettings>> };
}

/**
 * The HTTP API (sessions, Cognito JWT authorizer) and the WebSocket API (live sessions,
 * Lambda REQUEST authorizer on $connect). Create it in the functions' own stack.
 */
export class RealtimeApis extends Construct {
  readonly httpApi: HttpApi;
  readonly webSocketApi: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  /** Base URL of the HTTP API, without a trailing slash: `${httpApiUrl}/sessions`. */
  readonly httpApiUrl: string;
  /** The wss:// URL of the `prod` stage. */
  readonly webSocketUrl: string;

  constructor(scope: Construct, id: string, props: RealtimeApisProps) {
    super(scope, id);
    const throttles = {
      http: props.throttles?.http ?? defaultThrottles.http,
      webSocket: props.throttles?.webSocket ?? defaultThrottles.webSocket,
    };

    const routeThrottles = {
      http: props.routeThrottles?.http ?? defaultRouteThrottles.http,
      webSocket: props.routeThrottles?.webSocket ?? defaultRouteThrottles.webSocket,
    };

    const http = this.createHttpApi(props, throttles.http);
    this.httpApi = http.api;
    this.httpApiUrl = this.httpApi.apiEndpoint;
    throttleRoutes(http.stage, http.routes, routeThrottles.http);

    const webSocket = this.createWebSocketApi(props);
    this.webSocketApi = webSocket.api;
    this.webSocketStage = new WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: this.webSocketApi,
      stageName: WEBSOCKET_STAGE,
      autoDeploy: true,
      throttle: throttles.webSocket,
    });
    this.webSocketUrl = this.webSocketStage.url;
    throttleRoutes(this.webSocketStage, webSocket.routes, routeThrottles.webSocket);

    // PostToConnection, GetConnection and DeleteConnection on this API's prod stage only.
    this.webSocketStage.grantManagementApiAccess(props.functions.realtime);
    // Ending a session from the dashboard tells its room, through the same management API.
    this.webSocketStage.grantManagementApiAccess(props.functions.sessionApi);
  }

  private createHttpApi(props: RealtimeApisProps, throttle: ThrottleSettings): { api: HttpApi; stage: HttpStage; routes: Map<string, Construct> } {
    const cognitoAuthorizer = new HttpUserPoolAuthorizer('CognitoAccessToken', props.userPool, {
      userPoolClients: [props.userPoolClient],
      identitySource: ['$request.header.Authorization'],
    });
    const httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${props.apiNamePrefix}-sessions`,
      description: 'StreamCanvas sessions',
      // Every route needs a signed-in user unless it is listed in publicHttpRoutes.
      defaultAuthorizer: cognitoAuthorizer,
      corsPreflight: {
        allowOrigins: [...props.allowedOrigins],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
      // The default stage is added below, with throttling.
      createDefaultStage: false,
    });
    const stage = httpApi.addStage('DefaultStage', { stageName: '$default', autoDeploy: true, throttle });

    const integration = new HttpLambdaIntegration('SessionApi', props.functions.sessionApi);
    const routes = new Map<string, Construct>();
    for (const routeKey of Object.values(httpRoutes)) {
      const { method, path } = parseRouteKey(routeKey);
      const [route] = httpApi.addRoutes({
        path,
        methods: [method],
        integration,
        ...(publicHttpRoutes.includes(routeKey) ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (route) routes.set(routeKey, route);
    }
    return { api: httpApi, stage, routes };
  }

  private createWebSocketApi(props: RealtimeApisProps): { api: WebSocketApi; routes: Map<string, Construct> } {
    const integration = new WebSocketLambdaIntegration('Realtime', props.functions.realtime);
    const webSocketApi = new WebSocketApi(this, 'WebSocketApi', {
      apiName: `${props.apiNamePrefix}-live`,
      description: 'StreamCanvas live sessions',
      routeSelectionExpression: '$request.body.action',
    });
    // Added here rather than through the constructor's *RouteOptions (same construct ids, so
    // the same resources) because the stage's route settings need the route constructs.
    const routes = new Map<string, Construct>([
      [
        '$connect',
        webSocketApi.addRoute('$connect', {
          integration,
          // API Gateway refuses a connect without ?sessionId before invoking the authorizer.
          // WebSocket authorizers are not cached, so the optional ?token is still seen every time.
          authorizer: new WebSocketLambdaAuthorizer('SessionConnect', props.functions.wsAuthorizer, {
            identitySource: ['route.request.querystring.sessionId'],
          }),
        }),
      ],
      ['$disconnect', webSocketApi.addRoute('$disconnect', { integration })],
      ['$default', webSocketApi.addRoute('$default', { integration })],
    ]);
    for (const routeKey of webSocketActions) {
      routes.set(routeKey, webSocketApi.addRoute(routeKey, { integration }));
    }
    return { api: webSocketApi, routes };
  }
}

/**
 * Sets per-route throttling on a stage (CloudFormation RouteSettings). The stage must be created
 * after those routes, or API Gateway answers "Unable to find Route by key …", so it depends on them.
 */
function throttleRoutes(stage: Construct, routes: ReadonlyMap<string, Construct>, throttles: Readonly<Record<string, ThrottleSettings>>): void {
  const entries = Object.entries(throttles);
  if (entries.length === 0) return;
  const cfnStage = stage.node.defaultChild as CfnStage;
  const routeSettings: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> = {};
  for (const [routeKey, throttle] of entries) {
    const route = routes.get(routeKey);
    if (!route) {
      throw new Error(
        `Cannot throttle route '${routeKey}': the API has no such route (it has ${[...routes.keys()].join(', ')}). ` +
          'Resolution: fix the route key in routeThrottles (amplify/realtime/resource.ts).',
      );
    }
    routeSettings[routeKey] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
    cfnStage.node.addDependency(route);
  }
  cfnStage.routeSettings = routeSettings;
}

/**
 * The origins the browser app is served from: the Amplify Hosting branch domain when building
 * there, any listed in STREAMCANVAS_APP_ORIGINS (comma separated, e.g.
 * `https://streamcanvas.example.com,https://www.streamcanvas.example.com`), and on a developer's
 * sandbox only, the Vite dev server: a production API must not answer pages on anyone's localhost.
 */
export function appOrigins(env: Record<string, string | undefined>, deployment: { sandbox: boolean }): string[] {
  const origins = new Set<string>(deployment.sandbox ? ['http://localhost:5173'] : []);
  if (env.AWS_APP_ID && env.AWS_BRANCH) {
    // Amplify Hosting serves branch `feature/x` at https://feature-x.<appId>.amplifyapp.com.
    origins.add(`https://${env.AWS_BRANCH.replace(/[^A-Za-z0-9-]/g, '-')}.${env.AWS_APP_ID}.amplifyapp.com`);
  }
  for (const entry of (env.STREAMCANVAS_APP_ORIGINS ?? '').split(',')) {
    const candidate = entry.trim();
    if (candidate) origins.add(parseOrigin(candidate));
  }
  return [...origins];
}

function parseOrigin(candidate: string): string {
  let url: URL | undefined;
  try {
    url = new URL(candidate);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== candidate.replace(/\/$/, '')) {
    throw new Error(
      `STREAMCANVAS_APP_ORIGINS contains '${candidate}', which is not an origin. ` +
        'Resolution: list origins as scheme://host[:port] without path or wildcard, separated by commas, e.g. https://app.example.com.',
    );
  }
  return url.origin;
}

function parseRouteKey(routeKey: HttpRouteKey): { method: HttpMethod; path: string } {
  const [method, path] = routeKey.split(' ');
  if (!path || !isHttpMethod(method)) {
    throw new Error(`HTTP route key '${routeKey}' is not 'METHOD /path'. Resolution: fix httpRoutes in src/protocol/session.ts.`);
  }
  return { method, path };
}

function isHttpMethod(value: string | undefined): value is HttpMethod {
  return (Object.values(HttpMethod) as string[]).includes(value ?? '');
}
