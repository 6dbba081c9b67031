import type { CSSProperties } from 'react';

/** A decorative spinner; pair it with text (or `label`) that says what is loading. */
export function Spinner({ size = 'md', label }: { size?: 'md' | 'lg'; label?: string }) {
  return (
    <>
      <span className={size === 'lg' ? 'spinner spinner--lg' : 'spinner'} aria-hidden="true" />
      {label ? <span className="sr-only">{label}</span> : null}
    </>
  );
}

export function Skeleton({ className, style }: { className?: string; style?: CSSProperties }) {
  return <span className={['skeleton', className].filter(Boolean).join(' ')} style={style} aria-hidden="true" />;
}

/** A centred, announced loading state for a whole page. */
export function LoadingPage({ label }: { label: string }) {
  return (
    <div className="loading-page" role="status" aria-live="polite">
      <div className="loading-page__inner">
        <Spinner size="lg" />
        <span>{label}</span>
      </div>
    </div>
  );
}
