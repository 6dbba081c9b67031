import { CODE_TILE_KIND, languageLabels } from '../../protocol/code';
import { defineTileKind, lazyTileComponent, shallowMerge } from '../tile-kind';
import { CodeIcon } from '../../ui/icons';
import { initialCodeState, parseCodeState, type CodeState } from './code-state';

/** The code kind: the editor and CodeMirror load in their own chunks, only when a code tile appears. */
export const codeTile = defineTileKind<CodeState>({
  kind: CODE_TILE_KIND,
  label: 'Code',
  description: 'Write and run Python, JavaScript, TypeScript, Java, C++ or C#; viewers see the code and the output.',
  Icon: CodeIcon,
  title: (state) => languageLabels[state.language],
  defaultSize: { w: 840, h: 600 },
  minSize: { w: 360, h: 240 },
  wideEditor: true,
  initialState: initialCodeState,
  parseState: parseCodeState,
  applyPatch: shallowMerge,
  Editor: lazyTileComponent(() => import('./CodeTileEditor')),
  Viewer: lazyTileComponent(() => import('./CodeTileView')),
});
