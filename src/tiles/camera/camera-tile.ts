import { defineTileKind, lazyTileComponent, shallowMerge } from '../tile-kind';
import { initialMediaTileState, parseMediaTileState, type MediaTileState } from '../media/media-state';
import { CameraIcon } from '../../ui/icons';

/** The host's camera. Views and editor are lazy: no media code in the viewer's first JavaScript. */
export const cameraTile = defineTileKind<MediaTileState>({
  kind: 'camera',
  label: 'Camera',
  description: 'Your webcam, live: pick a camera, mirror your own preview, fit or fill the tile.',
  Icon: CameraIcon,
  defaultSize: { w: 640, h: 360 },
  minSize: { w: 200, h: 120 },
  initialState: () => initialMediaTileState('cover'),
  parseState: (state) => parseMediaTileState(state, 'cover'),
  applyPatch: shallowMerge,
  Editor: lazyTileComponent(() => import('../media/MediaTileEditor').then((m) => ({ default: m.CameraTileEditor }))),
  Viewer: lazyTileComponent(() => import('../media/MediaTileView').then((m) => ({ default: m.CameraTileView }))),
});
