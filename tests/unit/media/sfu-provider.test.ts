import { afterEach, describe, expect, it } from 'vitest';
import { SfuProvider } from '../../../src/media/sfu-provider';
import { FakePeerConnection, FakeTrack, fakePeerConnectionFactory } from './fake-peer-connection';
import { until } from './provider-contract';
import { FakeSfuServer, SignalBus } from './signal-bus';

/** The SFU client's own signalling, beyond the provider contract (providers.test.ts). */
const providers: SfuProvider[] = [];

afterEach(() => {
  for (const provider of providers.splice(0)) provider.close();
  FakePeerConnection.all.length = 0;
});

function setup() {
  const bus = new SignalBus();
  bus.sfu = new FakeSfuServer(bus);
  const make = (role: 'host' | 'viewer') => {
    const signals = bus.channel(role);
    const provider = new SfuProvider({ signals, iceServers: [], createPeerConnection: fakePeerConnectionFactory });
    providers.push(provider);
    return { provider, signals };
  };
  return { bus, host: make('host'), viewer: make('viewer') };
}

describe('SfuProvider signalling', () => {
  it('sends the SFU descriptions only, never trickled candidates (each would be one more relayed signal)', async () => {
    const { bus, host, viewer } = setup();
    const publication = await host.provider.publish(new FakeTrack('video') as unknown as MediaStreamTrack, { source: 'camera' });
    const subscription = viewer.provider.subscribe(publication.ref.publicationId);
    await until(() => subscription.state === 'live');
    // The fake peer connections do gather a candidate with each local description.
    expect(FakePeerConnection.all.length).toBeGreaterThan(0);
    const toSfu = bus.sent.filter((sent) => sent.to === 'sfu').map((sent) => sent.data.type);
    expect(toSfu).toContain('description');
    expect(toSfu).not.toContain('candidate');
  });

  it('a refused signal retries the links still connecting, and leaves a live subscription alone', async () => {
    const { bus, host, viewer } = setup();
    const publication = await host.provider.publish(new FakeTrack('video') as unknown as MediaStreamTrack, { source: 'camera' });
    const live = viewer.provider.subscribe(publication.ref.publicationId);
    await until(() => live.state === 'live');
    const subscribes = () => bus.sent.filter((sent) => sent.to === 'sfu' && sent.data.type === 'subscribe').length;
    const before = subscribes();
    // The relay timed out on some signal of this page (the SFU is busy).
    for (const refused of viewer.signals.endpoint.refusals) refused('unavailable', 'The media server is not answering. Try again in a moment.');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(live.state).toBe('live');
    expect(subscribes()).toBe(before);
  });
});
