import { documentClient } from '../../data/document-client.js';
import { sessionsTableAccess } from '../../data/sessions-table.js';
import { sessionsTable } from '../../data/table-definitions.js';
import { ivsStagesFromEnv } from '../../media/stages.js';
import { sweepStages } from '../../media/sweep.js';
import { requireEnv } from '../shared/env.js';
import { serviceNames } from '../shared/metric-names.js';
import { createObservability } from '../shared/observability.js';

const observability = createObservability(serviceNames.mediaSweep);

/** Scheduled (EventBridge): deletes IVS stages no live session uses. */
export const handler = observability.instrument(async () => {
  const stages = ivsStagesFromEnv();
  if (!stages) throw new Error('IVS is not configured on this function. Resolution: deploy with STREAMCANVAS_MEDIA_PROVIDER=ivs (amplify/backend.ts sets it).');
  const result = await sweepStages({
    stages,
    sessions: sessionsTableAccess(documentClient(), requireEnv(sessionsTable.envVar)),
    now: () => new Date(),
    log: observability.log,
  });
  return { deleted: result.deleted.length, kept: result.kept };
});
