import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { BrandMark } from './icons';

export function Brand({ to = '/' }: { to?: string }) {
  return (
    <Link to={to} className="brand" aria-label="StreamCanvas home">
      <BrandMark className="brand__mark" />
      <span className="brand__name">StreamCanvas</span>
    </Link>
  );
}

/** The light app header: brand on the left, page actions on the right. */
export function AppHeader({ children, brandTo, className }: { children?: ReactNode; brandTo?: string; className?: string }) {
  return (
    <header className={className ? `app-header ${className}` : 'app-header'}>
      <div className="container app-header__inner">
        <Brand to={brandTo} />
        <div className="app-header__spacer" />
        {children}
      </div>
    </header>
  );
}

export function SkipLink() {
  return (
    <a className="skip-link" href="#main">
      Skip to content
    </a>
  );
}
