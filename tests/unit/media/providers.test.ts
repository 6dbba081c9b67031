import { MeshProvider } from '../../../src/media/mesh-provider';
import { SfuProvider } from '../../../src/media/sfu-provider';
import { IvsProvider } from '../../../src/media/ivs/ivs-provider';
import { FakeIvsStageServer } from './fake-ivs-sdk';
import type { MediaProvider, MediaProviderDeps } from '../../../src/media/types';
import { FakePeerConnection, FakeTrack, fakePeerConnectionFactory } from './fake-peer-connection';
import { describeProviderContract, type ContractHarness, type ContractViewer } from './provider-contract';
import { FakeSfuServer, SignalBus } from './signal-bus';

/** The contract, run against mesh, the SFU client and the IVS provider. */
function harness(make: (deps: MediaProviderDeps) => MediaProvider, withSfu: boolean): () => ContractHarness {
  return () => {
    const bus = new SignalBus();
    if (withSfu) bus.sfu = new FakeSfuServer(bus);
    return contractHarness(
      (role) => {
        const signals = bus.channel(role);
        return { provider: make({ signals, iceServers: [], createPeerConnection: fakePeerConnectionFactory }), reconnect: () => signals.reconnect() };
      },
      () => {
        FakePeerConnection.all.length = 0;
      },
    );
  };
}

/** The harness around a way to open one page's provider; closing closes every provider it opened. */
function contractHarness(open: (role: 'host' | 'viewer') => ContractViewer, cleanUp = () => {}): ContractHarness {
  const providers: MediaProvider[] = [];
  const provider = (role: 'host' | 'viewer') => {
    const opened = open(role);
    providers.push(opened.provider);
    return opened;
  };
  return {
    host: () => provider('host').provider,
    viewer: () => provider('viewer'),
    track: (kind) => new FakeTrack(kind) as unknown as MediaStreamTrack,
    close: () => {
      for (const p of providers) p.close();
      cleanUp();
    },
  };
}

describeProviderContract('mesh', harness((deps) => new MeshProvider(deps), false));
describeProviderContract('sfu', harness((deps) => new SfuProvider(deps), true));

/** IVS: the provider's logic against a fake of the SDK's Stage, tokens from a fake token route. */
function ivsHarness(): ContractHarness {
  const server = new FakeIvsStageServer();
  let clients = 0;
  return contractHarness((role) => {
    const client = `${role}-${++clients}`;
    const provider = new IvsProvider({ role, tokens: server.tokens(client, role), sdk: async () => server.sdk, retryDelayMs: () => 10 });
    return { provider, reconnect: () => server.drop(client) };
  });
}

describeProviderContract('ivs', ivsHarness);
