import { defineFunction } from '@aws-amplify/backend';
import { realtimeResourceGroup } from '../../realtime/resource.js';

/** The WebSocket API's $connect REQUEST authorizer: decides host, viewer or refused. */
export const wsAuthorizer = defineFunction({
  name: 'ws-authorizer',
  entry: './handler.ts',
  runtime: 22,
  architecture: 'arm64',
  memoryMB: 256,
  // A cold JWKS fetch (3 s timeout in the verifier) plus one DynamoDB read.
  timeoutSeconds: 10,
  logging: { retention: '1 month' },
  resourceGroupName: realtimeResourceGroup,
});
