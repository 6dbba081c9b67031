import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureOutput, clearPowertoolsEnv } from './observability-support.js';

/**
 * The exported Lambda handlers of session-api and ws-authorizer, exactly as deployed, write
 * their logs as Powertools JSON lines with their service name and the Lambda request id.
 * DynamoDB is pointed at a closed port, so the failure paths run without any AWS.
 */

const context = { functionName: 'fn', awsRequestId: 'req-42', invokedFunctionArn: 'arn', memoryLimitInMB: '256' } as Context;

beforeAll(() => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // Nothing listens on port 9 (discard): every DynamoDB call fails at once.
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    AWS_MAX_ATTEMPTS: '1',
    // The SDK's Node 20 end-of-support notice would land on stderr among the logs.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SESSIONS_TABLE: 'Sessions',
    // The session function reads the log and connections for replays.
    SESSION_STATES_TABLE: 'SessionStates',
    CONNECTIONS_TABLE: 'Connections',
    USER_POOL_ID: 'us-east-1_test',
    USER_POOL_CLIENT_ID: 'client',
  });
});
afterAll(() => {
  for (const name of ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_MAX_ATTEMPTS', 'SESSIONS_TABLE', 'SESSION_STATES_TABLE', 'CONNECTIONS_TABLE', 'USER_POOL_ID', 'USER_POOL_CLIENT_ID']) delete process.env[name];
});

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  clearPowertoolsEnv();
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  vi.unstubAllEnvs();
});

describe('session-api handler', () => {
  it('logs an unhandled failure as one structured ERROR line and answers 500', async () => {
    const { handler } = await import('../../amplify/functions/session-api/handler.js');
    const event = {
      routeKey: 'GET /sessions/{sessionId}',
      pathParameters: { sessionId: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      requestContext: {},
    } as unknown as APIGatewayProxyEventV2;
    const response = await handler(event, context);
    expect(response.statusCode).toBe(500);
    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'unhandled error',
        service: 'session-api',
        routeKey: 'GET /sessions/{sessionId}',
        function_request_id: 'req-42',
        error: expect.stringMatching(/ECONNREFUSED|connect/i),
      }),
    ]);
    expect(output.emf()).toEqual([]);
  });
});

describe('ws-authorizer handler', () => {
  const event = (query: Record<string, string>) =>
    ({ type: 'REQUEST', methodArn: 'arn:aws:execute-api:us-east-1:1:api/prod/$connect', queryStringParameters: query }) as unknown as APIGatewayRequestAuthorizerEvent;

  it('logs a refused connection with its reason as one structured INFO line', async () => {
    const { handler } = await import('../../amplify/functions/ws-authorizer/handler.js');
    const result = await handler(event({ sessionId: 'not-a-session' }), context);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'connection refused',
        service: 'ws-authorizer',
        reason: 'sessionId is missing or not a session id',
        function_request_id: 'req-42',
      }),
    ]);
  });

  it('logs a failing dependency as ERROR, then the refusal', async () => {
    const { handler } = await import('../../amplify/functions/ws-authorizer/handler.js');
    await handler(event({ sessionId: '0f8fad5b-d9cb-469f-a165-70867728950e' }), context);
    expect(output.logs()).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'authorizer failed', service: 'ws-authorizer', error: expect.any(String) }),
      expect.objectContaining({ level: 'INFO', message: 'connection refused', reason: 'authorization is unavailable' }),
    ]);
  });
});
