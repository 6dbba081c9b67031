import { afterEach, describe, expect, it } from 'vitest';
import { MediaError, type MediaProvider } from '../../../src/media/types';

/**
 * What every MediaProvider promises, whatever stands behind it: mesh, the local SFU, and
 * (issue 17) an Amazon IVS stage. A harness builds providers wired to its own back end (an
 * in-memory `signal` relay with fake peer connections here; a fake of the IVS SDK's Stage
 * there) and the same tests run against each. Nothing here knows how media travels.
 */
export interface ContractHarness {
  /** A host page's provider. */
  host(): MediaProvider;
  /** A viewer page's provider, with its connection's unlucky moments. */
  viewer(): ContractViewer;
  /** A local track to publish. */
  track(kind: 'audio' | 'video'): MediaStreamTrack;
  close(): void;
}

export interface ContractViewer {
  provider: MediaProvider;
  /** The viewer's connection drops and comes back (a new connection id). */
  reconnect(): void;
}

export function describeProviderContract(name: string, makeHarness: () => ContractHarness) {
  describe(`MediaProvider contract: ${name}`, () => {
    let harness: ContractHarness;
    const setup = () => (harness = makeHarness());
    afterEach(() => harness?.close());

    it('a viewer subscribing to a host publication receives a live track of its kind', async () => {
      setup();
      const host = harness.host();
      const publication = await host.publish(harness.track('video'), { source: 'camera' });
      expect(publication.ref).toMatchObject({ source: 'camera', provider: host.kind });
      expect(publication.ref.publicationId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
      const subscription = harness.viewer().provider.subscribe(publication.ref.publicationId);
      await until(() => subscription.state === 'live');
      expect(subscription.track?.kind).toBe('video');
      expect(subscription.publicationId).toBe(publication.ref.publicationId);
    });

    it('every viewer receives, including one that joins late, and audio alongside video', async () => {
      setup();
      const host = harness.host();
      const camera = await host.publish(harness.track('video'), { source: 'camera' });
      const mic = await host.publish(harness.track('audio'), { source: 'mic' });
      const early = [harness.viewer(), harness.viewer()].map((viewer) => viewer.provider.subscribe(camera.ref.publicationId));
      await until(() => early.every((s) => s.state === 'live'));
      const late = harness.viewer().provider;
      const lateCamera = late.subscribe(camera.ref.publicationId);
      const lateMic = late.subscribe(mic.ref.publicationId);
      await until(() => lateCamera.state === 'live' && lateMic.state === 'live');
      expect(lateMic.track?.kind).toBe('audio');
    });

    it('a viewer can never publish', async () => {
      setup();
      harness.host();
      const viewer = harness.viewer().provider;
      await expect(viewer.publish(harness.track('video'), { source: 'camera' })).rejects.toBeInstanceOf(MediaError);
      await expect(viewer.publish(harness.track('video'), { source: 'camera' })).rejects.toMatchObject({ code: 'forbidden' });
    });

    it('a publication nobody offers is unavailable, not an endless spinner', async () => {
      setup();
      const host = harness.host();
      await host.publish(harness.track('video'), { source: 'camera' });
      const subscription = harness.viewer().provider.subscribe('no-such-publication');
      await until(() => subscription.state === 'unavailable');
      expect(subscription.track).toBeUndefined();
    });

    it('stopping a publication makes its subscriptions unavailable (camera off, share stopped)', async () => {
      setup();
      const host = harness.host();
      const publication = await host.publish(harness.track('video'), { source: 'screen' });
      const subscription = harness.viewer().provider.subscribe(publication.ref.publicationId);
      await until(() => subscription.state === 'live');
      publication.stop();
      await until(() => subscription.state === 'unavailable');
    });

    it('replacing the track (another camera) keeps the publication and the subscription', async () => {
      setup();
      const host = harness.host();
      const publication = await host.publish(harness.track('video'), { source: 'camera' });
      const subscription = harness.viewer().provider.subscribe(publication.ref.publicationId);
      await until(() => subscription.state === 'live');
      const next = harness.track('video');
      await publication.replaceTrack(next);
      expect(publication.track).toBe(next);
      await settle();
      expect(subscription.state).toBe('live');
    });

    it('a viewer whose connection drops and comes back is live again', async () => {
      setup();
      const host = harness.host();
      const publication = await host.publish(harness.track('video'), { source: 'camera' });
      const viewer = harness.viewer();
      const subscription = viewer.provider.subscribe(publication.ref.publicationId);
      await until(() => subscription.state === 'live');
      viewer.reconnect();
      await settle();
      await until(() => subscription.state === 'live');
    });

    it('subscriptions report changes, stats and close; closing the provider closes what is left', async () => {
      setup();
      const host = harness.host();
      const publication = await host.publish(harness.track('video'), { source: 'camera' });
      const viewer = harness.viewer().provider;
      const first = viewer.subscribe(publication.ref.publicationId);
      const second = viewer.subscribe(publication.ref.publicationId);
      const changes: string[] = [];
      first.onChange(() => changes.push(first.state));
      await until(() => first.state === 'live' && second.state === 'live');
      expect(changes).toContain('live');
      first.noteFirstFrame(first.startedAt + 120);
      expect(await first.stats()).toMatchObject({ kind: 'video', joinToFirstFrameMs: 120 });
      first.close();
      expect(first.state).toBe('closed');
      await settle();
      expect(second.state).toBe('live');
      viewer.close();
      await until(() => second.state === 'closed');
      expect(typeof (await host.uploadStats()).kbps).toBe('number');
      host.close();
    });
  });
}

export async function settle(ms = 30): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the condition holds (signalling is asynchronous), failing after a bound. */
export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

