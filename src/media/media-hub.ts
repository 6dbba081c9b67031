import type { MediaOutputs } from '../config/schema';
import type { MediaProviderKind, MediaRef } from '../protocol/media';
import { newMediaId } from './ids';
import { MeshProvider } from './mesh-provider';
import { SfuProvider } from './sfu-provider';
import { IvsProvider } from './ivs/ivs-provider';
import { loadIvsSdk } from './ivs/sdk';
import type { IvsTokenSource } from './ivs/token-source';
import { roomSignalChannel, type MediaRoom } from './signal-channel';
import { ProviderSubscription } from './subscription';
import type { LocalPublication, MediaProvider, MediaProviderDeps, Subscription } from './types';

/**
 * One page's media: its providers (made on first use), the host's own publications, and the
 * audio it plays. Views ask it for a subscription by reference and never see a provider.
 * Made once per room (see media-context.tsx) and closed with it.
 */
export type ProviderFactory = (kind: MediaProviderKind, deps: MediaProviderDeps) => MediaProvider | undefined;

/** The providers this build has. IVS loads Amazon's SDK (its own chunk) only when it first joins a stage. */
export const defaultProviderFactory: ProviderFactory = (kind, deps) => {
  if (kind === 'mesh') return new MeshProvider(deps);
  if (kind === 'sfu') return new SfuProvider(deps);
  if (kind === 'ivs' && deps.ivsTokens) return new IvsProvider({ role: deps.signals.role, tokens: deps.ivsTokens, sdk: loadIvsSdk, ...(deps.log ? { log: deps.log } : {}) });
  return undefined;
};

export class MediaHub {
  readonly peerId = newMediaId();
  readonly audio = new AudioPlayback();
  private readonly channel;
  private readonly providers = new Map<MediaProviderKind, MediaProvider>();
  private readonly local = new Map<string, LocalPublication>();
  private readonly localListeners = new Set<() => void>();
  private closed = false;

  constructor(
    room: MediaRoom,
    readonly config: MediaOutputs,
    readonly role: 'host' | 'viewer',
    private readonly factory: ProviderFactory = defaultProviderFactory,
    private readonly ivsTokens?: IvsTokenSource,
  ) {
    this.channel = roomSignalChannel(room, role, this.peerId);
  }

  /** The provider of this kind, if this deployment offers it. */
  provider(kind: MediaProviderKind): MediaProvider | undefined {
    if (this.closed || !this.config.providers.includes(kind)) return undefined;
    let provider = this.providers.get(kind);
    if (!provider) {
      provider = this.factory(kind, { signals: this.channel, iceServers: this.config.iceServers, ...(this.ivsTokens ? { ivsTokens: this.ivsTokens } : {}) });
      if (provider) this.providers.set(kind, provider);
    }
    return provider;
  }

  /** Host: remembers a publication of this page, so its own views show the local track. */
  addLocal(publication: LocalPublication): void {
    this.local.set(publication.ref.publicationId, publication);
    for (const listener of this.localListeners) listener();
  }

  removeLocal(publicationId: string): void {
    if (this.local.delete(publicationId)) for (const listener of this.localListeners) listener();
  }

  localPublication(publicationId: string): LocalPublication | undefined {
    return this.local.get(publicationId);
  }

  onLocalChange(listener: () => void): () => void {
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  /**
   * A subscription to a reference. On the host's page, its own publications are shown from the
   * local track (nothing goes over the network); anything else goes through the provider.
   */
  subscribe(ref: MediaRef): Subscription {
    const own = this.local.get(ref.publicationId);
    if (own) {
      const local = new ProviderSubscription(ref.publicationId, { onClose: () => undefined }, () => performance.now());
      local.set({ state: 'live', track: own.track });
      return local;
    }
    const provider = this.provider(ref.provider);
    if (!provider) {
      const missing = new ProviderSubscription(ref.publicationId, { onClose: () => undefined }, () => performance.now());
      missing.set({ state: 'failed', error: `This deployment does not offer "${ref.provider}" media. Reload the page; if it persists, tell the host.` });
      return missing;
    }
    return provider.subscribe(ref.publicationId);
  }

  /** The host's upload across its providers (for the benchmark and the studio's stats). */
  async uploadKbps(): Promise<number> {
    let total = 0;
    for (const provider of this.providers.values()) total += (await provider.uploadStats()).kbps;
    return total;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const publication of this.local.values()) publication.stop();
    this.local.clear();
    for (const provider of this.providers.values()) provider.close();
    this.providers.clear();
    this.channel.dispose();
    this.audio.close();
  }
}

/**
 * Plays remote audio tracks, one hidden <audio> element each. Browsers refuse to start sound
 * without a user gesture: then `blocked` is true until `unlock()` runs from a click.
 */
export class AudioPlayback {
  blocked = false;
  private readonly elements = new Map<string, HTMLAudioElement>();
  /** Elements whose play() the browser refused (no gesture yet). */
  private readonly refused = new Set<HTMLAudioElement>();
  private readonly listeners = new Set<() => void>();

  play(key: string, track: MediaStreamTrack | undefined): void {
    let element = this.elements.get(key);
    if (!track) {
      if (element) {
        element.srcObject = null;
        element.remove();
        this.elements.delete(key);
        this.updateBlocked();
      }
      return;
    }
    if (!element) {
      element = document.createElement('audio');
      element.autoplay = true;
      element.dataset.mediaAudio = key;
      element.hidden = true;
      document.body.append(element);
      this.elements.set(key, element);
    }
    if ((element.srcObject as MediaStream | null)?.getTracks()[0] !== track) element.srcObject = new MediaStream([track]);
    const target = element;
    void target
      .play()
      .then(
        () => this.refused.delete(target),
        (error: unknown) => {
          if (error instanceof DOMException && error.name === 'NotAllowedError') this.refused.add(target);
        },
      )
      .finally(() => this.updateBlocked());
  }

  /** From a click: start every element (the gesture allows sound from now on). */
  async unlock(): Promise<void> {
    await Promise.all([...this.elements.values()].map((element) => element.play().then(() => this.refused.delete(element), () => undefined)));
    this.updateBlocked();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const key of [...this.elements.keys()]) this.play(key, undefined);
    this.listeners.clear();
  }

  /** Blocked while any element the browser refused to start is still here. */
  private updateBlocked() {
    for (const element of this.refused) if (!element.isConnected) this.refused.delete(element);
    const blocked = this.refused.size > 0;
    if (this.blocked === blocked) return;
    this.blocked = blocked;
    for (const listener of this.listeners) listener();
  }
}
