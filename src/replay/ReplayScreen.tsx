import { useMemo } from 'react';
import { useAppConfig } from '../config';
import type { PublicSession } from '../protocol/session';
import { createReplayReader } from './replay-api';
import { ReplayPlayer } from './ReplayPlayer';

/**
 * The replay routes as the viewer page uses them (a lazy chunk): an ended session's replay for
 * anyone with the link, and Rewind in a live one, read with the viewer's own connection.
 */
export default function ReplayScreen({ session }: { session: PublicSession }) {
  const { httpApiUrl } = useAppConfig();
  const reader = useMemo(() => createReplayReader({ baseUrl: httpApiUrl }, session.sessionId), [httpApiUrl, session.sessionId]);
  return <ReplayPlayer sessionId={session.sessionId} title={session.title} reader={reader} />;
}

export function LiveRewind({
  sessionId,
  title,
  connectionId,
  serverNow,
  onBackToLive,
}: {
  sessionId: string;
  title: string;
  connectionId: () => string | undefined;
  serverNow: () => number;
  onBackToLive: () => void;
}) {
  const { httpApiUrl } = useAppConfig();
  const latestConnection = connectionId;
  const reader = useMemo(() => createReplayReader({ baseUrl: httpApiUrl }, sessionId, () => latestConnection()), [httpApiUrl, sessionId, latestConnection]);
  return (
    <ReplayPlayer
      sessionId={sessionId}
      title={title}
      reader={reader}
      live={{ serverNow, onBackToLive, ...(connectionId() ? { connectionId: connectionId()! } : {}) }}
    />
  );
}
