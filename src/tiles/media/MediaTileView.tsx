import { useEffect, useRef, useState } from 'react';
import { useMediaRuntime } from '../../media/media-context';
import { hubFor, useSubscription } from '../../media/use-media';
import { Spinner } from '../../ui/Spinner';
import type { TileViewProps } from '../tile-kind';
import { CameraIcon, ScreenIcon } from '../../ui/icons';
import { initialsOf, type MediaTileState } from './media-state';
import './media.css';
import { FIRST_MEDIA_FRAME_MARK } from './first-media-frame-mark';

export function CameraTileView(props: TileViewProps<MediaTileState>) {
  return <MediaTileView kind="camera" {...props} />;
}

export function ScreenTileView(props: TileViewProps<MediaTileState>) {
  return <MediaTileView kind="screen" {...props} />;
}

/**
 * A camera or screen tile on any canvas. The video fills the tile (cover or contain); while
 * there is nothing to show, a tidy placeholder says why instead of a frozen or black frame.
 */
function MediaTileView({ kind, state }: TileViewProps<MediaTileState> & { kind: 'camera' | 'screen' }) {
  const runtime = useMediaRuntime();
  const hub = runtime ? hubFor(runtime) : undefined;
  const ref = state.publication;
  const { subscription, state: status, track, error } = useSubscription(hub, ref);
  const isOwn = Boolean(ref && hub?.localPublication(ref.publicationId));
  const video = useRef<HTMLVideoElement>(null);
  const [showing, setShowing] = useState(false);
  const waiting = useTrackWaiting(track);

  useEffect(() => {
    const element = video.current;
    setShowing(false);
    if (!element) return;
    element.srcObject = track ? new MediaStream([track]) : null;
    if (!track) return;
    void element.play().catch(() => undefined);
    let cancelled = false;
    const onFirstFrame = () => {
      if (cancelled) return;
      setShowing(true);
      const at = performance.now();
      subscription?.noteFirstFrame(at);
      if (subscription && !isOwn) {
        performance.mark(FIRST_MEDIA_FRAME_MARK, { detail: { publicationId: ref?.publicationId, sinceSubscribeMs: at - subscription.startedAt } });
      }
    };
    const withFrames = element as HTMLVideoElement & { requestVideoFrameCallback?: (callback: () => void) => number };
    if (withFrames.requestVideoFrameCallback) withFrames.requestVideoFrameCallback(onFirstFrame);
    else element.addEventListener('loadeddata', onFirstFrame, { once: true });
    return () => {
      cancelled = true;
    };
  }, [track, subscription, isOwn, ref?.publicationId]);

  const placeholder = placeholderFor(kind, ref === null ? 'off' : status, error, state.name);
  const busy = ref !== null && (status === 'connecting' || (status === 'live' && (!showing || waiting)));
  const mirrored = kind === 'camera' && isOwn && state.mirror;

  return (
    <div className="media-tile" data-media-state={ref === null ? 'off' : status} data-publication-id={ref?.publicationId}>
      <video
        ref={video}
        className={`media-tile__video media-tile__video--${state.fit}${mirrored ? ' media-tile__video--mirrored' : ''}`}
        muted
        playsInline
        autoPlay
        hidden={!track}
        aria-label={kind === 'camera' ? 'The host’s camera' : 'The host’s shared screen'}
      />
      {placeholder && !busy ? placeholder : null}
      {busy ? (
        <div className="media-tile__overlay" role="status">
          <Spinner />
          <span>{status === 'connecting' ? 'Connecting…' : 'Waiting for video…'}</span>
        </div>
      ) : null}
    </div>
  );
}

function placeholderFor(kind: 'camera' | 'screen', status: string, error: string | undefined, name: string) {
  if (status === 'live' || status === 'connecting' || status === 'none') return null;
  const initials = initialsOf(name);
  const title =
    status === 'failed'
      ? kind === 'camera'
        ? 'The camera can’t be shown right now'
        : 'The screen can’t be shown right now'
      : kind === 'camera'
        ? 'Camera is off'
        : 'Not sharing a screen';
  return (
    <div className="media-tile__placeholder" data-testid="media-placeholder">
      {kind === 'camera' && initials ? (
        <span className="media-tile__initials" aria-hidden="true">
          {initials}
        </span>
      ) : kind === 'camera' ? (
        <CameraIcon className="media-tile__icon" />
      ) : (
        <ScreenIcon className="media-tile__icon" />
      )}
      <p className="media-tile__title">{title}</p>
      {status === 'failed' && error ? <p className="media-tile__text">{error} Retrying…</p> : null}
    </div>
  );
}

/** A remote track that stops delivering frames (the network stalls) is "muted" until frames return. */
function useTrackWaiting(track: MediaStreamTrack | undefined): boolean {
  const [muted, setMuted] = useState(false);
  useEffect(() => {
    if (!track) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A short stall is normal; only a lasting one shows the overlay.
    const onMute = () => (timer = setTimeout(() => setMuted(true), 1500));
    const onUnmute = () => {
      clearTimeout(timer);
      setMuted(false);
    };
    track.addEventListener('mute', onMute);
    track.addEventListener('unmute', onUnmute);
    return () => {
      clearTimeout(timer);
      track.removeEventListener('mute', onMute);
      track.removeEventListener('unmute', onUnmute);
    };
  }, [track]);
  return muted;
}
