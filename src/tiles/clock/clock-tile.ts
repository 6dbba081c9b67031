import { defineTileKind, lazyTileComponent, shallowMerge } from '../tile-kind';
import ClockFace from './ClockFace';
import { ClockIcon } from '../../ui/icons';
import { initialClockState, parseClockState, type ClockState } from './clock-state';

/**
 * The clock kind. Its face is small and loads with the viewer page, so a late joiner's first
 * render waits for no extra chunk; the editor loads only in the studio.
 */
export const clockTile = defineTileKind<ClockState>({
  kind: 'clock',
  label: 'Clock',
  description: 'A clock in any time zone, a stopwatch with laps, or a countdown timer.',
  Icon: ClockIcon,
  title: (state) => state.label || { clock: 'Wall clock', stopwatch: 'Stopwatch', timer: 'Timer' }[state.mode],
  defaultSize: { w: 480, h: 280 },
  minSize: { w: 200, h: 120 },
  initialState: () => initialClockState(),
  parseState: parseClockState,
  applyPatch: shallowMerge,
  Editor: lazyTileComponent(() => import('./ClockEditor')),
  Viewer: ClockFace,
});
