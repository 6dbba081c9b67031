import { useEffect, useId, useRef, useState } from 'react';
import { LevelMeter } from '../tiles/media/MediaTileEditor';
import { MicIcon, MicOffIcon } from '../ui/icons';
import type { MediaProviderKind } from '../protocol/media';
import { useMediaRuntime } from './media-context';
import { hubFor, useHostMedia } from './use-media';
import './mic-control.css';
import '../tiles/media/media.css';

const PROVIDER_LABELS: Record<MediaProviderKind, string> = {
  mesh: 'Peer-to-peer (a few viewers)',
  sfu: 'Media server (many viewers)',
  ivs: 'Amazon IVS',
};

/**
 * The host's microphone in the studio's top bar: one audio track for the whole session.
 * On/off, mute, a level meter, the device, and how media reaches viewers.
 */
export default function MicControl() {
  const runtime = useMediaRuntime();
  if (!runtime || runtime.role !== 'host') return null;
  return <Mic runtime={runtime} />;
}

function Mic({ runtime }: { runtime: NonNullable<ReturnType<typeof useMediaRuntime>> }) {
  const { host, view } = useHostMedia(runtime);
  const { mic } = view;
  const deviceId = useId();
  const providerId = useId();
  const live = mic.status === 'live';
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const panelId = useId();
  // A problem (permission denied, no microphone, unplugged) opens the menu that explains it.
  useEffect(() => {
    if (mic.problem) setOpen(true);
  }, [mic.problem]);
  useEffect(() => {
    if (!open) return;
    // Closes on a click elsewhere or Escape, like any menu.
    const onPointer = (event: PointerEvent) => !root.current?.contains(event.target as Node) && setOpen(false);
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && setOpen(false);
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className="mic-control" data-testid="mic-control" ref={root}>
      {live ? (
        <button
          type="button"
          className={`btn btn--sm ${mic.muted ? 'btn--danger-outline' : 'btn--secondary'}`}
          aria-pressed={mic.muted}
          onClick={() => host.setMicMuted(!mic.muted)}
        >
          {mic.muted ? <MicOffIcon className="btn__icon" /> : <MicIcon className="btn__icon" />}
          {mic.muted ? 'Unmute' : 'Mute'}
        </button>
      ) : (
        <button type="button" className="btn btn--sm btn--secondary" disabled={mic.status === 'starting'} onClick={() => void host.startMic(mic.deviceId)}>
          <MicOffIcon className="btn__icon" />
          {mic.status === 'starting' ? 'Starting…' : 'Turn on mic'}
        </button>
      )}
      <UploadRate runtime={runtime} />
      {live && mic.track ? (
        <div className="mic-control__meter">
          <LevelMeter track={mic.track} label="Microphone level" />
        </div>
      ) : null}
      <button
        type="button"
        className={`btn btn--ghost btn--sm${mic.problem ? ' mic-control__alert' : ''}`}
        aria-label="Microphone settings"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        {mic.problem ? '!' : '▾'}
      </button>
      {open ? (
        <div className="mic-control__panel stack" id={panelId} role="group" aria-label="Microphone settings">
          {mic.problem ? (
            <div className="media-problem" role="alert">
              <p className="media-problem__title">{mic.problem.title}</p>
              <p>{mic.problem.message}</p>
              <p>{mic.problem.resolution}</p>
            </div>
          ) : null}
          <div className="field">
            <label className="field__label" htmlFor={deviceId}>
              Microphone
            </label>
            <select
              id={deviceId}
              className="input"
              value={mic.deviceId ?? ''}
              onChange={(event) => void (live ? host.switchMic(event.target.value) : host.startMic(event.target.value))}
            >
              {mic.deviceId ? null : <option value="">Default microphone</option>}
              {view.microphones.map((device, index) => (
                <option key={device.deviceId || index} value={device.deviceId}>
                  {device.label || `Microphone ${index + 1}`}
                </option>
              ))}
            </select>
          </div>
          {runtime.config.providers.length > 1 ? (
            <div className="field">
              <label className="field__label" htmlFor={providerId}>
                Media delivery
              </label>
              <select id={providerId} className="input" value={view.provider} onChange={(event) => void host.setProvider(event.target.value as MediaProviderKind)}>
                {runtime.config.providers.map((kind) => (
                  <option key={kind} value={kind}>
                    {PROVIDER_LABELS[kind]}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {live ? (
            <button type="button" className="btn btn--sm btn--ghost" onClick={() => host.stopMic()}>
              Turn mic off
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** What this page sends to viewers right now: with mesh it grows with every viewer, with the SFU it stays flat. */
function UploadRate({ runtime }: { runtime: NonNullable<ReturnType<typeof useMediaRuntime>> }) {
  const [kbps, setKbps] = useState(0);
  useEffect(() => {
    const hub = hubFor(runtime);
    const timer = setInterval(() => void hub.uploadKbps().then(setKbps, () => undefined), 2000);
    return () => clearInterval(timer);
  }, [runtime]);
  if (kbps === 0) return null;
  return (
    <span className="studio-stat" data-testid="upload-rate" data-kbps={kbps} title="What you upload for media now">
      ↑ {kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${kbps} kbit/s`}
    </span>
  );
}
