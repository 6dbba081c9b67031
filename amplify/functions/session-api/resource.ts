import { defineFunction } from '@aws-amplify/backend';
import { realtimeResourceGroup } from '../../realtime/resource.js';

/** Behind the HTTP API: create, list, read and update sessions. */
export const sessionApi = defineFunction({
  name: 'session-api',
  entry: './handler.ts',
  runtime: 22,
  architecture: 'arm64',
  memoryMB: 256,
  // One or two DynamoDB calls; API Gateway gives up on an HTTP integration after 30 s anyway.
  timeoutSeconds: 10,
  logging: { retention: '1 month' },
  resourceGroupName: realtimeResourceGroup,
});
