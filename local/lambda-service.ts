import { createServer } from 'node:http';
import { closeServer, listen } from './listen.js';

/**
 * Stand-in for the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`),
 * so handlers invoke other functions through the SDK exactly as in AWS: synchronously, or
 * asynchronously (`InvocationType: 'Event'`: 202 at once, the function runs afterwards).
 */
export type LocalFunction = (event: unknown) => Promise<unknown>;

export async function startLambdaService(options: { host: string; port: number; functions: Record<string, LocalFunction>; log: (line: string) => void }) {
  const running = new Set<Promise<unknown>>();
  const server = createServer((request, response) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(new URL(request.url ?? '/', 'http://lambda').pathname);
    const name = match?.[1] ? decodeURIComponent(match[1]) : undefined;
    const fn = name ? options.functions[name] : undefined;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (request.method !== 'POST' || !fn) {
        response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
        response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name ?? request.url}` }));
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (request.headers['x-amz-invocation-type'] === 'Event') {
        // As Lambda does for an asynchronous invoke: accepted at once, run afterwards, failures only logged.
        response.writeHead(202, { 'content-type': 'application/json' }).end();
        const run = Promise.resolve()
          .then(() => fn(text ? JSON.parse(text) : {}))
          .catch((error: unknown) => options.log(`local function ${name} (async) threw: ${String(error)}`))
          .finally(() => running.delete(run));
        running.add(run);
        return;
      }
      try {
        const result = await fn(text ? JSON.parse(text) : {});
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
        response.end(JSON.stringify(result ?? null));
      } catch (error) {
        options.log(`local function ${name} threw: ${String(error)}`);
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
        response.end(JSON.stringify({ errorType: 'Error', errorMessage: String(error) }));
      }
    });
  });
  const port = await listen(server, options.port, options.host, 'Lambda', 'STREAMCANVAS_LAMBDA_PORT');
  return {
    endpoint: `http://${options.host}:${port}`,
    async close() {
      await closeServer(server);
      // Asynchronous invocations still running finish first, so they do not outlive the stand-ins they use.
      await Promise.all([...running]);
    },
  };
}
