import { Component, Suspense, useMemo, type ErrorInfo, type ReactNode } from 'react';
import type { Tile } from '../protocol/realtime';
import { Spinner } from '../ui/Spinner';
import { holdsMediaReference, useTilePlayback } from './playback';
import { useTileRegistry } from './registry-context';
import type { ServerClock, TileKind } from './tile-kind';
import './tiles.css';

/**
 * A tile's read-only view, as every canvas shows it: the kind's Viewer with parsed state,
 * a loading state while a lazy view downloads, and a contained error if the view fails.
 */
export function TileContent({ tileId, tile, clock }: { tileId: string; tile: Tile; clock: ServerClock }) {
  const kind = useTileRegistry().find(tile.kind);
  const playback = useTilePlayback();
  if (!kind) {
    return <TileNotice title="This tile can't be shown" text="It needs a newer version of StreamCanvas. Reload the page." />;
  }
  if (playback.mode === 'replay' && (kind.replay === 'not-recorded' || holdsMediaReference(tile.state))) {
    return <TileNotice title="Video was not recorded" text={`The ${kind.label.toLowerCase()} was live only; replays keep the canvas, code, chat and reactions.`} />;
  }
  return <KnownTile kind={kind} tileId={tileId} tile={tile} clock={clock} />;
}

function KnownTile({ kind, tileId, tile, clock }: { kind: TileKind; tileId: string; tile: Tile; clock: ServerClock }) {
  // Snapshots keep unchanged tiles' state objects, so this parses only after a change.
  const state = useMemo(() => kind.parseState(tile.state), [kind, tile.state]);
  const { Viewer } = kind;
  return (
    <TileErrorBoundary resetKey={tile.state} onReset={() => void kind.Viewer.preload?.().catch(() => undefined)}>
      <Suspense fallback={<TileLoading label={`Loading the ${kind.label.toLowerCase()}…`} />}>
        <Viewer tileId={tileId} state={state} clock={clock} />
      </Suspense>
    </TileErrorBoundary>
  );
}

export function TileLoading({ label }: { label: string }) {
  return (
    <div className="tile-notice" role="status">
      <Spinner />
      <span className="sr-only">{label}</span>
    </div>
  );
}

export function TileNotice({ title, text }: { title: string; text?: string }) {
  return (
    <div className="tile-notice">
      <p className="tile-notice__title">{title}</p>
      {text ? <p className="tile-notice__text">{text}</p> : null}
    </div>
  );
}

interface TileErrorBoundaryProps {
  resetKey: unknown;
  /** Before another chance: e.g. download a view whose chunk failed again. */
  onReset?: () => void;
  children: ReactNode;
}

/** One broken tile must not take the canvas down; a new state gives it another chance. */
export class TileErrorBoundary extends Component<TileErrorBoundaryProps, { failed: boolean; resetKey: unknown }> {
  override state = { failed: false, resetKey: this.props.resetKey };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  static getDerivedStateFromProps(props: TileErrorBoundaryProps, state: { failed: boolean; resetKey: unknown }) {
    if (props.resetKey === state.resetKey) return null;
    if (state.failed) props.onReset?.(); // idempotent: starts a download only if the last one failed
    return { failed: false, resetKey: props.resetKey };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('StreamCanvas tile error', error, info.componentStack);
  }

  override render() {
    if (this.state.failed) return <TileNotice title="This tile couldn't be shown" text="The rest of the canvas still works." />;
    return this.props.children;
  }
}
