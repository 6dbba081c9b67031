import type { MediaProviderKind, MediaSource } from '../protocol/media';
import type { Json, Patch } from '../protocol/realtime';
import { describeMediaProblem, isCancelled, listDevices, openCamera, openMicrophone, openScreen, unpluggedProblem, type MediaProblem } from './devices';
import type { MediaHub } from './media-hub';
import type { MediaRoom } from './signal-channel';
import type { LocalPublication } from './types';

/**
 * The host's devices and what they publish: a camera or a screen per tile, and one
 * microphone for the session. It writes references into the canvas (tile state, or the
 * canvas's `mic`), never media; it reacts to the browser's "Stop sharing", to unplugged
 * devices and to removed tiles. One per studio page.
 */
export type DeviceStatus = 'off' | 'starting' | 'live' | 'error';

export interface TileMedia {
  status: DeviceStatus;
  problem?: MediaProblem;
  deviceId?: string;
  /** The camera or screen track, for the editor's preview. */
  track?: MediaStreamTrack;
  /** Screen: the tab audio is shared too. */
  audio?: boolean;
}

export interface MicMedia {
  status: DeviceStatus;
  muted: boolean;
  problem?: MediaProblem;
  deviceId?: string;
  track?: MediaStreamTrack;
}

export interface HostMediaView {
  tiles: Readonly<Record<string, TileMedia>>;
  mic: MicMedia;
  provider: MediaProviderKind;
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

interface Published {
  publication: LocalPublication;
  /** The state key holding its reference: a tile's `publication` or `audio`, or the canvas's `mic`. */
  key: 'publication' | 'audio' | 'mic';
}

export class HostMedia {
  private view: HostMediaView;
  private readonly listeners = new Set<() => void>();
  private readonly published = new Map<string, Published[]>();
  private readonly stopRoomWatch: () => void;
  private readonly stopDeviceWatch: () => void;
  private closed = false;

  constructor(
    private readonly hub: MediaHub,
    private readonly room: MediaRoom & { publish?: (patches: Patch[]) => void },
    private readonly hostName: () => string | undefined,
  ) {
    this.view = { tiles: {}, mic: { status: 'off', muted: false }, provider: hub.config.defaultProvider, cameras: [], microphones: [] };
    // A removed tile's camera or screen stops with it.
    this.stopRoomWatch = room.subscribe((event) => {
      if (event.type !== 'snapshot') return;
      for (const tileId of this.published.keys()) if (tileId !== MIC && !event.snapshot.tiles[tileId]) this.release(tileId);
    });
    const refresh = () => void this.refreshDevices();
    navigator.mediaDevices?.addEventListener?.('devicechange', refresh);
    this.stopDeviceWatch = () => navigator.mediaDevices?.removeEventListener?.('devicechange', refresh);
    refresh();
  }

  getView = (): HostMediaView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  // ------------------------------------------------------------------ camera and screen tiles

  async startCamera(tileId: string, deviceId?: string): Promise<void> {
    this.setTile(tileId, { status: 'starting', deviceId });
    let track: MediaStreamTrack;
    try {
      track = await openCamera(deviceId);
    } catch (error) {
      return this.setTile(tileId, { status: 'error', problem: describeMediaProblem(error, 'camera'), deviceId });
    }
    track.addEventListener('ended', () => this.onEnded(tileId, track, unpluggedProblem('camera')));
    await this.publishTile(tileId, [{ track, source: 'camera', key: 'publication' }], { deviceId: track.getSettings().deviceId ?? deviceId });
    void this.refreshDevices();
  }

  /** Another camera for a live tile: same publication, so viewers keep their connection. */
  async switchCamera(tileId: string, deviceId: string): Promise<void> {
    const current = this.published.get(tileId)?.find((p) => p.key === 'publication');
    if (!current) return this.startCamera(tileId, deviceId);
    let track: MediaStreamTrack;
    try {
      track = await openCamera(deviceId);
    } catch (error) {
      return this.setTile(tileId, { ...this.view.tiles[tileId], problem: describeMediaProblem(error, 'camera') } as TileMedia);
    }
    const old = current.publication.track;
    track.addEventListener('ended', () => this.onEnded(tileId, track, unpluggedProblem('camera')));
    await current.publication.replaceTrack(track);
    old.stop();
    this.hub.addLocal(current.publication);
    this.setTile(tileId, { status: 'live', deviceId, track });
  }

  async startScreen(tileId: string, withAudio: boolean): Promise<void> {
    this.setTile(tileId, { status: 'starting', audio: withAudio });
    let tracks: { video: MediaStreamTrack; audio?: MediaStreamTrack };
    try {
      tracks = await openScreen(withAudio);
    } catch (error) {
      if (isCancelled(error)) return this.setTile(tileId, { status: 'off' });
      return this.setTile(tileId, { status: 'error', problem: describeMediaProblem(error, 'screen') });
    }
    // The browser's own "Stop sharing" bar ends the track: viewers get the placeholder.
    tracks.video.addEventListener('ended', () => this.onEnded(tileId, tracks.video));
    const items: Array<{ track: MediaStreamTrack; source: MediaSource; key: Published['key'] }> = [{ track: tracks.video, source: 'screen', key: 'publication' }];
    if (tracks.audio) items.push({ track: tracks.audio, source: 'screen-audio', key: 'audio' });
    await this.publishTile(tileId, items, { audio: Boolean(tracks.audio) });
  }

  /** Camera off, or stop sharing: viewers see the placeholder at once. */
  stopTile(tileId: string): void {
    if (!this.release(tileId)) return;
    this.patchTile(tileId, { publication: null, audio: null });
  }

  // ------------------------------------------------------------------ the microphone

  async startMic(deviceId?: string): Promise<void> {
    this.setMic({ status: 'starting', muted: false, deviceId });
    let track: MediaStreamTrack;
    try {
      track = await openMicrophone(deviceId);
    } catch (error) {
      return this.setMic({ status: 'error', muted: false, problem: describeMediaProblem(error, 'microphone'), deviceId });
    }
    track.addEventListener('ended', () => this.onEnded(MIC, track, unpluggedProblem('microphone')));
    const provider = this.provider();
    if (!provider) return this.setMic({ status: 'error', muted: false, problem: noProvider(this.view.provider) });
    this.release(MIC);
    try {
      const publication = await provider.publish(track, { source: 'mic' });
      this.remember(MIC, [{ publication, key: 'mic' }]);
      this.room.publish?.([{ type: 'canvas.set', set: { mic: publication.ref, micMuted: false } }]);
      this.setMic({ status: 'live', muted: false, deviceId: track.getSettings().deviceId ?? deviceId, track });
      void this.refreshDevices();
    } catch (error) {
      track.stop();
      this.setMic({ status: 'error', muted: false, problem: describeMediaProblem(error, 'microphone') });
    }
  }

  /** Muting keeps the publication (silence is sent), so unmuting is instant. */
  setMicMuted(muted: boolean): void {
    const mic = this.published.get(MIC)?.[0];
    if (!mic) return;
    mic.publication.track.enabled = !muted;
    this.room.publish?.([{ type: 'canvas.set', set: { micMuted: muted } }]);
    this.setMic({ ...this.view.mic, muted });
  }

  async switchMic(deviceId: string): Promise<void> {
    const mic = this.published.get(MIC)?.[0];
    if (!mic) return this.startMic(deviceId);
    let track: MediaStreamTrack;
    try {
      track = await openMicrophone(deviceId);
    } catch (error) {
      return this.setMic({ ...this.view.mic, problem: describeMediaProblem(error, 'microphone') });
    }
    track.enabled = !this.view.mic.muted;
    track.addEventListener('ended', () => this.onEnded(MIC, track, unpluggedProblem('microphone')));
    const old = mic.publication.track;
    await mic.publication.replaceTrack(track);
    old.stop();
    this.setMic({ ...this.view.mic, deviceId, track, problem: undefined });
  }

  stopMic(): void {
    if (!this.release(MIC)) return;
    this.room.publish?.([{ type: 'canvas.set', set: { mic: null, micMuted: false } }]);
    this.setMic({ status: 'off', muted: false });
  }

  // ------------------------------------------------------------------ delivery

  /**
   * Moves every publication of this page to another provider (e.g. from mesh to the SFU as the
   * audience grows): each track is published there, the references are swapped in one patch
   * per tile, and the old publications stop.
   */
  async setProvider(kind: MediaProviderKind): Promise<void> {
    if (kind === this.view.provider || !this.hub.config.providers.includes(kind)) return;
    this.emit({ ...this.view, provider: kind });
    const provider = this.provider();
    if (!provider) return;
    for (const [owner, items] of [...this.published]) {
      const moved: Published[] = [];
      for (const item of items) {
        const publication = await provider.publish(item.publication.track, { source: item.publication.ref.source });
        moved.push({ publication, key: item.key });
      }
      const old = this.published.get(owner) ?? [];
      this.remember(owner, moved);
      const set = Object.fromEntries(moved.map((item) => [item.key, item.publication.ref as unknown as Json]));
      if (owner === MIC) this.room.publish?.([{ type: 'canvas.set', set: { mic: moved[0]!.publication.ref } }]);
      else this.patchTile(owner, set);
      for (const item of old) {
        // The track lives on in the new publication: stop only the old sending.
        this.hub.removeLocal(item.publication.ref.publicationId);
        item.publication.stop();
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopRoomWatch();
    this.stopDeviceWatch();
    for (const owner of [...this.published.keys()]) this.release(owner);
    this.listeners.clear();
  }

  // ------------------------------------------------------------------ internals

  private async publishTile(
    tileId: string,
    items: Array<{ track: MediaStreamTrack; source: MediaSource; key: Published['key'] }>,
    extra: Partial<TileMedia>,
  ) {
    const provider = this.provider();
    if (!provider) {
      for (const item of items) item.track.stop();
      return this.setTile(tileId, { status: 'error', problem: noProvider(this.view.provider) });
    }
    try {
      const published: Published[] = [];
      for (const item of items) published.push({ publication: await provider.publish(item.track, { source: item.source }), key: item.key });
      this.release(tileId);
      this.remember(tileId, published);
      const refs: Record<string, Json> = { publication: null, audio: null };
      for (const item of published) refs[item.key] = item.publication.ref as unknown as Json;
      this.patchTile(tileId, { ...refs, name: this.hostName() ?? '' });
      this.setTile(tileId, { status: 'live', track: items[0]!.track, ...extra });
    } catch (error) {
      for (const item of items) item.track.stop();
      this.setTile(tileId, { status: 'error', problem: describeMediaProblem(error, items[0]!.source === 'screen' ? 'screen' : 'camera') });
    }
  }

  private remember(owner: string, published: Published[]) {
    this.published.set(owner, published);
    for (const item of published) this.hub.addLocal(item.publication);
  }

  /** Stops what an owner publishes and its devices; false if it published nothing. */
  private release(owner: string): boolean {
    const items = this.published.get(owner);
    if (!items) return false;
    this.published.delete(owner);
    for (const { publication } of items) {
      this.hub.removeLocal(publication.ref.publicationId);
      publication.stop();
      publication.track.stop();
    }
    if (owner !== MIC) this.setTile(owner, { status: 'off' });
    return true;
  }

  /** A device ended by itself: unplugged, or the browser's "Stop sharing". */
  private onEnded(owner: string, track: MediaStreamTrack, problem?: MediaProblem) {
    const items = this.published.get(owner);
    if (!items?.some((item) => item.publication.track === track)) return;
    if (owner === MIC) {
      this.stopMic();
      if (problem) this.setMic({ status: 'error', muted: false, problem });
      return;
    }
    this.stopTile(owner);
    if (problem) this.setTile(owner, { status: 'error', problem });
  }

  private provider() {
    return this.hub.provider(this.view.provider);
  }

  private patchTile(tileId: string, set: Record<string, Json>) {
    this.room.publish?.([{ type: 'tile.state', tileId, set }]);
  }

  private setTile(tileId: string, media: TileMedia) {
    this.emit({ ...this.view, tiles: { ...this.view.tiles, [tileId]: media } });
  }

  private setMic(mic: MicMedia) {
    this.emit({ ...this.view, mic });
  }

  private async refreshDevices() {
    const { cameras, microphones } = await listDevices().catch(() => ({ cameras: [], microphones: [] }));
    if (!this.closed) this.emit({ ...this.view, cameras, microphones });
  }

  private emit(view: HostMediaView) {
    if (this.closed) return;
    this.view = view;
    for (const listener of this.listeners) listener();
  }
}

/** The microphone's owner key among the tiles. */
const MIC = '#mic';

function noProvider(kind: MediaProviderKind): MediaProblem {
  return {
    title: 'Media is not available',
    message: `This deployment does not offer "${kind}" media delivery.`,
    resolution: 'Choose another delivery in the microphone menu, or ask the operator to enable it.',
  };
}
