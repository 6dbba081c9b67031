import { WEBSOCKET_STAGE, webSocketActions } from '../../src/protocol/realtime.js';
import { Duration } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
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

    this.httpApi = this.createHttpApi(props, throttles.http);
    this.httpApiUrl = this.httpApi.apiEndpoint;

    this.webSocketApi = this.createWebSocketApi(props);
    this.webSocketStage = new WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: this.webSocketApi,
      stageName: WEBSOCKET_STAGE,
      autoDeploy: true,
      throttle: throttles.webSocket,
    });
    this.webSocketUrl = this.webSocketStage.url;

    // PostToConnection, GetConnection and DeleteConnection on this API's prod stage only.
    this.webSocketStage.grantManagementApiAccess(props.functions.realtime);
  }

  private createHttpApi(props: RealtimeApisProps, throttle: ThrottleSettings): HttpApi {
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
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PATCH, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
      // The default stage is added below, with throttling.
      createDefaultStage: false,
    });
    httpApi.addStage('DefaultStage', { stageName: '$default', autoDeploy: true, throttle });

    const integration = new HttpLambdaIntegration('SessionApi', props.functions.sessionApi);
    for (const routeKey of Object.values(httpRoutes)) {
      const { method, path } = parseRouteKey(routeKey);
      httpApi.addRoutes({
        path,
        methods: [method],
        integration,
        ...(publicHttpRoutes.includes(routeKey) ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
    }
    return httpApi;
  }

  private createWebSocketApi(props: RealtimeApisProps): WebSocketApi {
    const integration = new WebSocketLambdaIntegration('Realtime', props.functions.realtime);
    const webSocketApi = new WebSocketApi(this, 'WebSocketApi', {
      apiName: `${props.apiNamePrefix}-live`,
      description: 'StreamCanvas live sessions',
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration,
        // API Gateway refuses a connect without ?sessionId before invoking the authorizer.
        // WebSocket authorizers are not cached, so the optional ?token is still seen every time.
        authorizer: new WebSocketLambdaAuthorizer('SessionConnect', props.functions.wsAuthorizer, {
          identitySource: ['route.request.querystring.sessionId'],
        }),
      },
      disconnectRouteOptions: { integration },
      defaultRouteOptions: { integration },
    });
    for (const routeKey of webSocketActions) {
      webSocketApi.addRoute(routeKey, { integration });
    }
    return webSocketApi;
  }
}

/**
 * The origins the browser app is served from: the Vite dev server, the Amplify Hosting
 * branch domain when building there, and any listed in STREAMCANVAS_APP_ORIGINS
 * (comma separated, e.g. `https://streamcanvas.example.com,https://www.streamcanvas.example.com`).
 */
export function appOrigins(env: Record<string, string | undefined> = process.env): string[] {
  const origins = new Set<string>(['http://localhost:5173']);
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
