/** The User Timing mark the viewer page sets when its first tile is painted; the bench reads it. */
export const FIRST_TILE_MARK = 'streamcanvas:first-tile';
