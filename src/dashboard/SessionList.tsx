import { useId } from 'react';
import type { Session } from '../protocol/session';
import { StatusBadge } from '../sessions/StatusBadge';
import { insightsPath, studioPath, viewerLink, watchPath } from '../sessions/links';
import { Button, ButtonLink } from '../ui/Button';
import { CopyLink } from '../ui/CopyLink';
import { RelativeTime } from '../ui/RelativeTime';
import { Skeleton } from '../ui/Spinner';
import { StopIcon } from '../ui/icons';

export function SessionList({
  sessions,
  highlightId,
  onEnd,
}: {
  sessions: Session[];
  highlightId?: string;
  onEnd: (session: Session) => void;
}) {
  return (
    <ul className="session-list" aria-label="Your sessions">
      {sessions.map((session) => (
        <SessionRow key={session.sessionId} session={session} highlight={session.sessionId === highlightId} onEnd={onEnd} />
      ))}
    </ul>
  );
}

function SessionRow({ session, highlight, onEnd }: { session: Session; highlight: boolean; onEnd: (session: Session) => void }) {
  const titleId = useId();
  return (
    <li className="session-row" aria-labelledby={titleId} data-highlight={highlight || undefined} data-session-id={session.sessionId}>
      <div className="session-row__main">
        <h3 id={titleId} className="session-row__title">
          {session.title}
        </h3>
        <div className="session-row__meta">
          <StatusBadge status={session.status} />
          <RelativeTime value={session.createdAt} prefix="Created" />
        </div>
      </div>
      <div className="session-row__actions">
        <ButtonLink to={studioPath(session.sessionId)} state={{ session }} size="sm" variant="primary" aria-describedby={titleId}>
          Open
        </ButtonLink>
        <CopyLink href={viewerLink(session.sessionId)} size="sm" describedBy={titleId} />
        {session.status === 'ended' && !session.replayDeletedAt ? (
          <ButtonLink to={watchPath(session.sessionId)} size="sm" variant="ghost" aria-describedby={titleId}>
            Replay
          </ButtonLink>
        ) : null}
        {!session.replayDeletedAt ? (
          <ButtonLink to={insightsPath(session.sessionId)} size="sm" variant="ghost" aria-describedby={titleId}>
            Insights
          </ButtonLink>
        ) : null}
        {session.status === 'active' ? (
          <Button
            size="sm"
            variant="danger-outline"
            icon={<StopIcon className="btn__icon" />}
            aria-describedby={titleId}
            onClick={() => onEnd(session)}
          >
            End
          </Button>
        ) : null}
      </div>
    </li>
  );
}

export function SessionListSkeleton({ rows = 3 }: { rows?: number }) {
  return (
    <div aria-hidden="true">
      {Array.from({ length: rows }, (_, index) => (
        <div key={index} className="session-row session-row--skeleton">
          <div className="session-row__main">
            <Skeleton className="skeleton-title" />
            <Skeleton className="skeleton-meta" />
          </div>
          <Skeleton className="skeleton-actions" />
        </div>
      ))}
    </div>
  );
}
