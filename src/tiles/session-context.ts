import { createContext, useContext } from 'react';

/**
 * The session a canvas belongs to, for tile views that load what their state refers to
 * (a slides tile's deck) through the session's public API. The studio and the viewer page
 * provide it; without it (a test, a preview) such views show that they cannot load.
 */
export const TileSessionContext = createContext<{ sessionId: string } | undefined>(undefined);

export function useTileSession(): { sessionId: string } | undefined {
  return useContext(TileSessionContext);
}
