import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { ArrowLeftIcon } from '../ui/icons';

/** The studio's top bar: back to the dashboard, the session's title and state, and its actions. */
export function StudioBar({
  title,
  badge,
  stats,
  controls,
  actions,
  wide = false,
}: {
  title: string;
  badge: ReactNode;
  stats?: ReactNode;
  /** The host's live controls (e.g. microphone), shown before the actions. */
  controls?: ReactNode;
  actions?: ReactNode;
  /** The live workspace uses the full window width; message pages keep the usual column. */
  wide?: boolean;
}) {
  return (
    <div className="studio-bar">
      <div className={wide ? 'container container--wide studio-bar__inner' : 'container studio-bar__inner'}>
        <Link to="/dashboard" className="btn btn--ghost btn--sm" aria-label="Back to dashboard">
          <ArrowLeftIcon className="btn__icon" />
          <span aria-hidden="true">Dashboard</span>
        </Link>
        <div className="studio-bar__title">
          <h1>{title}</h1>
          {badge}
          {stats ? <div className="studio-bar__stats">{stats}</div> : null}
        </div>
        {controls ? (
          <div className="studio-bar__controls" role="group" aria-label="Live controls">
            {controls}
          </div>
        ) : null}
        {actions ? <div className="studio-bar__actions">{actions}</div> : null}
      </div>
    </div>
  );
}
