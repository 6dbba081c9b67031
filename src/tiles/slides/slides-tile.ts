import { defineTileKind, lazyTileComponent, shallowMerge } from '../tile-kind';
import { SlidesIcon } from '../../ui/icons';
import { SLIDES_TILE_KIND, initialSlidesState, parseSlidesState, type SlidesState } from './slides-state';

/** The slides kind: pdf.js and the view load in their own chunks, only when a slides tile appears. */
export const slidesTile = defineTileKind<SlidesState>({
  kind: SLIDES_TILE_KIND,
  label: 'Slides',
  description: 'Present a PDF or PowerPoint deck; viewers follow your slides, sharp at any size.',
  Icon: SlidesIcon,
  defaultSize: { w: 960, h: 540 },
  minSize: { w: 320, h: 180 },
  initialState: initialSlidesState,
  parseState: parseSlidesState,
  applyPatch: shallowMerge,
  Editor: lazyTileComponent(() => import('./SlidesEditor')),
  Viewer: lazyTileComponent(() => import('./SlidesView')),
});
