import { MeshProvider } from '../../../src/media/mesh-provider';
import { SfuProvider } from '../../../src/media/sfu-provider';
import { IvsProvider } from '../../../src/media/ivs/ivs-provider';
import { FakeIvsStageServer } from './fake-ivs-sdk';
import type { MediaProvider, MediaProviderDeps } from '../../../src/media/types';
import { FakePeerConnection, FakeTrack, fakePeerConnectionFactory } from './fake-peer-connection';
import { describeProviderContract, type ContractHarness } from './provider-contract';
import { FakeSfuServer, SignalBus } from './signal-bus';

/** The contract, run against mesh, the SFU client and the IVS provider. */
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

/** IVS: the provider's logic against a fake of the SDK's Stage, tokens from a fake token route. */
function ivsHarness(): ContractHarness {
  const server = new FakeIvsStageServer();
  const providers: MediaProvider[] = [];
  let clients = 0;
  const provider = (role: 'host' | 'viewer') => {
    const client = `${role}-${++clients}`;
    const created = new IvsProvider({ role, tokens: server.tokens(client, role), sdk: async () => server.sdk, retryDelayMs: () => 10 });
    providers.push(created);
    return { provider: created, reconnect: () => server.drop(client) };
  };
  return {
    host: () => provider('host').provider,
    viewer: () => provider('viewer'),
    track: (kind) => new FakeTrack(kind) as unknown as MediaStreamTrack,
    close: () => {
      for (const p of providers) p.close();
    },
  };
}

describeProviderContract('ivs', ivsHarness);
