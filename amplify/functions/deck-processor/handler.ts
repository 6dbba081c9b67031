import { decksTableAccess } from '../../data/decks-table.js';
import { documentClient } from '../../data/document-client.js';
import { decksTable } from '../../data/table-definitions.js';
import { DECK_CONVERTER_ENV } from '../../decks/deck-env.js';
import { lambdaDeckConverter, processDeckEventSchema } from '../../decks/deck-functions.js';
import { processDeck, type ProcessDeckDeps } from '../../decks/process-deck.js';
import { FILES_BUCKET_ENV, objectStore, s3Client } from '../../storage/object-store.js';
import { optionalEnv, requireEnv } from '../shared/env.js';
import { serviceNames } from '../shared/metric-names.js';
import { createObservability } from '../shared/observability.js';

/**
 * The deck processor: invoked asynchronously by the session function once a host's upload is
 * in, with `{hostId, deckId}`. Checks, converts (through the converter function, when this
 * deployment has one) and stores the deck; the host's studio polls the deck's status.
 */
export function createDeckProcessorHandler(deps: () => ProcessDeckDeps) {
  return async (event: unknown): Promise<void> => {
    const parsed = processDeckEventSchema.safeParse(event);
    const resolved = deps();
    if (!parsed.success) {
      resolved.log({ level: 'error', message: 'invalid deck processor event' });
      return;
    }
    await processDeck(resolved, parsed.data.hostId, parsed.data.deckId);
  };
}

const observability = createObservability(serviceNames.deckProcessor);
let lambdaDeps: ProcessDeckDeps | undefined;

export const handler = observability.instrument(
  createDeckProcessorHandler(
    () =>
      (lambdaDeps ??= {
        decks: decksTableAccess(documentClient(), requireEnv(decksTable.envVar)),
        objects: objectStore(s3Client(), requireEnv(FILES_BUCKET_ENV)),
        ...(optionalEnv(DECK_CONVERTER_ENV) ? { convert: lambdaDeckConverter(optionalEnv(DECK_CONVERTER_ENV)!) } : {}),
        now: () => Date.now(),
        log: observability.log,
      }),
  ),
);
