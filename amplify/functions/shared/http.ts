import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues, httpStatusOf, type ErrorCode } from '../../../src/protocol/errors.js';

/** API Gateway HTTP API (payload v2) responses and request parsing, shared by HTTP handlers. */

export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly resolution?: string,
  ) {
    super(message);
  }
}

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function errorResponse(error: HttpError): APIGatewayProxyStructuredResultV2 {
  return json(httpStatusOf[error.code], {
    error: { code: error.code, message: error.message, ...(error.resolution ? { resolution: error.resolution } : {}) },
  });
}

/** Decodes, size-checks and validates a JSON body against a schema. */
export function parseBody<T extends z.ZodType>(event: APIGatewayProxyEventV2, schema: T, maxBytes: number): z.infer<T> {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > maxBytes) {
    throw new HttpError('PayloadTooLarge', `The request body is larger than ${maxBytes} bytes.`, 'Send a smaller body.');
  }
  if (text.trim() === '') {
    throw new HttpError('BadRequest', 'The request body is empty.', 'Send a JSON object.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError('BadRequest', 'The request body is not valid JSON.', 'Send a JSON object with content-type application/json.');
  }
  return parseWith(schema, value, 'body');
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError('BadRequest', `Invalid ${what}: ${describeIssues(result.error)}.`);
  }
  return result.data;
}

/** The caller's Cognito user id, as the JWT authorizer passed it on. */
export function callerId(event: APIGatewayProxyEventV2): string {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }).authorizer?.jwt
    ?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '') {
    throw new HttpError('Unauthorized', 'This route needs a signed-in user.', 'Sign in and send the access token as a Bearer token.');
  }
  return sub;
}
