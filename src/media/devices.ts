import { MediaError } from './types';
/** Cameras, microphones and screens: asking for them, and saying clearly why it failed. */

export type DeviceKind = 'camera' | 'microphone' | 'screen';

export interface MediaProblem {
  title: string;
  message: string;
  resolution: string;
}

/** Small enough for a tile, and kind to a host's upload with several viewers. */
const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24, max: 30 } };

export async function openCamera(deviceId?: string): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { ...CAMERA_CONSTRAINTS, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) } });
  return stream.getVideoTracks()[0]!;
}

export async function openMicrophone(deviceId?: string): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) },
  });
  return stream.getAudioTracks()[0]!;
}

/** A screen, window or tab; with its audio where the browser offers it (tab audio in Chromium). */
export async function openScreen(withAudio: boolean): Promise<{ video: MediaStreamTrack; audio?: MediaStreamTrack }> {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: withAudio });
  return { video: stream.getVideoTracks()[0]!, audio: stream.getAudioTracks()[0] };
}

export async function listDevices(): Promise<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] }> {
  const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  return { cameras: devices.filter((d) => d.kind === 'videoinput'), microphones: devices.filter((d) => d.kind === 'audioinput') };
}

/** The user closed the screen picker: not an error worth a message. */
export function isCancelled(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** What went wrong when asking for a device, and what the person can do about it. */
export function describeMediaProblem(error: unknown, kind: DeviceKind): MediaProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  const device = kind === 'screen' ? 'screen sharing' : `the ${kind}`;
  if (typeof navigator !== 'undefined' && !navigator.mediaDevices) {
    return {
      title: `${capitalize(device)} is not available here`,
      message: 'This page is not on a secure (https or localhost) address, or the browser has no media support.',
      resolution: 'Open StreamCanvas over https (or on localhost) in a current browser.',
    };
  }
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return kind === 'screen'
        ? {
            title: 'Screen sharing was not allowed',
            message: 'The browser or the system did not allow this page to capture the screen.',
            resolution: 'Try again and pick a screen, window or tab. On macOS, allow screen recording for the browser in System Settings → Privacy & Security.',
          }
        : {
            title: `Access to ${device} was denied`,
            message: `The browser blocked ${device} for this site.`,
            resolution: `Click the ${kind} icon in the address bar (or the site settings), allow the ${kind}, then try again.`,
          };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return {
        title: `No ${kind} found`,
        message: `No ${kind} is connected, or the chosen one is gone.`,
        resolution: `Connect a ${kind} (or choose another one in the list) and try again.`,
      };
    case 'NotReadableError':
    case 'AbortError':
      return {
        title: `The ${kind} is busy`,
        message: `Another application (or another tab) is using ${device}, or the system could not start it.`,
        resolution: `Close the other application using it, then try again.`,
      };
    default:
      return {
        title: `${capitalize(device)} could not start`,
        message: error instanceof Error ? error.message : String(error),
        // A provider's refusal (e.g. the IVS stage quota) says itself what to do.
        resolution: (error instanceof MediaError && error.resolution) || 'Try again; if it keeps failing, reload the page.',
      };
  }
}

/** When a device disappears while in use (unplugged, or revoked by the system). */
export function unpluggedProblem(kind: 'camera' | 'microphone'): MediaProblem {
  return {
    title: `The ${kind} stopped`,
    message: `The ${kind} was disconnected or turned off while in use. Viewers see a placeholder.`,
    resolution: `Reconnect the ${kind} (or choose another one) and start it again.`,
  };
}

function capitalize(text: string) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The loudness of an audio track, 0–1, sampled on animation frames; for level meters. */
export function watchLevel(track: MediaStreamTrack, onLevel: (level: number) => void): () => void {
  const AudioContextImpl = globalThis.AudioContext;
  if (!AudioContextImpl) return () => undefined;
  const context = new AudioContextImpl();
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    // RMS on a rough log-ish scale, so speech fills a good part of the meter.
    onLevel(Math.min(1, Math.sqrt(sum / samples.length) * 4));
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);
  return () => {
    cancelAnimationFrame(frame);
    source.disconnect();
    void context.close();
  };
}
