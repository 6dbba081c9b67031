import { Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useSessionsApi } from '../api/context';
import { describeError } from '../lib/errors';
import { afterNextPaint } from '../lib/after-paint';
import { lazyRoute, routeModule } from '../lib/lazy-route';
import { useDocumentTitle } from '../lib/use-document-title';
import { sessionIdSchema } from '../protocol/session';
import { checkSessionWith } from '../realtime/check-session';
import { useRoom } from '../realtime/use-room';
import { Brand } from '../ui/AppHeader';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { RelativeTime } from '../ui/RelativeTime';
import { Spinner } from '../ui/Spinner';
import { AlertIcon, FlagIcon, ResetIcon, SearchIcon } from '../ui/icons';
import { ConnectionBanner } from './ConnectionBanner';
import { usePublicSession } from './use-public-session';
import { ViewerRoom } from './ViewerRoom';
import './viewer.css';

/** The replay player loads only when someone watches a replay or rewinds. */
const replayModule = routeModule(() => import('../replay/ReplayScreen'));
const ReplayScreen = lazyRoute(replayModule, (module) => module.default);
const LiveRewind = lazyRoute(replayModule, (module) => module.LiveRewind);

/**
 * `/watch/:sessionId`: what anyone with the link sees. No account, light bundle, works on a
 * phone. The session's details and the live room load in parallel, so the canvas can appear
 * as soon as the room's first snapshot arrives.
 */
export default function WatchPage() {
  const { sessionId = '' } = useParams();
  const api = useSessionsApi();
  const validId = sessionIdSchema.safeParse(sessionId).success;
  const [detailsWanted, setDetailsWanted] = useState(false);
  const { state, retry } = usePublicSession(api, sessionId, validId, detailsWanted);
  const session = state.status === 'ready' ? state.session : undefined;
  const knownOver = state.status === 'not-found' || session?.status === 'ended';
  const checkSession = useMemo(() => checkSessionWith(api, sessionId), [api, sessionId]);
  const { store, view } = useRoom({ sessionId, checkSession, enabled: validId && !knownOver });
  // The canvas first: the session's details (title, whether it ended) are asked for once the
  // room's first snapshot is painted or it could not connect (or after a second), so that
  // neither the request nor the render it causes competes with the viewer's join.
  const roomSettled = view.synced || view.status !== 'connecting';
  useEffect(() => {
    if (roomSettled) return afterNextPaint(() => setDetailsWanted(true));
    const timer = setTimeout(() => setDetailsWanted(true), 1000);
    return () => clearTimeout(timer);
  }, [roomSettled]);
  const endedAt = useEndedAt(view.status === 'ended') ?? session?.endedAt;
  const [rewinding, setRewinding] = useState(false);
  // Opened after the end: the replay at once. Ended while watching: the ended screen offers it.
  const [replaying, setReplaying] = useState(false);
  const endedOnArrival = session?.status === 'ended';

  const screen: 'loading' | 'not-found' | 'ended' | 'error' | 'room' =
    !validId || state.status === 'not-found' || view.status === 'refused'
      ? 'not-found'
      : session?.status === 'ended' || view.status === 'ended'
        ? 'ended'
        : view.synced
          ? 'room'
          : state.status === 'error'
            ? 'error'
            : state.status === 'loading'
              ? 'loading'
              : 'room';

  const title = session?.title ?? '';
  const live = screen === 'room' && view.synced && view.snapshot.canvas.live === true;
  const replay = screen === 'ended' && session && !session.replayDeletedAt && (endedOnArrival || replaying) ? { ...session, status: 'ended' as const } : undefined;
  const loadingReplay = (
    <div className="watch__message" role="status">
      <Spinner size="lg" />
      <p>Loading the replay…</p>
    </div>
  );
  useDocumentTitle(
    screen === 'not-found' ? 'Session not found' : screen === 'ended' ? `Ended: ${title || 'session'}` : title || 'Watch',
  );

  return (
    <div className="watch">
      <header className="watch__bar">
        <Brand />
        {screen === 'room' && title ? <h1 className="watch__title">{title}</h1> : <p className="watch__title">{title}</p>}
        {rewinding && screen === 'room' ? <Badge tone="info">Rewind</Badge> : live ? <Badge tone="live">Live</Badge> : null}
        {replay ? <Badge tone="info">Replay</Badge> : null}
        {live && !rewinding && store?.room.connectionId ? (
          <Button size="sm" variant="ghost" icon={<ResetIcon className="btn__icon" />} onClick={() => setRewinding(true)} onPointerEnter={() => void replayModule().catch(() => undefined)}>
            Rewind
          </Button>
        ) : null}
      </header>
      {screen === 'room' ? (
        <>
          <ConnectionBanner status={view.status} everOpened={view.everOpened} />
          {rewinding && store ? (
            <Suspense fallback={loadingReplay}>
              <LiveRewind
                sessionId={sessionId}
                title={title || 'the session'}
                connectionId={() => store.room.connectionId}
                serverNow={() => store.room.clock.serverNow()}
                onBackToLive={() => setRewinding(false)}
              />
            </Suspense>
          ) : (
            <ViewerRoom title={title || 'the session'} sessionId={sessionId} store={store} view={view} />
          )}
        </>
      ) : replay ? (
        <Suspense fallback={loadingReplay}>
          <ReplayScreen session={replay} />
        </Suspense>
      ) : (
        <main id="main" className="watch__stage" aria-busy={screen === 'loading'}>
          {screen === 'loading' ? (
            <div className="watch__message" role="status">
              <Spinner size="lg" />
              <p>Loading the session…</p>
            </div>
          ) : screen === 'not-found' ? (
            <WatchMessage
              icon={<SearchIcon />}
              title="Session not found"
              text="This link doesn't lead to a session. Check that you copied the whole link, or ask the host for a new one."
            >
              <Link className="btn btn--primary" to="/">
                Go to the home page
              </Link>
            </WatchMessage>
          ) : screen === 'error' ? (
            <WatchMessage icon={<AlertIcon />} title="Couldn't load this session" {...errorText(state.status === 'error' ? state.error : undefined)}>
              <Button variant="primary" onClick={retry}>
                Try again
              </Button>
            </WatchMessage>
          ) : (
            <WatchMessage
              icon={<FlagIcon />}
              title="This session has ended"
              text={
                <>
                  {title ? `“${title}” ended` : 'The host ended this session'}
                  {endedAt ? (
                    <>
                      {' '}
                      <RelativeTime value={endedAt} />
                    </>
                  ) : null}
                  . Thanks for watching.
                  {session?.replayDeletedAt ? ' The host deleted its replay.' : ''}
                </>
              }
            >
              {session && !session.replayDeletedAt ? (
                <Button variant="primary" onClick={() => setReplaying(true)}>
                  Watch the replay
                </Button>
              ) : null}
              <Link className="btn btn--secondary" to="/">
                Go to the home page
              </Link>
            </WatchMessage>
          )}
        </main>
      )}
    </div>
  );
}

/** When the room reported the end (the session's own endedAt may not be loaded yet). */
function useEndedAt(ended: boolean): string | undefined {
  const [at, setAt] = useState<string>();
  useEffect(() => {
    if (ended) setAt((current) => current ?? new Date().toISOString());
  }, [ended]);
  return at;
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
