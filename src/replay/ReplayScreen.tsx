import { useMemo, useRef } from 'react';
import type { PublicSession } from '../protocol/session';
import { useReplayReaderFactory } from './reader-context';
import { ReplayPlayer } from './ReplayPlayer';

/**
 * The replay as the viewer page shows it (a lazy chunk): an ended session's replay for anyone
 * with the link, and Rewind in a live one, read with the viewer's own connection.
 */
export default function ReplayScreen({ session }: { session: PublicSession }) {
  const readerFor = useReplayReaderFactory();
  const reader = useMemo(() => readerFor(session.sessionId), [readerFor, session.sessionId]);
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
  /** Read at each request: a reconnect changes it. */
  connectionId: () => string | undefined;
  serverNow: () => number;
  onBackToLive: () => void;
}) {
  const readerFor = useReplayReaderFactory();
  // Each request reads the latest connection id; a re-render does not restart the player.
  const latest = useRef(connectionId);
  latest.current = connectionId;
  const reader = useMemo(() => readerFor(sessionId, () => latest.current()), [readerFor, sessionId]);
  const current = connectionId();
  return <ReplayPlayer sessionId={sessionId} title={title} reader={reader} live={{ serverNow, onBackToLive, ...(current ? { connectionId: current } : {}) }} />;
}
