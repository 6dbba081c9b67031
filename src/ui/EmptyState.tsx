import type { ReactNode } from 'react';

export interface EmptyStateProps {
  icon?: ReactNode;
  title: ReactNode;
  /** Heading level of the title, to fit the page outline. */
  headingLevel?: 1 | 2 | 3;
  description?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
}

export function EmptyState({ icon, title, headingLevel = 2, description, actions, children }: EmptyStateProps) {
  const Heading = `h${headingLevel}` as const;
  return (
    <div className="empty-state">
      {icon ? <div className="empty-state__icon">{icon}</div> : null}
      <Heading className="empty-state__title">{title}</Heading>
      {description ? <p className="empty-state__description">{description}</p> : null}
      {children}
      {actions ? <div className="empty-state__actions">{actions}</div> : null}
    </div>
  );
}

/** A whole-page message: errors, "not found", "ended". */
export function FullPageMessage(props: EmptyStateProps) {
  return (
    <div className="full-page">
      <div className="card full-page__card">
        <EmptyState headingLevel={1} {...props} />
      </div>
    </div>
  );
}
