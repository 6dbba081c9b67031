import { defineFunction } from '@aws-amplify/backend';
import { realtimeResourceGroup } from '../../realtime/resource.js';

/** The WebSocket API's one integration: $connect, $disconnect and every room action. */
export const realtime = defineFunction({
  name: 'realtime',
  entry: './handler.ts',
  runtime: 22,
  architecture: 'arm64',
  // Fan-out to every viewer is network-bound; more memory buys more CPU for SigV4 signing.
  memoryMB: 512,
  timeoutSeconds: 30,
  logging: { retention: '1 month' },
  resourceGroupName: realtimeResourceGroup,
});
