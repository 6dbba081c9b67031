import { Component, type ErrorInfo, type ReactNode } from 'react';
import { describeError } from '../lib/errors';
import { FullPageMessage } from './EmptyState';
import { AlertIcon } from './icons';

interface Props {
  children: ReactNode;
  /** Changing this (e.g. the path) clears a previous error. */
  resetKey?: string;
}

interface State {
  error: unknown;
  resetKey?: string;
}

/** Catches render errors and failed lazy chunks (e.g. after a redeploy) and offers a reload. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error ?? new Error('Unknown error') };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.resetKey) return { error: undefined, resetKey: props.resetKey };
    return null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('StreamCanvas page error', error, info.componentStack);
  }

  override render() {
    if (this.state.error === undefined) return this.props.children;
    const { message } = describeError(this.state.error);
    const chunkFailed = /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(message);
    return (
      <main className="page-main" id="main">
        <FullPageMessage
          icon={<AlertIcon />}
          title="This page couldn't load"
          description={
            chunkFailed
              ? 'Part of the app could not be downloaded. The app may have been updated, or the connection dropped.'
              : message
          }
          actions={
            <>
              <button type="button" className="btn btn--primary" onClick={() => window.location.reload()}>
                Reload
              </button>
              <a className="btn btn--secondary" href="/">
                Go to the home page
              </a>
            </>
          }
        />
      </main>
    );
  }
}
