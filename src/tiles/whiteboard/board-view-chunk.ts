import { lazyTileComponent } from '../tile-kind';

/** Excalidraw's chunk, the board itself; the tile's view opens the board session before it arrives. */
export const BoardView = lazyTileComponent(() => import('./BoardView'));
