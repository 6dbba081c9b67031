import { mkdir } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { closeServer, listen } from '../listen.js';
import { accountRoutes } from './accountRoutes.js';
import {
  Router,
  createCognitoLocalServices,
  createServer,
  createSilentLogger,
  type CodeListener,
  type CognitoRouter,
} from './cognitoLocal.js';
import { createRequestHandler } from './http.js';
import { createJwtVerifier } from './jwt.js';
import { loadOrCreateSigningKey } from './signingKey.js';
import type { RouteDeps } from './routeSupport.js';
import { sessionRoutes } from './sessionRoutes.js';
import { ensureUserPool } from './userPool.js';

/**
 * cognito-local, started in-process, with a thin compatibility layer so Amplify JS v6 works
 * against it unmodified (SRP sign-in, GetTokensFromRefreshToken, password policy, …).
 * The layer is a router wrapped around cognito-local's own: see accountRoutes and sessionRoutes.
 */
export interface LocalCognitoOptions {
  /** Folder that persists users, the pool and the app client (created if missing). */
  dataDir: string;
  /** Fixed port: the tokens' issuer URL derives from host and port. */
  port: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Receives confirmation codes (sign-up, resend, password reset); `username` is the email. */
  onCode?: CodeListener;
}

export interface LocalCognito {
  /** For Amplify's `Auth.Cognito.userPoolEndpoint` and the SDK's `endpoint`. */
  endpoint: string;
  /** Stable across restarts with the same dataDir. */
  userPoolId: string;
  userPoolClientId: string;
  /** Region part of the pool id: 'local', as cognito-local names pools. */
  region: string;
  /** Exact `iss` of issued tokens. */
  issuer: string;
  jwksUri: string;
  close(): Promise<void>;
}

export type { CodeKind, CodeListener } from './cognitoLocal.js';

export async function startLocalCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.dataDir, { recursive: true });

  // Listen first: a busy port fails fast, before any data is touched.
  const server = createHttpServer();
  const port = await listen(server, options.port, host, 'Cognito', 'STREAMCANVAS_COGNITO_PORT');
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  try {
    const logger = createSilentLogger();
    const signingKey = await loadOrCreateSigningKey(options.dataDir);
    const services = await createCognitoLocalServices({ dataDir: options.dataDir, issuerDomain: endpoint, onCode: options.onCode, logger, signingKey });
    const cognitoLocal = Router(services);
    const { userPoolId, userPoolClientId } = await ensureUserPool({ logger }, services, cognitoLocal);

    const deps: RouteDeps = { services, cognitoLocal, verifyJwt: createJwtVerifier(signingKey.publicKeyPem) };
    const overrides = { ...accountRoutes(deps), ...sessionRoutes(deps) };
    const router: CognitoRouter = (target) => overrides[target] ?? cognitoLocal(target);
    const app = createServer(router, logger, { development: false, https: false }).application;
    server.on('request', createRequestHandler(app, endpoint, { keys: [signingKey.jwk] }));

    const issuer = `${endpoint}/${userPoolId}`;
    return {
      endpoint,
      userPoolId,
      userPoolClientId,
      region: userPoolId.split('_')[0] ?? 'local',
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      close: () => closeServer(server),
    };
  } catch (error) {
    await closeServer(server);
    throw error;
  }
}
