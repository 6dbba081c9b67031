import { forwardRef, useLayoutEffect, useRef, useState, type CSSProperties, type HTMLAttributes } from 'react';
import { CANVAS_HEIGHT, CANVAS_WIDTH, type Frame } from '../protocol/realtime';
import './canvas.css';

/**
 * The logical 1920×1080 canvas, scaled with a CSS transform to fill its frame's width.
 * Tiles inside are laid out in logical pixels, so every screen shows the same layout.
 * `--canvas-scale` lets chrome (outlines, handles) keep a constant on-screen size.
 */
export const CanvasSurface = forwardRef<HTMLDivElement, HTMLAttributes<HTMLDivElement>>(function CanvasSurface(
  { children, className, style: extraStyle, ...rest },
  forwardedRef,
) {
  const ref = useRef<HTMLDivElement | null>(null);
  const scale = useFitScale(ref);
  const style = {
    width: CANVAS_WIDTH,
    height: CANVAS_HEIGHT,
    // Measured in a layout effect, so the first paint is already at the right scale.
    transform: `scale(${scale})`,
    '--canvas-scale': scale || 1,
    ...extraStyle,
  } as CSSProperties;
  return (
    <div
      ref={(node) => {
        ref.current = node;
        if (typeof forwardedRef === 'function') forwardedRef(node);
        else if (forwardedRef) forwardedRef.current = node;
      }}
      className={className ? `canvas-surface ${className}` : 'canvas-surface'}
      style={style}
      {...rest}
    >
      {children}
    </div>
  );
});

/** The frame's width over the logical width, kept current as the window changes. */
function useFitScale(ref: { current: HTMLElement | null }): number {
  const [scale, setScale] = useState(0);
  useLayoutEffect(() => {
    const frame = ref.current?.parentElement;
    if (!frame) return;
    const measure = () => setScale(frame.clientWidth / CANVAS_WIDTH);
    measure();
    if (typeof ResizeObserver === 'undefined') {
      window.addEventListener('resize', measure);
      return () => window.removeEventListener('resize', measure);
    }
    const observer = new ResizeObserver(measure);
    observer.observe(frame);
    return () => observer.disconnect();
  }, [ref]);
  return scale;
}

/** Absolute placement of a tile on the logical canvas. */
export function frameStyle(frame: Frame): CSSProperties {
  return { left: frame.x, top: frame.y, width: frame.w, height: frame.h, zIndex: frame.z };
}
