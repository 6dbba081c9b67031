import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import type { MediaOutputs } from '../config/schema';
import type { Patch } from '../protocol/realtime';
import type { MediaRoom } from './signal-channel';

/**
 * What a page gives its media: the room, its role and the deployment's media config. Tiny on
 * purpose: it is in the viewer route's first JavaScript, while every media module loads only
 * when a media tile (or the host's microphone) appears. The lazy side keeps the page's media
 * hub in `slot`, and this provider closes it when the room goes.
 */
export interface MediaRuntime {
  room: MediaRoom & { publish?: (patches: Patch[]) => void };
  role: 'host' | 'viewer';
  config: MediaOutputs;
  /** The host's name, for the placeholder when the camera is off. */
  hostName?: string;
  slot: { hub?: { close(): void }; host?: { close(): void } };
  /** The HTTP API, for IVS participant tokens (the host's calls carry its access token). */
  api?: MediaApi;
}

export interface MediaApi {
  httpApiUrl: string;
  getAccessToken?: () => Promise<string | undefined>;
}

const MediaRuntimeContext = createContext<MediaRuntime | null>(null);

export function MediaRuntimeProvider({
  room,
  role,
  config,
  hostName,
  api,
  children,
}: {
  room: MediaRuntime['room'] | undefined;
  role: 'host' | 'viewer';
  config: MediaOutputs | undefined;
  hostName?: string;
  api?: MediaApi;
  children: ReactNode;
}) {
  const runtime = useMemo<MediaRuntime | null>(
    () => (room && config ? { room, role, config, slot: {}, ...(api ? { api } : {}) } : null),
    [room, role, config, api],
  );
  if (runtime) runtime.hostName = hostName;
  useEffect(
    () => () => {
      runtime?.slot.host?.close();
      runtime?.slot.hub?.close();
    },
    [runtime],
  );
  return <MediaRuntimeContext.Provider value={runtime}>{children}</MediaRuntimeContext.Provider>;
}

export function useMediaRuntime(): MediaRuntime | null {
  return useContext(MediaRuntimeContext);
}
