import { Agent, request } from 'node:http';
import { handler } from '../../../amplify/functions/code-runner/handler.js';

/**
 * A stand-in for the AWS Lambda runtime interface client, bundled with the
 * real code-runner handler: the loop every Lambda runtime runs against the
 * Runtime API named by AWS_LAMBDA_RUNTIME_API (GET next, call the handler,
 * POST the response). Like the real client it keeps one socket to the
 * Runtime API open, which is what an attacker would try to steal.
 */

const api = process.env.AWS_LAMBDA_RUNTIME_API;
if (!api) throw new Error('AWS_LAMBDA_RUNTIME_API is not set.');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const base = `http://${api}/2018-06-01/runtime`;

function call(method: 'GET' | 'POST', url: string, body?: string): Promise<{ headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (;;) {
  const next = await call('GET', `${base}/invocation/next`);
  const requestId = String(next.headers['lambda-runtime-aws-request-id']);
  try {
    const result = await handler(JSON.parse(next.body));
    await call('POST', `${base}/invocation/${requestId}/response`, JSON.stringify(result));
  } catch (error) {
    const { name, message } = error as Error;
    await call('POST', `${base}/invocation/${requestId}/error`, JSON.stringify({ errorType: name, errorMessage: message }));
  }
}
