import { mediaRefSchema, type MediaRef } from '../protocol/media';
import type { CanvasSnapshot } from '../protocol/realtime';

/** The audio a viewer plays: the host's microphone, and every screen tile's shared tab audio. */
export function sessionAudioRefs(snapshot: CanvasSnapshot): MediaRef[] {
  const refs: MediaRef[] = [];
  const mic = mediaRefSchema.safeParse(snapshot.canvas.mic);
  if (mic.success) refs.push(mic.data);
  for (const tile of Object.values(snapshot.tiles)) {
    if (tile.kind !== 'screen') continue;
    const audio = mediaRefSchema.safeParse(tile.state.audio);
    if (audio.success) refs.push(audio.data);
  }
  return refs;
}
