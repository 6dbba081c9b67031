import { defineFunction } from '@aws-amplify/backend';
import { realtimeResourceGroup } from '../../realtime/resource.js';

/**
 * Checks and stores uploaded decks, and has presentations converted (deck-converter). Opening a
 * 50 MB PDF with pdf.js wants memory and time; the session function only starts it.
 */
export const deckProcessor = defineFunction({
  name: 'deck-processor',
  entry: './handler.ts',
  runtime: 22,
  architecture: 'arm64',
  memoryMB: 1536,
  // Conversion (up to 120 s in the converter) plus download, checks and upload.
  timeoutSeconds: 240,
  logging: { retention: '1 month' },
  resourceGroupName: realtimeResourceGroup,
  bundling: { minify: true },
});
