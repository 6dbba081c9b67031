import { useEffect, useId, useRef, useState } from 'react';
import { watchLevel, type MediaProblem } from '../../media/devices';
import { useMediaRuntime, type MediaRuntime } from '../../media/media-context';
import { useHostMedia } from '../../media/use-media';
import { Button } from '../../ui/Button';
import { SegmentedControl } from '../../ui/SegmentedControl';
import type { TileEditorProps } from '../tile-kind';
import { CameraIcon, ScreenIcon } from '../../ui/icons';
import type { MediaTileState } from './media-state';
import './media.css';

const FITS = [
  { value: 'cover', label: 'Fill the tile' },
  { value: 'contain', label: 'Show all' },
] as const;

export function CameraTileEditor(props: TileEditorProps<MediaTileState>) {
  const runtime = useMediaRuntime();
  if (!runtime) return <p className="muted">Media is not available on this page.</p>;
  return <CameraEditor runtime={runtime} {...props} />;
}

export function ScreenTileEditor(props: TileEditorProps<MediaTileState>) {
  const runtime = useMediaRuntime();
  if (!runtime) return <p className="muted">Media is not available on this page.</p>;
  return <ScreenEditor runtime={runtime} {...props} />;
}

/** The camera tile's controls: camera and microphone pickers with a live preview and a level meter. */
function CameraEditor({ runtime, tileId, state, update }: TileEditorProps<MediaTileState> & { runtime: MediaRuntime }) {
  const { host, view } = useHostMedia(runtime);
  const media = view.tiles[tileId] ?? { status: 'off' };
  const cameraId = useId();
  const micId = useId();
  const mirrorId = useId();
  const live = media.status === 'live';

  return (
    <div className="stack">
      {media.problem ? <Problem problem={media.problem} /> : null}
      {live && media.track ? <Preview track={media.track} mirrored={state.mirror} /> : null}
      <div className="field">
        <label className="field__label" htmlFor={cameraId}>
          Camera
        </label>
        <select
          id={cameraId}
          className="input"
          value={media.deviceId ?? ''}
          onChange={(event) => void (live ? host.switchCamera(tileId, event.target.value) : host.startCamera(tileId, event.target.value))}
        >
          {media.deviceId ? null : <option value="">Default camera</option>}
          {view.cameras.map((device, index) => (
            <option key={device.deviceId || index} value={device.deviceId}>
              {device.label || `Camera ${index + 1}`}
            </option>
          ))}
        </select>
      </div>
      {live ? (
        <Button variant="secondary" onClick={() => host.stopTile(tileId)}>
          Turn camera off
        </Button>
      ) : (
        <Button variant="primary" icon={<CameraIcon className="btn__icon" />} disabled={media.status === 'starting'} onClick={() => void host.startCamera(tileId, media.deviceId)}>
          {media.status === 'starting' ? 'Starting the camera…' : 'Start camera'}
        </Button>
      )}
      <div className="field">
        <label className="field__label" htmlFor={micId}>
          Microphone <span className="muted">(the session’s voice, also in the top bar)</span>
        </label>
        <select
          id={micId}
          className="input"
          value={view.mic.deviceId ?? ''}
          onChange={(event) => void (view.mic.status === 'live' ? host.switchMic(event.target.value) : host.startMic(event.target.value))}
        >
          {view.mic.deviceId ? null : <option value="">{view.mic.status === 'live' ? 'Default microphone' : 'Microphone off — choose one to start'}</option>}
          {view.microphones.map((device, index) => (
            <option key={device.deviceId || index} value={device.deviceId}>
              {device.label || `Microphone ${index + 1}`}
            </option>
          ))}
        </select>
        {view.mic.track ? <LevelMeter track={view.mic.track} label="Microphone level" /> : null}
      </div>
      <SegmentedControl label="Video" value={state.fit} options={FITS} onChange={(fit) => update({ fit })} />
      <label className="switch" htmlFor={mirrorId}>
        <input id={mirrorId} type="checkbox" role="switch" checked={state.mirror} onChange={(event) => update({ mirror: event.target.checked })} />
        Mirror my preview <span className="muted">(viewers see you unmirrored)</span>
      </label>
      <Delivery runtime={runtime} />
    </div>
  );
}

/** The screen tile's controls: share (with tab audio), stop, fit. */
function ScreenEditor({ runtime, tileId, state, update }: TileEditorProps<MediaTileState> & { runtime: MediaRuntime }) {
  const { host, view } = useHostMedia(runtime);
  const media = view.tiles[tileId] ?? { status: 'off' };
  const [withAudio, setWithAudio] = useState(true);
  const audioId = useId();
  const live = media.status === 'live';
  return (
    <div className="stack">
      {media.problem ? <Problem problem={media.problem} /> : null}
      {live && media.track ? <Preview track={media.track} mirrored={false} /> : null}
      {live ? (
        <Button variant="secondary" onClick={() => host.stopTile(tileId)}>
          Stop sharing
        </Button>
      ) : (
        <>
          <Button variant="primary" icon={<ScreenIcon className="btn__icon" />} disabled={media.status === 'starting'} onClick={() => void host.startScreen(tileId, withAudio)}>
            {media.status === 'starting' ? 'Choose what to share…' : 'Share a screen, window or tab'}
          </Button>
          <label className="switch" htmlFor={audioId}>
            <input id={audioId} type="checkbox" role="switch" checked={withAudio} onChange={(event) => setWithAudio(event.target.checked)} />
            Include tab audio <span className="muted">(where the browser offers it)</span>
          </label>
        </>
      )}
      {live ? <p className="muted">Sharing{media.audio ? ' with audio' : ''}. The browser’s “Stop sharing” button also ends it for viewers.</p> : null}
      <SegmentedControl label="Video" value={state.fit} options={FITS} onChange={(fit) => update({ fit })} />
      <Delivery runtime={runtime} />
    </div>
  );
}

function Delivery({ runtime }: { runtime: MediaRuntime }) {
  const { view } = useHostMedia(runtime);
  return <p className="muted">Delivery: {view.provider === 'mesh' ? 'peer-to-peer (each viewer gets a copy from you)' : view.provider === 'sfu' ? 'media server (you upload once)' : view.provider.toUpperCase()}. Change it in the microphone menu.</p>;
}

function Problem({ problem }: { problem: MediaProblem }) {
  return (
    <div className="media-problem" role="alert">
      <p className="media-problem__title">{problem.title}</p>
      <p>{problem.message}</p>
      <p>{problem.resolution}</p>
    </div>
  );
}

function Preview({ track, mirrored }: { track: MediaStreamTrack; mirrored: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (video.current) video.current.srcObject = new MediaStream([track]);
  }, [track]);
  return <video ref={video} className={`media-editor__preview${mirrored ? ' media-editor__preview--mirrored' : ''}`} muted playsInline autoPlay aria-label="Preview" />;
}

export function LevelMeter({ track, label }: { track: MediaStreamTrack; label: string }) {
  const bar = useRef<HTMLDivElement>(null);
  useEffect(
    () =>
      watchLevel(track, (level) => {
        if (bar.current) bar.current.style.width = `${Math.round(level * 100)}%`;
      }),
    [track],
  );
  return (
    <div className="level-meter" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100}>
      <div ref={bar} className="level-meter__bar" style={{ width: 0 }} />
    </div>
  );
}
