import { defineFunction } from '@aws-amplify/backend';
import { realtimeResourceGroup } from '../../realtime/resource.js';

/** The Event API's Lambda authorizer: connects and subscribes to the channels of live sessions. */
export const eventsAuthorizer = defineFunction({
  name: 'events-authorizer',
  entry: './handler.ts',
  runtime: 22,
  architecture: 'arm64',
  memoryMB: 256,
  // One DynamoDB read.
  timeoutSeconds: 5,
  logging: { retention: '1 month' },
  resourceGroupName: realtimeResourceGroup,
});
