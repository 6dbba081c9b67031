import type { ReactNode } from 'react';

/** `alert`: something is wrong right now (e.g. the host is offline). */
export type BadgeTone = 'neutral' | 'success' | 'danger' | 'info' | 'live' | 'alert';

export function Badge({ tone = 'neutral', dot = false, children }: { tone?: BadgeTone; dot?: boolean; children: ReactNode }) {
  const className = tone === 'live' ? 'badge badge--danger badge--live' : tone === 'neutral' ? 'badge' : `badge badge--${tone}`;
  return (
    <span className={className}>
      {dot || tone === 'live' ? <span className="badge__dot" aria-hidden="true" /> : null}
      {children}
    </span>
  );
}
