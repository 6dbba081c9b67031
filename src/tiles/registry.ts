import { CANVAS_HEIGHT, CANVAS_WIDTH, tileKindSchema } from '../protocol/realtime';
import { clockTile } from './clock/clock-tile';
import { codeTile } from './code/code-tile';
import { cameraTile } from './camera/camera-tile';
import { screenTile } from './screen/screen-tile';
import { slidesTile } from './slides/slides-tile';
import { whiteboardTile } from './whiteboard/whiteboard-tile';
import type { TileKind } from './tile-kind';

/**
 * Every tile kind the app can add and show, in palette order. Only finished kinds belong
 * here: the palette lists exactly these. To add a kind, build its folder and add one entry.
 * Keep a kind's definition module light and load heavy views with `lazyTileComponent`.
 */
export const tileRegistry = createTileRegistry([clockTile, codeTile, cameraTile, screenTile, slidesTile, whiteboardTile]);

export interface TileRegistry {
  /** The kinds a host can add, in palette order. */
  readonly kinds: readonly TileKind[];
  find(kind: string): TileKind | undefined;
}

/** Checks the kinds once, at start-up, so a malformed kind fails loudly in development and tests. */
export function createTileRegistry(kinds: readonly TileKind[]): TileRegistry {
  const byKind = new Map<string, TileKind>();
  for (const kind of kinds) {
    if (!tileKindSchema.safeParse(kind.kind).success) throw new Error(`Tile kind id "${kind.kind}" is not a valid kind id.`);
    if (byKind.has(kind.kind)) throw new Error(`Tile kind "${kind.kind}" is registered twice.`);
    const { defaultSize: size, minSize: min } = kind;
    if (min.w > size.w || min.h > size.h) throw new Error(`Tile kind "${kind.kind}": minSize is larger than defaultSize.`);
    if (size.w > CANVAS_WIDTH || size.h > CANVAS_HEIGHT) throw new Error(`Tile kind "${kind.kind}": defaultSize does not fit the canvas.`);
    byKind.set(kind.kind, kind);
  }
  return { kinds: [...kinds], find: (kind) => byKind.get(kind) };
}
