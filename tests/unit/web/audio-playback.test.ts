// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AudioPlayback } from '../../../src/media/media-hub';

/** The viewer's sound: refused autoplay shows "Click to unmute", and the click lifts it. */
describe('AudioPlayback', () => {
  afterEach(() => vi.restoreAllMocks());
  const track = () => ({ kind: 'audio', id: String(Math.random()) }) as unknown as MediaStreamTrack;
  vi.stubGlobal('MediaStream', class { constructor(readonly tracks: MediaStreamTrack[]) {} getTracks() { return this.tracks; } });
  // happy-dom checks srcObject's type against its own MediaStream; a plain slot is enough here.
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    get(this: { stream?: unknown }) {
      return this.stream ?? null;
    },
    set(this: { stream?: unknown }, value: unknown) {
      this.stream = value;
    },
  });

  it('is blocked while the browser refuses to start sound, and unblocked by the click', async () => {
    let allowed = false;
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(() =>
      allowed ? Promise.resolve() : Promise.reject(new DOMException('play() failed because the user did not interact', 'NotAllowedError')),
    );
    const audio = new AudioPlayback();
    const changes: boolean[] = [];
    audio.onChange(() => changes.push(audio.blocked));
    audio.play('mic', track());
    audio.play('tab', track());
    await vi.waitFor(() => expect(audio.blocked).toBe(true));
    expect(document.querySelectorAll('audio[data-media-audio]')).toHaveLength(2);

    allowed = true;
    await audio.unlock();
    expect(audio.blocked).toBe(false);
    expect(changes).toEqual([true, false]);
    audio.close();
    expect(document.querySelectorAll('audio[data-media-audio]')).toHaveLength(0);
  });

  it('stays blocked while any refused element remains, even if another one starts', async () => {
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(function (this: HTMLMediaElement) {
      return this.dataset.mediaAudio === 'silent' ? Promise.resolve() : Promise.reject(new DOMException('no gesture', 'NotAllowedError'));
    });
    const audio = new AudioPlayback();
    audio.play('mic', track());
    audio.play('silent', track());
    await vi.waitFor(() => expect(audio.blocked).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(audio.blocked).toBe(true);
    // The refused one goes (the host turned the mic off): nothing is waiting for a click.
    audio.play('mic', undefined);
    expect(audio.blocked).toBe(false);
    audio.close();
  });
});
