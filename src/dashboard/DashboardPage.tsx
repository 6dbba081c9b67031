import { useState } from 'react';
import { useSessionsApi } from '../api/context';
import { describeError } from '../lib/errors';
import { useDocumentTitle } from '../lib/use-document-title';
import type { Session } from '../protocol/session';
import { EndSessionDialog, type EndSessionTarget } from '../sessions/EndSessionDialog';
import { Button } from '../ui/Button';
import { EmptyState } from '../ui/EmptyState';
import { AlertIcon, LayoutIcon } from '../ui/icons';
import { useToast } from '../ui/Toast';
import { NewSessionForm } from './NewSessionForm';
import { SessionList, SessionListSkeleton } from './SessionList';
import { useSessionList } from './use-session-list';

/** `/dashboard`: create sessions and manage the signed-in host's sessions. */
export default function DashboardPage() {
  useDocumentTitle('Dashboard');
  const api = useSessionsApi();
  const toast = useToast();
  const list = useSessionList(api, toast.error);
  const [ending, setEnding] = useState<EndSessionTarget>();
  const { state } = list;

  return (
    <main id="main" className="page-main">
      <div className="container dashboard">
        <div className="page-header">
          <div>
            <h1 className="page-header__title">Your sessions</h1>
            <p className="page-header__subtitle">Create a session, open its studio, and share the viewer link.</p>
          </div>
        </div>

        <section className="card">
          <div className="card__body">
            <NewSessionForm onCreated={list.created} />
          </div>
        </section>

        <section className="card" aria-labelledby="sessions-heading" aria-busy={state.status === 'loading'}>
          <div className="card__body" style={{ paddingBottom: 'var(--space-3)' }}>
            <h2 id="sessions-heading" className="section-title">
              Sessions
            </h2>
          </div>
          {state.status === 'loading' ? (
            <>
              <p className="sr-only" role="status">
                Loading your sessions…
              </p>
              <SessionListSkeleton />
            </>
          ) : state.status === 'error' ? (
            <ListError error={state.error} onRetry={list.retry} />
          ) : state.sessions.length === 0 ? (
            <EmptyState
              icon={<LayoutIcon />}
              headingLevel={3}
              title="No sessions yet"
              description="Create your first session above. Each session gets its own studio and a viewer link to share."
            />
          ) : (
            <>
              <SessionList
                sessions={state.sessions}
                highlightId={state.highlightId}
                onEnd={(session: Session) => setEnding({ sessionId: session.sessionId, title: session.title })}
              />
              {state.nextToken ? (
                <div className="list-footer">
                  <Button onClick={() => void list.loadMore()} busy={state.loadingMore}>
                    Load more
                  </Button>
                </div>
              ) : null}
            </>
          )}
        </section>
      </div>
      <EndSessionDialog target={ending} onClose={() => setEnding(undefined)} onEnded={list.updated} />
    </main>
  );
}

function ListError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { message, resolution } = describeError(error);
  return (
    <div className="list-error">
      <AlertIcon className="empty-state__icon" style={{ background: 'var(--color-danger-soft)', color: 'var(--color-danger)' }} />
      <h3 className="empty-state__title">Your sessions could not be loaded</h3>
      <p className="muted">{message}</p>
      {resolution ? <p className="muted">{resolution}</p> : null}
      <Button variant="primary" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}
