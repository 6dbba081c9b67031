import { MeshProvider } from '../../../src/media/mesh-provider';
import { SfuProvider } from '../../../src/media/sfu-provider';
import type { MediaProvider, MediaProviderDeps } from '../../../src/media/types';
import { FakePeerConnection, FakeTrack, fakePeerConnectionFactory } from './fake-peer-connection';
import { describeProviderContract, type ContractHarness } from './provider-contract';
import { FakeSfuServer, SignalBus } from './signal-bus';

/** The contract, run against mesh and the SFU client (issue 17 adds an IVS harness here). */
function harness(make: (deps: MediaProviderDeps) => MediaProvider, withSfu: boolean): () => ContractHarness {
  return () => {
    const bus = new SignalBus();
    if (withSfu) bus.sfu = new FakeSfuServer(bus);
    const providers: MediaProvider[] = [];
    const provider = (role: 'host' | 'viewer') => {
      const signals = bus.channel(role);
      const created = make({ signals, iceServers: [], createPeerConnection: fakePeerConnectionFactory });
      providers.push(created);
      return { provider: created, reconnect: () => signals.reconnect() };
    };
    return {
      host: () => provider('host').provider,
      viewer: () => provider('viewer'),
      track: (kind) => new FakeTrack(kind) as unknown as MediaStreamTrack,
      close: () => {
        for (const p of providers) p.close();
        FakePeerConnection.all.length = 0;
      },
    };
  };
}

describeProviderContract('mesh', harness((deps) => new MeshProvider(deps), false));
describeProviderContract('sfu', harness((deps) => new SfuProvider(deps), true));
