// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TileLayer } from '../../../src/canvas/TileLayer';
import type { CanvasSnapshot, TileState } from '../../../src/protocol/realtime';
import { TilePalette } from '../../../src/studio/TilePalette';
import { clockTile } from '../../../src/tiles/clock/clock-tile';
import { parseClockState } from '../../../src/tiles/clock/clock-state';
import { createTileRegistry, tileRegistry, type TileRegistry } from '../../../src/tiles/registry';
import { TileRegistryContext } from '../../../src/tiles/registry-context';
import { stateUpdatePatch } from '../../../src/tiles/state-patch';
import { defineTileKind, lazyTileComponent, shallowMerge, type TileViewProps } from '../../../src/tiles/tile-kind';

afterEach(cleanup);

interface NoteState extends TileState {
  text: string;
}

/** A minimal kind with a lazily loaded viewer, like a heavy kind would have. */
function noteKind(loadViewer: () => Promise<{ default: (props: TileViewProps<NoteState>) => ReactNode }>) {
  return defineTileKind<NoteState>({
    kind: 'note',
    label: 'Note',
    description: 'A sticky note.',
    defaultSize: { w: 300, h: 200 },
    minSize: { w: 100, h: 100 },
    initialState: () => ({ text: '' }),
    parseState: (state) => ({ text: typeof state.text === 'string' ? state.text : '' }),
    applyPatch: shallowMerge,
    Editor: () => null,
    Viewer: lazyTileComponent(loadViewer),
  });
}

const clock = { now: () => Date.UTC(2026, 0, 1, 12, 0, 0) };

function withRegistry(registry: TileRegistry, children: ReactNode) {
  return <TileRegistryContext.Provider value={registry}>{children}</TileRegistryContext.Provider>;
}

function snapshotOf(tiles: CanvasSnapshot['tiles']): CanvasSnapshot {
  return { seq: 1, tiles, canvas: { live: true } };
}

describe('tile registry', () => {
  it('registers the clock, and every kind is well formed', () => {
    expect(tileRegistry.kinds.map((kind) => kind.kind)).toContain('clock');
    for (const kind of tileRegistry.kinds) {
      expect(kind.label).not.toBe('');
      expect(kind.defaultSize.w % 20).toBe(0);
      expect(kind.defaultSize.h % 20).toBe(0);
      // Whatever is stored, a kind's views get a valid state; its initial state survives a round trip.
      const initial = kind.initialState();
      expect(kind.parseState(initial)).toEqual(initial);
      expect(() => kind.parseState({ garbage: [1, { x: null }] })).not.toThrow();
    }
  });

  it('refuses malformed and duplicate kinds', () => {
    const note = noteKind(async () => ({ default: () => null }));
    expect(() => createTileRegistry([note, note])).toThrow(/registered twice/);
    expect(() => createTileRegistry([{ ...note, kind: 'Bad Kind' }])).toThrow(/not a valid kind id/);
    expect(() => createTileRegistry([{ ...note, minSize: { w: 400, h: 100 } }])).toThrow(/minSize/);
    expect(() => createTileRegistry([{ ...note, defaultSize: { w: 4000, h: 100 } }])).toThrow(/fit the canvas/);
  });

  it('finds kinds by id, and nothing for unknown ones', () => {
    expect(tileRegistry.find('clock')).toBe(clockTile);
    expect(tileRegistry.find('whiteboard-from-the-future')).toBeUndefined();
  });
});

const noHistory = { history: { canUndo: false, canRedo: false }, onUndo: () => undefined, onRedo: () => undefined };

describe('palette', () => {
  it('lists exactly the registered kinds, and adds the one clicked', () => {
    const registry = createTileRegistry([clockTile, noteKind(async () => ({ default: () => null }))]);
    const onAdd = vi.fn();
    render(withRegistry(registry, <TilePalette onAdd={onAdd} {...noHistory} />));
    const buttons = within(screen.getByRole('list')).getAllByRole('button');
    expect(buttons.map((button) => button.getAttribute('aria-label'))).toEqual(['Add clock tile', 'Add note tile']);
    fireEvent.click(screen.getByRole('button', { name: 'Add note tile' }));
    expect(onAdd).toHaveBeenCalledWith(registry.find('note'));
  });

  it('shows nothing a host could add that is not registered', () => {
    render(withRegistry(createTileRegistry([clockTile]), <TilePalette onAdd={() => undefined} {...noHistory} />));
    expect(within(screen.getByRole('list')).getAllByRole('button')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: /webcam|whiteboard|slides|code/i })).toBeNull();
  });
});

describe('tile views', () => {
  it('loads a lazy viewer on demand, showing a loading state meanwhile', async () => {
    let resolve!: (module: { default: (props: TileViewProps<NoteState>) => ReactNode }) => void;
    const load = vi.fn(() => new Promise<{ default: (props: TileViewProps<NoteState>) => ReactNode }>((r) => (resolve = r)));
    const registry = createTileRegistry([noteKind(load)]);
    const snapshot = snapshotOf({ n1: { kind: 'note', frame: { x: 0, y: 0, w: 300, h: 200, z: 1 }, state: { text: 'Hello' } } });

    expect(load).not.toHaveBeenCalled(); // nothing downloads until a tile of the kind appears
    render(withRegistry(registry, <TileLayer snapshot={snapshot} clock={clock} />));
    expect(load).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('status').textContent).toContain('Loading the note');

    resolve({ default: ({ state }) => <p>Note says: {state.text}</p> });
    expect(await screen.findByText('Note says: Hello')).toBeTruthy();
  });

  it('contains a view whose chunk cannot be downloaded, and downloads it again on the next state', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let fail = true;
    const load = vi.fn(async () => {
      if (fail) throw new TypeError('Failed to fetch dynamically imported module: /assets/NoteView.js');
      return { default: ({ state }: TileViewProps<NoteState>) => <p>Note: {state.text}</p> };
    });
    const registry = createTileRegistry([noteKind(load)]);
    const tile = (text: string) => snapshotOf({ n1: { kind: 'note', frame: { x: 0, y: 0, w: 300, h: 200, z: 1 }, state: { text } } });
    const view = render(withRegistry(registry, <TileLayer snapshot={tile('one')} clock={clock} />));
    expect(await screen.findByText("This tile couldn't be shown")).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(1); // no retry loop while it fails
    fail = false;
    view.rerender(withRegistry(registry, <TileLayer snapshot={tile('two')} clock={clock} />));
    expect(await screen.findByText('Note: two')).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(2);
    vi.restoreAllMocks();
  });

  it('parses stored state before a view sees it', async () => {
    const registry = createTileRegistry([noteKind(async () => ({ default: ({ state }: TileViewProps<NoteState>) => <p>[{state.text}]</p> }))]);
    const snapshot = snapshotOf({ n1: { kind: 'note', frame: { x: 0, y: 0, w: 300, h: 200, z: 1 }, state: { text: 42 } } });
    render(withRegistry(registry, <TileLayer snapshot={snapshot} clock={clock} />));
    expect(await screen.findByText('[]')).toBeTruthy();
  });

  it('explains a tile of an unknown kind instead of failing', () => {
    const snapshot = snapshotOf({ x1: { kind: 'hologram', frame: { x: 0, y: 0, w: 300, h: 200, z: 1 }, state: {} } });
    render(withRegistry(createTileRegistry([clockTile]), <TileLayer snapshot={snapshot} clock={clock} />));
    expect(screen.getByText("This tile can't be shown")).toBeTruthy();
  });

  it('contains a view that throws to its own tile', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const broken = {
      ...noteKind(async () => ({ default: () => null })),
      kind: 'broken',
      Viewer: () => {
        throw new Error('boom');
      },
    };
    const registry = createTileRegistry([broken, clockTile]);
    const snapshot = snapshotOf({
      b1: { kind: 'broken', frame: { x: 0, y: 0, w: 300, h: 200, z: 1 }, state: {} },
      c1: { kind: 'clock', frame: { x: 400, y: 0, w: 480, h: 280, z: 2 }, state: { mode: 'stopwatch' } },
    });
    render(withRegistry(registry, <TileLayer snapshot={snapshot} clock={clock} />));
    expect(screen.getByText("This tile couldn't be shown")).toBeTruthy();
    expect(screen.getByRole('timer', { name: 'Stopwatch' }).textContent).toBe('0:00.0');
  });

  it('places tiles by their frames, bottom to top', () => {
    const snapshot = snapshotOf({
      top: { kind: 'clock', frame: { x: 100, y: 60, w: 480, h: 280, z: 5 }, state: {} },
      bottom: { kind: 'clock', frame: { x: 0, y: 0, w: 480, h: 280, z: 1 }, state: {} },
    });
    render(<TileLayer snapshot={snapshot} clock={clock} />);
    const tiles = screen.getAllByRole('group', { name: 'Clock' });
    expect(tiles.map((tile) => tile.dataset.tileId)).toEqual(['bottom', 'top']);
    expect(tiles[1]!.style.left).toBe('100px');
    expect(tiles[1]!.style.top).toBe('60px');
    expect(tiles[1]!.style.width).toBe('480px');
    expect(tiles[1]!.style.zIndex).toBe('5');
  });
});

describe('state patches from editor changes', () => {
  const stored = parseClockState({ mode: 'stopwatch', label: 'Talk', laps: [1000] });

  it('sends only the top-level keys that change', () => {
    expect(stateUpdatePatch(clockTile, 'c1', stored, { label: 'Talk' })).toBeUndefined();
    const patch = stateUpdatePatch(clockTile, 'c1', stored, { label: 'Q&A', laps: [1000] });
    expect(patch).toMatchObject({ type: 'tile.state', tileId: 'c1', set: { label: 'Q&A' } });
    expect(patch && 'set' in patch && patch.set).not.toHaveProperty('laps');
  });

  it('writes the parsed defaults the first time a stored state lacks them', () => {
    const patch = stateUpdatePatch(clockTile, 'c1', {}, { mode: 'timer' });
    expect(patch).toMatchObject({ type: 'tile.state', set: { mode: 'timer', timerDurationMs: 300_000 } });
  });

  it('unsets keys the kind drops', () => {
    const note = noteKind(async () => ({ default: () => null }));
    expect(stateUpdatePatch(note, 'n1', { text: 'a', legacy: 1 }, { text: 'b' })).toEqual({
      type: 'tile.state',
      tileId: 'n1',
      set: { text: 'b' },
      unset: ['legacy'],
    });
  });
});
