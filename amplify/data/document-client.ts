import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LeanDocumentClient } from './lean-document-client.js';

let shared: DynamoDBDocumentClient | undefined;

/** One client per process: its connections stay alive across invocations. */
export function documentClient(): DynamoDBDocumentClient {
  shared ??= new LeanDocumentClient(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return shared;
}
