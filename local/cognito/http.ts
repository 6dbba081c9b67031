import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The HTTP edge around cognito-local's Express app: what browsers and OIDC clients need beyond it.
 * cognito-local already answers CORS preflights (origin *, requested headers reflected).
 */
type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The slice of an Express app used here (cognito-local types it as `any`). */
interface ExpressApp extends RequestHandler {
  use(handler: (error: HttpError, req: IncomingMessage, res: JsonResponse, next: unknown) => void): unknown;
}
interface HttpError {
  status?: number;
  message?: string;
}
interface JsonResponse extends ServerResponse {
  status(code: number): { json(body: unknown): void };
}

export function createRequestHandler(app: ExpressApp, endpoint: string, jwks: { keys: object[] }): RequestHandler {
  // Malformed JSON would otherwise reach Express's default handler: a stack trace on the console and an HTML answer.
  app.use((error, _req, res, _next) => {
    const status = error.status ?? 500;
    res.status(status).json({ __type: status < 500 ? 'SerializationException' : 'InternalErrorException', message: error.message });
  });

  return (req, res) => {
    res.setHeader('x-amzn-requestid', randomUUID());
    res.setHeader('Access-Control-Expose-Headers', 'x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, date');
    if (req.method === 'OPTIONS') res.setHeader('Access-Control-Max-Age', '600');

    // cognito-local serves the public half of the key published in its package; tokens are signed with this folder's own.
    if (req.method === 'GET' && req.url?.match(/^\/[\w-]+_\w+\/\.well-known\/jwks\.json$/)) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(jwks));
      return;
    }
    // cognito-local hard-codes http://localhost:9229 in its discovery document.
    const discovery = req.method === 'GET' && req.url?.match(/^\/([\w-]+_\w+)\/\.well-known\/openid-configuration$/);
    if (discovery) {
      const issuer = `${endpoint}/${discovery[1]}`;
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256'] }));
      return;
    }
    app(req, res);
  };
}
