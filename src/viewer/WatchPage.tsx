import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useSessionsApi } from '../api/context';
import { isApiError } from '../api/api-error';
import { describeError, isAbortError } from '../lib/errors';
import { useDocumentTitle } from '../lib/use-document-title';
import { sessionIdSchema, type PublicSession } from '../protocol/session';
import { Brand } from '../ui/AppHeader';
import { Button } from '../ui/Button';
import { RelativeTime } from '../ui/RelativeTime';
import { Spinner } from '../ui/Spinner';
import { AlertIcon, FlagIcon, SearchIcon } from '../ui/icons';
import { ViewerStage } from './ViewerStage';

type State =
  | { status: 'loading' }
  | { status: 'ready'; session: PublicSession }
  | { status: 'not-found' }
  | { status: 'error'; error: unknown };

/** `/watch/:sessionId`: what anyone with the link sees. No account, light bundle, works on a phone. */
export default function WatchPage() {
  const { sessionId = '' } = useParams();
  const api = useSessionsApi();
  const [state, setState] = useState<State>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    if (!sessionIdSchema.safeParse(sessionId).success) {
      setState({ status: 'not-found' });
      return;
    }
    const controller = new AbortController();
    setState({ status: 'loading' });
    api.getSession(sessionId, { signal: controller.signal }).then(
      (session) => setState({ status: 'ready', session }),
      (error: unknown) => {
        if (isAbortError(error) && controller.signal.aborted) return;
        setState(isApiError(error, 'NotFound') ? { status: 'not-found' } : { status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [api, sessionId, attempt]);

  const session = state.status === 'ready' ? state.session : undefined;
  useDocumentTitle(
    state.status === 'ready'
      ? session!.status === 'ended'
        ? `Ended: ${session!.title}`
        : session!.title
      : state.status === 'not-found'
        ? 'Session not found'
        : 'Watch',
  );

  return (
    <div className="watch">
      <header className="watch__bar">
        <Brand />
        {session && session.status === 'active' ? (
          <h1 className="watch__title">{session.title}</h1>
        ) : session ? (
          <p className="watch__title">{session.title}</p>
        ) : (
          <span className="watch__title" />
        )}
      </header>
      <main id="main" className="watch__stage" aria-busy={state.status === 'loading'}>
        {state.status === 'loading' ? (
          <div className="watch__message" role="status">
            <Spinner size="lg" />
            <p>Loading the session…</p>
          </div>
        ) : state.status === 'not-found' ? (
          <WatchMessage
            icon={<SearchIcon />}
            title="Session not found"
            text="This link doesn't lead to a session. Check that you copied the whole link, or ask the host for a new one."
          >
            <Link className="btn btn--primary" to="/">
              Go to the home page
            </Link>
          </WatchMessage>
        ) : state.status === 'error' ? (
          <WatchMessage icon={<AlertIcon />} title="Couldn't load this session" {...errorText(state.error)}>
            <Button variant="primary" onClick={retry}>
              Try again
            </Button>
          </WatchMessage>
        ) : state.session.status === 'ended' ? (
          <WatchMessage
            icon={<FlagIcon />}
            title="This session has ended"
            text={
              <>
                “{state.session.title}” ended
                {state.session.endedAt ? (
                  <>
                    {' '}
                    <RelativeTime value={state.session.endedAt} />
                  </>
                ) : null}
                . Thanks for watching.
              </>
            }
          >
            <Link className="btn btn--secondary" to="/">
              Go to the home page
            </Link>
          </WatchMessage>
        ) : (
          <ViewerStage session={state.session} />
        )}
      </main>
    </div>
  );
}

function errorText(error: unknown) {
  const { message, resolution } = describeError(error);
  return { text: message, detail: resolution };
}

function WatchMessage({
  icon,
  title,
  text,
  detail,
  children,
}: {
  icon: ReactNode;
  title: string;
  text: ReactNode;
  detail?: string;
  children?: ReactNode;
}) {
  return (
    <div className="watch__message">
      <div className="watch__message-icon">{icon}</div>
      <h1 className="watch__message-title">{title}</h1>
      <p className="watch__message-text">{text}</p>
      {detail ? <p className="watch__message-text">{detail}</p> : null}
      {children ? <div className="watch__message-actions">{children}</div> : null}
    </div>
  );
}
