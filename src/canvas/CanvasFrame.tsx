import type { ReactNode } from 'react';

export interface CanvasFrameProps {
  /** Accessible name of the canvas region, e.g. "Canvas". */
  label: string;
  /** Tiles, rendered inside the 16:9 frame (absolutely positioned by the canvas step). */
  children?: ReactNode;
  /** Shown centred over the frame while there is nothing to show. */
  overlay?: ReactNode;
}

/**
 * The dark 16:9 canvas surface shared by the studio (editable) and the viewer (read-only).
 * Tiles are laid out inside it; `overlay` holds empty and waiting states.
 */
export function CanvasFrame({ label, children, overlay }: CanvasFrameProps) {
  return (
    <section className="canvas-frame" aria-label={label} data-testid="canvas-frame">
      {children}
      {overlay ? <div className="canvas-frame__overlay">{overlay}</div> : null}
    </section>
  );
}

export function CanvasHint({ icon, title, text }: { icon?: ReactNode; title: string; text?: ReactNode }) {
  return (
    <div className="canvas-frame__hint">
      {icon ? <div className="canvas-frame__hint-icon">{icon}</div> : null}
      <p className="canvas-frame__hint-title">{title}</p>
      {text ? <p className="canvas-frame__hint-text">{text}</p> : null}
    </div>
  );
}
