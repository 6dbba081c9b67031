import { afterEach, describe, expect, it, vi } from 'vitest';
import { MeshProvider } from '../../../src/media/mesh-provider';
import { ANSWER_TIMEOUT_MS, MAX_ICE_RESTARTS, PerfectNegotiation } from '../../../src/media/negotiation';
import { MAX_CANDIDATES_PER_CONNECTION, type MediaSignal } from '../../../src/protocol/media';
import { FakePeerConnection, FakeTrack, fakePeerConnectionFactory } from './fake-peer-connection';
import { settle, until } from './provider-contract';
import { SignalBus } from './signal-bus';

/** The mesh state machine with fake peer connections: negotiation, renegotiation, teardown, unlucky paths. */
function room() {
  const bus = new SignalBus();
  const providers: MeshProvider[] = [];
  const make = (role: 'host' | 'viewer') => {
    const signals = bus.channel(role);
    const provider = new MeshProvider({ signals, iceServers: [], createPeerConnection: fakePeerConnectionFactory });
    providers.push(provider);
    return { provider, signals };
  };
  return { bus, make, close: () => providers.forEach((p) => p.close()) };
}

/** The host's peer connection to one viewer (host PCs are the ones that send). */
const hostPcs = () => FakePeerConnection.all.filter((pc) => pc.transceivers.some((t) => t.sender.track));

afterEach(() => {
  vi.useRealTimers();
  FakePeerConnection.all.length = 0;
});

describe('mesh provider', () => {
  it('negotiates one connection per viewer, and renegotiates it when the host publishes more', async () => {
    const r = room();
    const host = r.make('host').provider;
    const camera = await host.publish(new FakeTrack('video') as unknown as MediaStreamTrack, { source: 'camera', maxBitrateKbps: 500 });
    const viewer = r.make('viewer').provider;
    const cam = viewer.subscribe(camera.ref.publicationId);
    await until(() => cam.state === 'live');
    expect(hostPcs()).toHaveLength(1);
    // The cap is on the sender, per viewer.
    expect(hostPcs()[0]!.transceivers[0]!.sender.parameters.encodings[0]!.maxBitrate).toBe(500_000);

    const screen = await host.publish(new FakeTrack('video') as unknown as MediaStreamTrack, { source: 'screen' });
    const shared = viewer.subscribe(screen.ref.publicationId);
    await until(() => shared.state === 'live');
    expect(hostPcs()).toHaveLength(1);
    expect((hostPcs()[0]!.transceivers[1]!.sender.track as unknown as FakeTrack).contentHint).toBe('detail');

    // Teardown: the screen's section stops, the camera goes on over the same connection.
    screen.stop();
    await until(() => shared.state === 'unavailable');
    expect(cam.state).toBe('live');
    r.close();
  });

  it('resolves an offer collision: the polite side rolls back, both end up connected', async () => {
    const a = new FakePeerConnection({});
    const b = new FakePeerConnection({});
    const failures: string[] = [];
    const wire = (from: () => PerfectNegotiation) => (body: Parameters<PerfectNegotiation['receive']>[0]) => setTimeout(() => void from().receive(body), 0);
    const impolite: PerfectNegotiation = new PerfectNegotiation(a as unknown as RTCPeerConnection, { polite: false, send: wire(() => polite), onFailure: (r) => failures.push(r) });
    const polite: PerfectNegotiation = new PerfectNegotiation(b as unknown as RTCPeerConnection, { polite: true, send: wire(() => impolite), onFailure: (r) => failures.push(r) });
    a.addTransceiver(new FakeTrack('video'), { direction: 'sendonly' });
    b.addTransceiver('audio', { direction: 'recvonly' });
    await until(() => a.signalingState === 'stable' && b.signalingState === 'stable' && a.connectionState === 'connected' && b.connectionState === 'connected');
    expect(failures).toEqual([]);
    impolite.close();
    polite.close();
  });

  it('a malformed description from one viewer closes only that viewer’s connection', async () => {
    const r = room();
    const host = r.make('host').provider;
    const camera = await host.publish(new FakeTrack('video') as unknown as MediaStreamTrack, { source: 'camera' });
    const good = r.make('viewer').provider.subscribe(camera.ref.publicationId);
    await until(() => good.state === 'live');
    const goodPc = hostPcs()[0]!;

    // The next viewer's answer is refused by the host's connection (as a malformed SDP would be).
    const originalSet = FakePeerConnection.prototype.setRemoteDescription;
    const spy = vi.spyOn(FakePeerConnection.prototype, 'setRemoteDescription').mockImplementation(function (this: FakePeerConnection, description) {
      if (this !== goodPc && this.transceivers.some((t) => t.sender.track)) this.refuseNextRemote = true;
      return originalSet.call(this, description);
    });
    r.make('viewer').provider.subscribe(camera.ref.publicationId);
    await until(() => hostPcs().some((pc) => pc !== goodPc && pc.closed));
    spy.mockRestore();
    expect(goodPc.closed).toBe(false);
    await settle();
    expect(good.state).toBe('live');
    r.close();
  });

  it('a viewer that never answers is timed out and cleaned up; the others are untouched', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const r = room();
    const host = r.make('host').provider;
    const camera = await host.publish(new FakeTrack('video') as unknown as MediaStreamTrack, { source: 'camera' });
    const silent = r.make('viewer');
    // This viewer's answers and candidates never arrive.
    const route = r.bus['route'].bind(r.bus);
    vi.spyOn(r.bus as unknown as { route: typeof route }, 'route').mockImplementation((from, to, data: MediaSignal) =>
      from === silent.signals.endpoint && data.type !== 'hello' ? true : route(from, to, data),
    );
    silent.provider.subscribe(camera.ref.publicationId);
    const other = r.make('viewer').provider.subscribe(camera.ref.publicationId);
    await vi.advanceTimersByTimeAsync(100);
    expect(other.state).toBe('live');
    const waiting = hostPcs().find((pc) => pc.signalingState === 'have-local-offer')!;
    expect(waiting).toBeDefined();
    await vi.advanceTimersByTimeAsync(ANSWER_TIMEOUT_MS + 10);
    expect(waiting.closed).toBe(true);
    expect(other.state).toBe('live');
    r.close();
  });

  it('ignores candidates past the bound (a flood) and keeps the connection', async () => {
    const r = room();
    const host = r.make('host').provider;
    const camera = await host.publish(new FakeTrack('video') as unknown as MediaStreamTrack, { source: 'camera' });
    const viewer = r.make('viewer');
    const sub = viewer.provider.subscribe(camera.ref.publicationId);
    await until(() => sub.state === 'live');
    const hostPeer = r.bus.sent.find((m) => m.data.type === 'description')!.data.peer;
    for (let i = 0; i < 500; i++) {
      viewer.signals.send('host', {
        media: 'mesh',
        peer: viewer.signals.peerId,
        target: hostPeer,
        type: 'candidate',
        candidate: { candidate: `candidate:${i} 1 udp 1 127.0.0.1 ${1000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0 },
      });
    }
    await settle(100);
    expect(hostPcs()[0]!.addedCandidates.length).toBeLessThanOrEqual(MAX_CANDIDATES_PER_CONNECTION);
    expect(sub.state).toBe('live');
    r.close();
  });

  it('restarts ICE when the connection fails, and gives up after a bound', async () => {
    const r = room();
    const host = r.make('host').provider;
    const camera = await host.publish(new FakeTrack('video') as unknown as MediaStreamTrack, { source: 'camera' });
    const sub = r.make('viewer').provider.subscribe(camera.ref.publicationId);
    await until(() => sub.state === 'live');
    const pc = hostPcs()[0]!;
    pc.setConnection('failed', 'failed');
    await until(() => pc.iceRestarts === 1);
    const offers = () => r.bus.sent.filter((m) => m.data.type === 'description' && m.data.description.type === 'offer').length;
    await until(() => offers() >= 2);
    for (let i = 0; i < MAX_ICE_RESTARTS; i++) pc.setConnection('failed', 'failed');
    await until(() => pc.closed);
    r.close();
  });

  it('a viewer that leaves has its connection closed; one that reconnects keeps it', async () => {
    const r = room();
    const host = r.make('host').provider;
    const camera = await host.publish(new FakeTrack('video') as unknown as MediaStreamTrack, { source: 'camera' });
    const staying = r.make('viewer');
    const leaving = r.make('viewer');
    const a = staying.provider.subscribe(camera.ref.publicationId);
    const b = leaving.provider.subscribe(camera.ref.publicationId);
    await until(() => a.state === 'live' && b.state === 'live');
    const [first, second] = hostPcs();
    staying.signals.reconnect();
    await settle();
    leaving.signals.goOffline();
    await until(() => second!.closed);
    expect(first!.closed).toBe(false);
    expect(a.state).toBe('live');
    r.close();
  });
});
