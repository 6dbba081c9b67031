import { createContext, useContext } from 'react';

export interface HostArea {
  /** Signs out and leaves the signed-in area for the home page. */
  signOut(): Promise<void>;
  signingOut: boolean;
}

export const HostAreaContext = createContext<HostArea | null>(null);

export function useHostArea(): HostArea {
  const value = useContext(HostAreaContext);
  if (!value) throw new Error('useHostArea must be used inside the signed-in area (HostShell).');
  return value;
}
