import { defineTileKind, lazyTileComponent, shallowMerge } from '../tile-kind';
import { initialMediaTileState, parseMediaTileState, type MediaTileState } from '../media/media-state';
import { ScreenIcon } from '../../ui/icons';

/** A shared screen, window or tab (with its audio where the browser offers it). */
export const screenTile = defineTileKind<MediaTileState>({
  kind: 'screen',
  label: 'Screen',
  description: 'Share a screen, window or tab, sharp enough to read code; tab audio too.',
  Icon: ScreenIcon,
  defaultSize: { w: 960, h: 540 },
  minSize: { w: 240, h: 140 },
  initialState: () => initialMediaTileState('contain'),
  parseState: (state) => parseMediaTileState(state, 'contain'),
  applyPatch: shallowMerge,
  Editor: lazyTileComponent(() => import('../media/MediaTileEditor').then((m) => ({ default: m.ScreenTileEditor }))),
  Viewer: lazyTileComponent(() => import('../media/MediaTileView').then((m) => ({ default: m.ScreenTileView }))),
});
