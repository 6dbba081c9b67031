import { useEffect, useState, useSyncExternalStore } from 'react';
import type { MediaRef } from '../protocol/media';
import { HostMedia } from './host-media';
import { MediaHub } from './media-hub';
import { httpIvsTokenSource } from './ivs/token-source';
import type { MediaRuntime } from './media-context';
import type { Subscription, SubscriptionState } from './types';

/** The page's media hub, made on first use and closed by MediaRuntimeProvider. */
export function hubFor(runtime: MediaRuntime): MediaHub {
  let hub = runtime.slot.hub as MediaHub | undefined;
  if (!hub) runtime.slot.hub = hub = new MediaHub(runtime.room, runtime.config, runtime.role, undefined, ivsTokensFor(runtime));
  return hub;
}

/** IVS tokens for this session, where the deployment offers IVS and the page knows its API. */
function ivsTokensFor(runtime: MediaRuntime) {
  const sessionId = runtime.room.sessionId;
  if (!runtime.config.providers.includes('ivs') || !runtime.api || !sessionId) return undefined;
  return httpIvsTokenSource({ httpApiUrl: runtime.api.httpApiUrl, sessionId, ...(runtime.api.getAccessToken ? { getAccessToken: runtime.api.getAccessToken } : {}) });
}

/** The host's devices (studio only), made on first use. */
export function hostMediaFor(runtime: MediaRuntime): HostMedia {
  let host = runtime.slot.host as HostMedia | undefined;
  if (!host) runtime.slot.host = host = new HostMedia(hubFor(runtime), runtime.room, () => runtime.hostName);
  return host;
}

export function useHostMedia(runtime: MediaRuntime) {
  const host = hostMediaFor(runtime);
  return { host, view: useSyncExternalStore(host.subscribe, host.getView) };
}

export interface SubscriptionView {
  subscription: Subscription | undefined;
  state: SubscriptionState | 'none';
  track: MediaStreamTrack | undefined;
  error: string | undefined;
}

/**
 * Subscribes to a reference while mounted. A changed reference (camera turned off and on,
 * a new share) subscribes afresh; the host's own publications come from the local track.
 */
export function useSubscription(hub: MediaHub | undefined, ref: MediaRef | null | undefined): SubscriptionView {
  const key = ref ? `${ref.provider}:${ref.publicationId}` : '';
  const [view, setView] = useState<SubscriptionView>({ subscription: undefined, state: 'none', track: undefined, error: undefined });
  const [localVersion, setLocalVersion] = useState(0);
  useEffect(() => hub?.onLocalChange(() => setLocalVersion((n) => n + 1)), [hub]);
  useEffect(() => {
    if (!hub || !ref) {
      setView({ subscription: undefined, state: 'none', track: undefined, error: undefined });
      return;
    }
    const subscription = hub.subscribe(ref);
    const update = () => setView({ subscription, state: subscription.state, track: subscription.track, error: subscription.error });
    update();
    const stop = subscription.onChange(update);
    return () => {
      stop();
      subscription.close();
    };
    // `key` names the reference; a local track swap (another camera) bumps localVersion.
  }, [hub, key, localVersion]);
  return view;
}
