import * as dynamodb from '@aws-sdk/client-dynamodb';
import { DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall, type NativeAttributeValue, type marshallOptions, type unmarshallOptions } from '@aws-sdk/util-dynamodb';
import { isTransientSocketError, signedPoster, type SignedPoster } from '../functions/shared/signed-post.js';

/**
 * The DynamoDB document client of every handler, with its single-item and query operations
 * (GetItem, PutItem, UpdateItem, DeleteItem, Query) sent as one SigV4-signed JSON POST over
 * the project's keep-alive pool instead of through the SDK's middleware stack.
 *
 * Why: the realtime function makes two writes per publish, and each cost about 1–2.5 ms of CPU
 * in the SDK (endpoint rules, user agent, retry bookkeeping, schema serde, signing, node:http),
 * most of the publish's CPU (bench/realtime.ts). The wire format is the service's own JSON
 * protocol; marshalling is the SDK's (util-dynamodb, with the document client's options);
 * errors are the SDK's exception classes, so `instanceof ConditionalCheckFailedException` holds;
 * throttling and server errors are retried as the SDK's standard strategy does. Every other
 * command (batch, transactions, legacy parameters) goes through the SDK unchanged.
 *
 * Endpoint and region come from the SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL, AWS_REGION), credentials from the SDK's default provider chain.
 */
export class LeanDocumentClient extends DynamoDBDocumentClient {
  private readonly poster: SignedPoster;

  constructor(
    client: DynamoDBClient,
    private readonly translate: TranslateConfig,
    options: { endpoint?: string; region?: string } = {},
  ) {
    super(client, translate);
    // Sockets open on first use; DynamoDB may take long under load, so no short request timeout.
    this.poster = signedPoster(options.endpoint ?? dynamoEndpoint(), { service: 'dynamodb', region: options.region, maxSockets: 50, requestTimeoutMs: 30_000 });
  }

  // One signature for every overload of the SDK's send: the command decides the output.
  override send(command: unknown, ...rest: unknown[]): Promise<never> {
    const operation = leanOperation(command);
    if (!operation || rest.length > 0) return (super.send as (...args: unknown[]) => Promise<never>)(command, ...rest);
    return this.sendLean(operation, (command as { input: Record<string, unknown> }).input) as Promise<never>;
  }

  override destroy(): void {
    this.poster.close();
    super.destroy();
  }

  private async sendLean(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const body = JSON.stringify(this.marshallInput(input), base64Binary);
    for (let attempt = 1; ; attempt++) {
      let answer: { status: number; body: Buffer };
      try {
        answer = await this.poster.post('/', body, { contentType: JSON_1_0, target: `DynamoDB_20120810.${operation}` });
      } catch (error) {
        // The poster already retried once on a fresh socket; the SDK would try a third time.
        if (attempt < MAX_ATTEMPTS && isTransientSocketError(error)) {
          await backoff(attempt, false);
          continue;
        }
        throw error;
      }
      const metadata = { httpStatusCode: answer.status, attempts: attempt };
      const text = answer.body.toString('utf8');
      if (answer.status === 200) return { ...this.unmarshallOutput(text ? (JSON.parse(text, binaryFromBase64) as Record<string, unknown>) : {}), $metadata: metadata };
      const error = serviceError(answer.status, errorBody(text), metadata);
      if (attempt < MAX_ATTEMPTS && (answer.status >= 500 || THROTTLING.has(error.name))) {
        await backoff(attempt, THROTTLING.has(error.name));
        continue;
      }
      throw error;
    }
  }

  // Whole maps at once; the SDK's document commands set these flags on the shared options when they run, so they are fixed here.
  private marshallOptions(): marshallOptions {
    return { ...this.translate.marshallOptions, convertTopLevelContainer: false };
  }

  private unmarshallOptions(): unmarshallOptions {
    return { ...this.translate.unmarshallOptions, convertWithoutMapWrapper: false };
  }

  private marshallInput(input: Record<string, unknown>): Record<string, unknown> {
    const wire: Record<string, unknown> = { ...input };
    const options = this.marshallOptions();
    for (const key of MAP_INPUTS) {
      if (input[key] !== undefined) wire[key] = marshall(input[key] as Record<string, NativeAttributeValue>, options);
    }
    return wire;
  }

  private unmarshallOutput(output: Record<string, unknown>): Record<string, unknown> {
    const options = this.unmarshallOptions();
    const native = { ...output };
    for (const key of ['Item', 'Attributes', 'LastEvaluatedKey'] as const) {
      if (output[key] !== undefined) native[key] = unmarshall(output[key] as Record<string, dynamodb.AttributeValue>, options);
    }
    if (Array.isArray(output.Items)) native.Items = output.Items.map((item: Record<string, dynamodb.AttributeValue>) => unmarshall(item, options));
    return native;
  }
}

const JSON_1_0 = 'application/x-amz-json-1.0';
/** The SDK's standard retry strategy: three attempts. */
const MAX_ATTEMPTS = 3;
const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'ThrottledException']);
/** The inputs the document client marshalls from native values, for the operations sent here. */
const MAP_INPUTS = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;
/** Parameters whose nested values the document client also translates: such commands go through the SDK. */
const LEGACY_INPUTS = ['Expected', 'AttributeUpdates', 'KeyConditions', 'QueryFilter'];

const operations = new Map<unknown, string>([
  [GetCommand, 'GetItem'],
  [PutCommand, 'PutItem'],
  [UpdateCommand, 'UpdateItem'],
  [DeleteCommand, 'DeleteItem'],
  [QueryCommand, 'Query'],
]);

function leanOperation(command: unknown): string | undefined {
  const operation = operations.get((command as { constructor?: unknown } | undefined)?.constructor);
  if (!operation) return undefined;
  const input = (command as { input?: Record<string, unknown> }).input ?? {};
  return LEGACY_INPUTS.some((key) => input[key] !== undefined) ? undefined : operation;
}

/** The JSON protocol carries binary attribute values (B, BS) as base64. */
function base64Binary(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Uint8Array ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') : value;
}

function binaryFromBase64(key: string, value: unknown): unknown {
  const decode = (text: string) => Uint8Array.from(Buffer.from(text, 'base64'));
  if (key === 'B' && typeof value === 'string') return decode(value);
  if (key === 'BS' && Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map(decode);
  return value;
}

/** AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else the regional endpoint, as the SDK resolves it. */
export function dynamoEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL ?? `https://dynamodb.${env.AWS_REGION ?? 'us-east-1'}.amazonaws.com`;
}

/** DynamoDB's `{ __type, message }`; anything else in front of it (a proxy's HTML page) says only its status. */
function errorBody(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The SDK's exception class for the error's `__type` (e.g. ConditionalCheckFailedException), or its base class. */
function serviceError(status: number, body: Record<string, unknown>, $metadata: { httpStatusCode: number; attempts: number }): DynamoDBServiceException {
  const name = String(body.__type ?? body.code ?? `HTTP ${status}`).split('#').pop()!;
  const message = String(body.message ?? body.Message ?? name);
  const Exception = (dynamodb as Record<string, unknown>)[name];
  if (typeof Exception === 'function' && Exception.prototype instanceof DynamoDBServiceException) {
    const { __type: _type, message: _m, Message: _M, ...fields } = body;
    return new (Exception as new (options: Record<string, unknown>) => DynamoDBServiceException)({ ...fields, message, $metadata });
  }
  return new DynamoDBServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata });
}

/** Full jitter, as the SDK's standard strategy: 100 ms base, 500 ms after throttling. */
function backoff(attempt: number, throttled: boolean): Promise<void> {
  const ms = Math.random() * Math.min(20_000, (throttled ? 500 : 100) * 2 ** (attempt - 1));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
