import { defineTileKind, lazyTileComponent, shallowMerge } from '../tile-kind';
import { WhiteboardIcon } from '../../ui/icons';
import { BoardView } from './board-view-chunk';
import { initialWhiteboardState, parseWhiteboardState, type WhiteboardState } from './whiteboard-state';

/** The tile's view is small (it opens the board session); preloading or retrying it fetches Excalidraw's chunk too. */
const View = lazyTileComponent(() => import('./WhiteboardView'));
const loadView = View.preload!;
const Viewer = Object.assign(View, { preload: () => Promise.all([loadView(), BoardView.preload!()]) });

/**
 * The whiteboard kind: a real Excalidraw board. Excalidraw is large (about 320 KB gzip), so
 * both views load in their own chunks, only when a whiteboard tile appears.
 */
export const whiteboardTile = defineTileKind<WhiteboardState>({
  kind: 'whiteboard',
  label: 'Whiteboard',
  description: 'Draw shapes, arrows, text, freehand and images live; viewers watch every stroke and follow your view.',
  Icon: WhiteboardIcon,
  defaultSize: { w: 960, h: 540 },
  minSize: { w: 320, h: 200 },
  wideEditor: false,
  initialState: initialWhiteboardState,
  parseState: parseWhiteboardState,
  applyPatch: shallowMerge,
  Editor: lazyTileComponent(() => import('./WhiteboardEditor')),
  Viewer,
});
