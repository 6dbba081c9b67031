import type { KeyboardEvent } from 'react';
import { frameStyle } from '../canvas/CanvasSurface';
import { describeFrame, keyboardAction, RESIZE_HANDLES, type Guide } from '../canvas/geometry';
import type { Frame, Tile } from '../protocol/realtime';
import { TileContent } from '../tiles/TileContent';
import type { ServerClock, TileKind } from '../tiles/tile-kind';
import { useTileGesture, type TileGeometry } from './use-tile-gesture';

export interface TileCommands {
  select(tileId: string | undefined): void;
  /** Publishes a frame during a gesture (no undo step). */
  setGeometry(tileId: string, geometry: TileGeometry): void;
  /** A finished move or resize: one undo step; a keyboard step is also published here. */
  commitGeometry(tileId: string, from: Frame, to: Frame, how: 'pointer' | 'keyboard'): void;
  bringToFront(tileId: string): void;
  remove(tileId: string): void;
  announce(message: string): void;
}

/**
 * A tile on the host's canvas: its live preview (the same view viewers get), moved by
 * dragging, resized by its handles, and fully usable from the keyboard.
 */
export function EditableTile({
  tileId,
  tile,
  kind,
  clock,
  selected,
  spotlit = false,
  instructionsId,
  commands,
  others,
  onGuides,
  onGestureChange,
}: {
  tileId: string;
  tile: Tile;
  kind: TileKind | undefined;
  clock: ServerClock;
  selected: boolean;
  /** Every viewer sees this tile full-stage. */
  spotlit?: boolean;
  instructionsId: string;
  commands: TileCommands;
  others?: readonly Frame[];
  onGuides?: (guides: Guide[]) => void;
  onGestureChange?: (active: boolean) => void;
}) {
  const label = kind?.label ?? 'Unknown tile';
  const minSize = kind?.minSize ?? { w: 40, h: 40 };
  const gesture = useTileGesture({
    frame: tile.frame,
    minSize,
    publish: (geometry) => commands.setGeometry(tileId, geometry),
    commit: (from, to) => commands.commitGeometry(tileId, from, to, 'pointer'),
    others,
    onGuides,
  });

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Escape') {
      if (!gesture.cancel()) commands.select(undefined);
      event.preventDefault();
      return;
    }
    const action = keyboardAction(tile.frame, event, minSize);
    if (!action) return;
    event.preventDefault();
    switch (action.type) {
      case 'move':
      case 'resize':
        commands.commitGeometry(tileId, tile.frame, action.frame, 'keyboard');
        commands.announce(`${label} ${action.type === 'move' ? 'moved' : 'resized'}: ${describeFrame(action.frame)}.`);
        return;
      case 'front':
        commands.bringToFront(tileId);
        commands.announce(`${label} brought to the front.`);
        return;
      case 'remove':
        commands.remove(tileId);
        return;
    }
  }

  const classes = ['canvas-tile', 'canvas-tile--editable', selected ? 'canvas-tile--selected' : '', gesture.active ? 'canvas-tile--dragging' : '']
    .filter(Boolean)
    .join(' ');

  return (
    <div
      className={classes}
      style={frameStyle(gesture.frame)}
      tabIndex={0}
      role="group"
      aria-roledescription="tile"
      aria-label={spotlit ? `${label}, in the spotlight` : label}
      aria-describedby={instructionsId}
      aria-keyshortcuts="ArrowUp ArrowDown ArrowLeft ArrowRight Shift+ArrowRight Alt+ArrowRight Delete ]"
      data-tile-id={tileId}
      onFocus={(event) => {
        if (event.target === event.currentTarget) commands.select(tileId);
      }}
      onPointerDown={(event) => {
        event.stopPropagation();
        commands.select(tileId);
        event.currentTarget.focus({ preventScroll: true });
        gesture.handlers.onPointerDown(event);
        onGestureChange?.(true);
      }}
      onPointerMove={gesture.handlers.onPointerMove}
      onPointerUp={(event) => {
        gesture.handlers.onPointerUp(event);
        onGestureChange?.(false);
      }}
      onPointerCancel={(event) => {
        gesture.handlers.onPointerCancel(event);
        onGestureChange?.(false);
      }}
      onKeyDown={onKeyDown}
    >
      <div className="canvas-tile__body">
        <TileContent tileId={tileId} tile={tile} clock={clock} />
      </div>
      <span className="canvas-tile__outline" aria-hidden="true" />
      {spotlit ? (
        <span className="canvas-tile__spotlight" aria-hidden="true">
          Spotlight
        </span>
      ) : null}
      {RESIZE_HANDLES.map((handle) => (
        <span key={handle} className="resize-handle" data-handle={handle} aria-hidden="true" />
      ))}
    </div>
  );
}
