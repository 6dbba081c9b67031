import { createElement, lazy, useState, type ComponentType } from 'react';
import type { Json, TileState } from '../protocol/realtime';

/**
 * One tile kind = one folder behind this interface: its state, the host's editor, the
 * viewer's read-only view, and how its patches apply. Adding a kind touches its folder
 * and one line of the registry (`registry.ts`).
 *
 * Where the views appear:
 * - `Viewer` renders inside the tile, on every canvas: the viewers' and the studio's (the
 *   studio canvas is exactly what viewers see). It fills the tile; size text with container
 *   query units (the tile is a size container of its logical dimensions).
 * - `Editor` is the host's controls for one tile, shown in the studio's inspector panel when
 *   the tile is selected. It is never loaded on the viewer page.
 */
export interface ServerClock {
  /** The server's current time in ms, estimated from ping round trips. */
  now(): number;
}

export interface TileViewProps<S> {
  tileId: string;
  state: S;
  clock: ServerClock;
}

export interface TileEditorProps<S> extends TileViewProps<S> {
  /**
   * Changes this tile's state. The framework runs `applyPatch`, then publishes the top-level
   * keys that changed as one `tile.state` patch.
   */
  update(set: Partial<S>): void;
  /** Asks the server to run this tile's code (the protocol's `runCode`); results arrive as state. */
  runCode(stdin: string): void;
}

/** A component that may live in its own chunk; `preload` starts downloading it early. */
export type TileComponent<P> = ComponentType<P> & { preload?: () => Promise<unknown> };

export interface TileKind<S extends TileState = TileState> {
  /** The wire id, e.g. "clock" (`tileKindSchema`). */
  kind: string;
  label: string;
  description: string;
  /** A 24×24 stroke icon for the palette. */
  Icon?: ComponentType<{ className?: string }>;
  /** A short name for one tile of this kind, from its state (e.g. "Python 3"); used in accessible names and titles. */
  title?(state: S): string;
  /**
   * False when this kind's state changes cannot be undone by writing the old values back
   * (e.g. state that only grows on the server). Moves, resizes, adds and removes still undo.
   */
  undoableState?: boolean;
  /** The editor needs room (e.g. a code editor): the inspector may take more of the side rail while selected. */
  wideEditor?: boolean;
  /** Logical canvas pixels (1920×1080 canvas); multiples of the 20 px grid. */
  defaultSize: { w: number; h: number };
  minSize: { w: number; h: number };
  initialState(): S;
  /** Reads stored state defensively: whatever arrives, the views get a valid S. */
  parseState(state: TileState): S;
  /** How an editor's change applies to this kind's state; most kinds merge shallowly. */
  applyPatch(state: S, set: Partial<S>, unset?: readonly string[]): S;
  Editor: TileComponent<TileEditorProps<S>>;
  Viewer: TileComponent<TileViewProps<S>>;
  /**
   * How a replay shows this kind: from its state like live (the default), or, for live media
   * that nothing records, as "not recorded" instead of the Viewer.
   */
  replay?: 'state' | 'not-recorded';
}

export function shallowMerge<S extends TileState>(state: S, set: Partial<S>, unset: readonly string[] = []): S {
  const next: Record<string, Json | undefined> = { ...state, ...set };
  for (const key of unset) delete next[key];
  return next as S;
}

/** Helps a kind declare itself with its own state type while the registry stays uniform. */
export function defineTileKind<S extends TileState>(kind: TileKind<S>): TileKind<TileState> {
  return kind as unknown as TileKind<TileState>;
}

/**
 * A lazily loaded component with a `preload()`: heavy views get their own chunk, so they stay
 * out of the viewer route's initial JavaScript and load only when a tile of that kind appears.
 * Unlike React.lazy, a failed download is not remembered: the next render (an error
 * boundary's retry) downloads again, so a dropped connection costs a retry, not a reload.
 */
export function lazyTileComponent<P>(load: () => Promise<{ default: ComponentType<P> }>): TileComponent<P> {
  let attempt: Promise<ComponentType<P>> | undefined;
  let failed = false;
  let loaded: ComponentType<P> | undefined;
  let Lazy: ComponentType<P> | undefined;
  // A failed attempt stays failed (so an error boundary shows it) until preload() is called
  // again; React.lazy remembers its result, so each attempt gets its own lazy component.
  const preload = () => {
    if (!attempt || failed) {
      failed = false;
      const current = load().then(
        (module) => (loaded = module.default),
        (error: unknown) => {
          failed = true;
          throw error;
        },
      );
      attempt = current;
      Lazy = lazy(() => current.then((component) => ({ default: component }))) as unknown as ComponentType<P>;
    }
    return attempt;
  };
  function LazyTileComponent(props: P) {
    // Chosen once per mount: switching from the lazy wrapper to the loaded component later
    // would remount the view and lose its state. A failed download is rendered as failed (its
    // error boundary shows it) until someone calls preload() again: restarting it here would
    // loop, since React mounts a suspended component anew on every retry.
    const [Component] = useState(() => {
      if (!Lazy) void preload().catch(() => undefined);
      return (loaded ?? Lazy)!;
    });
    return createElement(Component as ComponentType<object>, props as object);
  }
  const component = LazyTileComponent as TileComponent<P>;
  component.preload = preload;
  return component;
}

/** The tile's name for people: its kind, and its own title when the kind has one ("Code: Python 3"). */
export function tileTitle(kind: Pick<TileKind, 'label' | 'title'>, state: TileState): string {
  const own = kind.title?.(state);
  return own ? `${kind.label}: ${own}` : kind.label;
}
