import { useEffect, useSyncExternalStore } from 'react';
import type { MediaRef } from '../protocol/media';
import { SpeakerOffIcon } from '../ui/icons';
import type { MediaHub } from './media-hub';
import { useMediaRuntime } from './media-context';
import { hubFor, useSubscription } from './use-media';
import './session-audio.css';

/**
 * Plays the session's sound for a viewer: the host's microphone and any shared tab audio.
 * Browsers refuse sound until the viewer interacts with the page, so then a clear
 * "Click to unmute" button appears instead of silence.
 */
export default function SessionAudio({ refs, micMuted }: { refs: MediaRef[]; micMuted: boolean }) {
  const runtime = useMediaRuntime();
  if (!runtime) return null;
  const hub = hubFor(runtime);
  return (
    <>
      {refs.map((ref) => (
        <AudioTrack key={`${ref.provider}:${ref.publicationId}`} hub={hub} mediaRef={ref} />
      ))}
      <UnmuteButton hub={hub} />
      {micMuted ? (
        <p className="session-audio__muted" role="status">
          <SpeakerOffIcon className="btn__icon" /> The host’s microphone is muted
        </p>
      ) : null}
    </>
  );
}

function AudioTrack({ hub, mediaRef }: { hub: MediaHub; mediaRef: MediaRef }) {
  const { track } = useSubscription(hub, mediaRef);
  useEffect(() => {
    hub.audio.play(mediaRef.publicationId, track);
    return () => hub.audio.play(mediaRef.publicationId, undefined);
  }, [hub, mediaRef.publicationId, track]);
  return null;
}

function UnmuteButton({ hub }: { hub: MediaHub }) {
  const blocked = useSyncExternalStore(
    (listener) => hub.audio.onChange(listener),
    () => hub.audio.blocked,
  );
  if (!blocked) return null;
  return (
    <button type="button" className="btn btn--primary session-audio__unmute" onClick={() => void hub.audio.unlock()}>
      <SpeakerOffIcon className="btn__icon" />
      Click to unmute
    </button>
  );
}
