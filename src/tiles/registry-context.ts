import { createContext, useContext } from 'react';
import { tileRegistry, type TileRegistry } from './registry';

/** The app uses the one registry; tests provide their own kinds. */
export const TileRegistryContext = createContext<TileRegistry>(tileRegistry);

export function useTileRegistry(): TileRegistry {
  return useContext(TileRegistryContext);
}
