import type { SessionsTable } from '../data/sessions-table.js';
import type { MediaStages } from './stages.js';

/** A stage younger than this may still be on its way onto its session (created, not yet recorded). */
export const SWEEP_GRACE_MS = 10 * 60_000;

export interface SweepResult {
  deleted: { stageArn: string; sessionId: string; why: string }[];
  kept: number;
}

/**
 * Deletes this deployment's stages that no live session uses: the session ended or is gone (a
 * crash between ending and deleting), or the session holds another stage (a create that lost a
 * race, or was never recorded). Stage count is quota-bound (100 per region by default), so
 * leaks matter. Runs on a schedule (amplify/media/resource.ts) and is safe to run any time.
 */
export async function sweepStages(deps: {
  stages: MediaStages;
  sessions: Pick<SessionsTable, 'get'>;
  now: () => Date;
  log: (entry: Record<string, unknown>) => void;
}): Promise<SweepResult> {
  const result: SweepResult = { deleted: [], kept: 0 };
  // List everything first: deleting while paging would shift the pages under us.
  const owned = [];
  for await (const stage of deps.stages.listOwnedStages()) owned.push(stage);
  for (const stage of owned) {
    const session = await deps.sessions.get(stage.sessionId);
    const age = stage.createdAt ? deps.now().getTime() - Date.parse(stage.createdAt) : Number.POSITIVE_INFINITY;
    const why = !session
      ? 'the session does not exist'
      : session.status !== 'active'
        ? 'the session has ended'
        : session.mediaStageArn !== stage.stageArn && !(age < SWEEP_GRACE_MS)
          ? 'the session uses another stage'
          : undefined;
    if (!why) {
      result.kept++;
      continue;
    }
    try {
      await deps.stages.deleteStage(stage.stageArn);
      result.deleted.push({ stageArn: stage.stageArn, sessionId: stage.sessionId, why });
    } catch (error) {
      // Next run tries again; one stuck stage must not stop the sweep.
      deps.log({ level: 'error', message: 'sweep could not delete an IVS stage', stageArn: stage.stageArn, error: String(error) });
    }
  }
  deps.log({ level: 'info', message: 'IVS stage sweep', deleted: result.deleted, kept: result.kept });
  return result;
}
