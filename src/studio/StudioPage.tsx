import { Link, useLocation, useParams } from 'react-router-dom';
import { useSessionsApi } from '../api/context';
import { describeError } from '../lib/errors';
import { useDocumentTitle } from '../lib/use-document-title';
import { CanvasFrame, CanvasHint } from '../canvas/CanvasFrame';
import type { Session } from '../protocol/session';
import { StatusBadge } from '../sessions/StatusBadge';
import { viewerLink, watchPath } from '../sessions/links';
import { Button, ButtonLink } from '../ui/Button';
import { CopyLink } from '../ui/CopyLink';
import { FullPageMessage } from '../ui/EmptyState';
import { AlertIcon, ArrowLeftIcon, ExternalLinkIcon, LockIcon, SearchIcon } from '../ui/icons';
import { LoadingPage } from '../ui/Spinner';
import { StudioBar } from './StudioBar';
import { StudioWorkspace } from './StudioWorkspace';
import { useHostSession } from './use-host-session';

/** `/studio/:sessionId`: the host's workspace for one session. */
export default function StudioPage() {
  const { sessionId = '' } = useParams();
  const location = useLocation();
  const api = useSessionsApi();
  const handedOver = (location.state as { session?: unknown } | null)?.session;
  const { state, retry, update, markNotHost } = useHostSession(api, sessionId, handedOver);

  useDocumentTitle(
    state.status === 'ready'
      ? `Studio: ${state.session.title}`
      : state.status === 'not-found'
        ? 'Session not found'
        : state.status === 'not-host'
          ? 'Not your session'
          : 'Studio',
  );

  if (state.status === 'loading') {
    return (
      <main id="main" className="page-main">
        <LoadingPage label="Opening the studio…" />
      </main>
    );
  }

  if (state.status === 'not-found') {
    return (
      <main id="main" className="page-main">
        <FullPageMessage
          icon={<SearchIcon />}
          title="Session not found"
          description="There is no session with this id. It may have been mistyped, or the link is incomplete."
          actions={<BackToDashboard primary />}
        />
      </main>
    );
  }

  if (state.status === 'not-host') {
    return (
      <main id="main" className="page-main">
        <FullPageMessage
          icon={<LockIcon />}
          title="This isn't your session"
          description={
            <>
              Only the host of “{state.session.title}” can open its studio. You can still watch it like any viewer.
            </>
          }
          actions={
            <>
              <ButtonLink to={watchPath(sessionId)} variant="primary">
                Watch this session
              </ButtonLink>
              <BackToDashboard />
            </>
          }
        />
      </main>
    );
  }

  if (state.status === 'error') {
    const { message, resolution } = describeError(state.error);
    return (
      <main id="main" className="page-main">
        <FullPageMessage
          icon={<AlertIcon />}
          title="The studio couldn't open"
          description={message}
          actions={
            <>
              <Button variant="primary" onClick={retry}>
                Try again
              </Button>
              <BackToDashboard />
            </>
          }
        >
          {resolution ? <p className="muted">{resolution}</p> : null}
        </FullPageMessage>
      </main>
    );
  }

  const { session } = state;
  if (session.status === 'active') {
    return <StudioWorkspace key={session.sessionId} session={session} onEnded={update} onNotHost={markNotHost} />;
  }
  return <EndedStudio session={session} />;
}

/** An ended session: nothing can change, and viewers see the ended screen. */
function EndedStudio({ session }: { session: Session }) {
  return (
    <div className="studio">
      <StudioBar
        title={session.title}
        badge={<StatusBadge status={session.status} />}
        actions={
          <>
            <CopyLink href={viewerLink(session.sessionId)} />
            <a className="btn btn--ghost" href={watchPath(session.sessionId)} target="_blank" rel="noreferrer">
              <ExternalLinkIcon className="btn__icon" />
              Open viewer page
            </a>
          </>
        }
      />
      <main id="main" className="container studio__body">
        <div className="notice" role="status">
          <AlertIcon className="btn__icon" style={{ marginTop: '0.15rem' }} />
          <p>
            This session has ended. Viewers see an ended screen, and nothing here can change any more.{' '}
            <Link to="/dashboard">Start a new session</Link> to go live again.
          </p>
        </div>
        <CanvasFrame label="Canvas" overlay={<CanvasHint title="This session has ended" text="Its canvas can no longer change." />} />
      </main>
    </div>
  );
}

function BackToDashboard({ primary = false }: { primary?: boolean }) {
  return (
    <ButtonLink to="/dashboard" variant={primary ? 'primary' : 'secondary'} icon={<ArrowLeftIcon className="btn__icon" />}>
      Back to dashboard
    </ButtonLink>
  );
}
