import type { BoardViewport } from '../../protocol/board';

/** An Excalidraw view: what `appState` holds of it. */
export interface SceneView {
  scrollX: number;
  scrollY: number;
  zoom: number;
}

export const MIN_FOLLOW_ZOOM = 0.1;
export const MAX_FOLLOW_ZOOM = 30;

/**
 * The view that shows a follower the same part of the board as the host, whatever the two
 * screens' sizes: the host's visible scene rectangle, fitted (contained) and centred in the
 * follower's `width` × `height`. In Excalidraw, a scene point x is drawn at (x + scrollX) · zoom.
 */
export function followView(host: BoardViewport, width: number, height: number): SceneView {
  const sceneWidth = host.width / host.zoom;
  const sceneHeight = host.height / host.zoom;
  const zoom = clamp(Math.min(width / sceneWidth, height / sceneHeight), MIN_FOLLOW_ZOOM, MAX_FOLLOW_ZOOM);
  const centerX = -host.scrollX + sceneWidth / 2;
  const centerY = -host.scrollY + sceneHeight / 2;
  return { scrollX: width / (2 * zoom) - centerX, scrollY: height / (2 * zoom) - centerY, zoom };
}

/** The scene point at the centre of a view of `width` × `height`. */
export function viewCenter(view: SceneView, width: number, height: number): { x: number; y: number } {
  return { x: width / (2 * view.zoom) - view.scrollX, y: height / (2 * view.zoom) - view.scrollY };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
