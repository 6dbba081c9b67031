import { Suspense, lazy, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '../api/api-error';
import { useAppConfig } from '../config';
import { getAccessToken } from '../config/amplify';
import { describeError, isAbortError } from '../lib/errors';
import { useDocumentTitle } from '../lib/use-document-title';
import { languageLabels, type Language } from '../protocol/code';
import type { SessionInsights } from '../protocol/replay';
import { sessionIdSchema } from '../protocol/session';
import { createHostReplayApi, createReplayReader } from '../replay/replay-api';
import { StatusBadge } from '../sessions/StatusBadge';
import { watchPath } from '../sessions/links';
import { Button, ButtonLink } from '../ui/Button';
import { ConfirmDialog } from '../ui/Dialog';
import { FullPageMessage } from '../ui/EmptyState';
import { LoadingPage, Spinner } from '../ui/Spinner';
import { AlertIcon, ArrowLeftIcon, ExternalLinkIcon, SearchIcon, TrashIcon } from '../ui/icons';
import { useToast } from '../ui/Toast';
import { ReplayExports } from './ReplayExports';
import './insights.css';

/** The charts (and their library) load only here, after the numbers. */
const InsightsCharts = lazy(() => import('./InsightsCharts'));

type Load = { status: 'loading' } | { status: 'ready'; insights: SessionInsights } | { status: 'gone'; message: string } | { status: 'error'; error: unknown };

/** `/sessions/:sessionId/insights`: a host's numbers and charts for one session, its exports, and deleting its replay. */
export default function InsightsPage() {
  const { sessionId = '' } = useParams();
  const { httpApiUrl } = useAppConfig();
  const toast = useToast();
  const navigate = useNavigate();
  const validId = sessionIdSchema.safeParse(sessionId).success;
  const hostApi = useMemo(() => createHostReplayApi({ baseUrl: httpApiUrl, getAccessToken }, sessionId), [httpApiUrl, sessionId]);
  const reader = useMemo(() => createReplayReader({ baseUrl: httpApiUrl }, sessionId), [httpApiUrl, sessionId]);
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => {
    if (!validId) return setLoad({ status: 'gone', message: 'There is no session with this id.' });
    const controller = new AbortController();
    setLoad({ status: 'loading' });
    hostApi.insights({ signal: controller.signal }).then(
      (insights) => setLoad({ status: 'ready', insights }),
      (error: unknown) => {
        if (controller.signal.aborted && isAbortError(error)) return;
        setLoad(isApiError(error, 'NotFound') ? { status: 'gone', message: error.message } : { status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [hostApi, validId, attempt]);

  const title = load.status === 'ready' ? load.insights.title : 'Insights';
  useDocumentTitle(`Insights: ${title}`);

  const deleteReplay = useCallback(async () => {
    setDeleting(true);
    try {
      // Long sessions take a few rounds: each request deletes a bounded number of items.
      while ((await hostApi.deleteReplay()).status === 'deleting');
      toast.success('Replay deleted', `The replay, its chat log and its insights are gone.`);
      navigate('/dashboard');
    } catch (error) {
      toast.error('Could not delete the replay', error);
      setDeleting(false);
      setConfirmDelete(false);
    }
  }, [hostApi, toast, navigate]);

  if (load.status === 'loading') {
    return (
      <main id="main" className="page-main">
        <LoadingPage label="Loading the insights…" />
      </main>
    );
  }
  if (load.status === 'gone' || load.status === 'error') {
    const { message, resolution } = load.status === 'gone' ? { message: load.message, resolution: undefined } : describeError(load.error);
    return (
      <main id="main" className="page-main">
        <FullPageMessage
          icon={load.status === 'gone' ? <SearchIcon /> : <AlertIcon />}
          title={load.status === 'gone' ? 'No insights for this session' : "The insights couldn't be loaded"}
          description={message}
          actions={
            <>
              {load.status === 'error' ? (
                <Button variant="primary" onClick={() => setAttempt((n) => n + 1)}>
                  Try again
                </Button>
              ) : null}
              <ButtonLink to="/dashboard" icon={<ArrowLeftIcon className="btn__icon" />}>
                Back to dashboard
              </ButtonLink>
            </>
          }
        >
          {resolution ? <p className="muted">{resolution}</p> : null}
        </FullPageMessage>
      </main>
    );
  }

  const { insights } = load;
  const ended = insights.status === 'ended';
  return (
    <main id="main" className="page-main">
      <div className="container insights">
        <div className="page-header">
          <div>
            <Link to="/dashboard" className="btn btn--ghost btn--sm">
              <ArrowLeftIcon className="btn__icon" />
              Dashboard
            </Link>
            <h1 className="page-header__title">{insights.title}</h1>
            <p className="page-header__subtitle insights__subtitle">
              <StatusBadge status={insights.status} />
              {new Date(insights.startAt).toLocaleString()} · {formatDuration(insights.durationMs)}
            </p>
          </div>
          <div className="insights__actions">
            <a className="btn btn--secondary" href={watchPath(insights.sessionId)} target="_blank" rel="noreferrer">
              <ExternalLinkIcon className="btn__icon" />
              {ended ? 'Watch the replay' : 'Open viewer page'}
            </a>
            {ended ? (
              <Button variant="danger-outline" icon={<TrashIcon className="btn__icon" />} onClick={() => setConfirmDelete(true)}>
                Delete replay
              </Button>
            ) : null}
          </div>
        </div>

        {insights.incomplete.length ? (
          <div className="notice" role="status">
            <AlertIcon className="btn__icon" />
            <p>Some numbers cover only part of this session ({insights.incomplete.join(', ')}): it was too long to read whole in one go.</p>
          </div>
        ) : null}

        <section aria-labelledby="numbers-heading">
          <h2 id="numbers-heading" className="sr-only">
            Numbers
          </h2>
          <dl className="insights__stats">
            <Stat label="Duration" value={formatDuration(insights.durationMs)} />
            <Stat label="On air" value={formatDuration(insights.liveMs)} />
            <Stat label="Peak viewers" value={insights.viewers.peak} />
            <Stat label="Average viewers" value={insights.viewers.average.toFixed(1)} />
            <Stat label="Viewer-minutes" value={Math.round(insights.viewers.viewerMinutes)} />
            <Stat label="Joins" value={insights.viewers.joins} />
            <Stat label="Chat messages" value={insights.chat.total} />
            <Stat label="Reactions" value={insights.reactions.total} />
            <Stat label="Code runs" value={insights.codeRuns.total} />
            <Stat label="Tiles added" value={insights.tilesAdded} />
          </dl>
          {insights.codeRuns.total ? (
            <p className="muted insights__languages">
              Code runs by language:{' '}
              {Object.entries(insights.codeRuns.byLanguage)
                .map(([language, runs]) => `${languageLabels[language as Language] ?? language} ${runs}`)
                .join(', ')}
            </p>
          ) : null}
        </section>

        <Suspense
          fallback={
            <div className="insights__charts-loading" role="status">
              <Spinner />
              Loading the charts…
            </div>
          }
        >
          <InsightsCharts insights={insights} />
        </Suspense>

        <ReplayExports reader={reader} insights={insights} />
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this replay?"
        description="Its canvas history, chat transcript, reactions and these insights are deleted for good. Viewers following the link see that the replay was deleted."
        confirmLabel="Delete replay"
        tone="danger"
        busy={deleting}
        onConfirm={() => void deleteReplay()}
        onCancel={() => setConfirmDelete(false)}
      />
    </main>
  );
}

function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="insights__stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** 1 h 02 min, 4 min 07 s, 12 s. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
}
