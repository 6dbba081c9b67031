import { defineFunction } from '@aws-amplify/backend';
import { realtimeResourceGroup } from '../../realtime/resource.js';

/** Deletes Amazon IVS stages no live session uses; scheduled by amplify/media/resource.ts when IVS is on. */
export const mediaSweep = defineFunction({
  name: 'media-sweep',
  entry: './handler.ts',
  runtime: 22,
  architecture: 'arm64',
  memoryMB: 256,
  // ListStages and DeleteStage allow 5 requests a second each; 100 stages take well under a minute.
  timeoutSeconds: 120,
  logging: { retention: '1 month' },
  // With the functions it shares tables and IVS grants with (see realtimeResourceGroup).
  resourceGroupName: realtimeResourceGroup,
});
