import { parseMediaSignal, sdpSendsMedia, SFU_SIGNAL_TARGET, type MediaSignal } from '../../../src/protocol/media';
import type { IncomingSignal, SignalChannel } from '../../../src/media/types';
import { FakePeerConnection, FakeTrack } from './fake-peer-connection';

/**
 * The realtime function's `signal` routing, in memory: a viewer reaches only "host" (every host
 * connection) or "sfu"; a host reaches one connection of the session; a viewer's description
 * that sends media is refused; every payload is checked against the shared schema. Messages
 * are delivered asynchronously, as over a socket. Connections can drop and come back with a
 * new id, as a reconnect does.
 */
interface Endpoint {
  connectionId: string;
  role: 'host' | 'viewer';
  online: boolean;
  signals: Set<(signal: IncomingSignal) => void>;
  reconnects: Set<() => void>;
  leaves: Set<(connectionId: string) => void>;
  refusals: Set<(code: string, message: string) => void>;
}

export class SignalBus {
  readonly endpoints = new Map<string, Endpoint>();
  readonly sent: Array<{ from: string; to: string; data: MediaSignal }> = [];
  sfu: FakeSfuServer | undefined;
  private ids = 0;
  private peers = 0;

  channel(role: 'host' | 'viewer'): SignalChannel & { endpoint: Endpoint; reconnect(): void; goOffline(): void } {
    const endpoint: Endpoint = {
      connectionId: `conn-${++this.ids}`,
      role,
      online: true,
      signals: new Set(),
      reconnects: new Set(),
      leaves: new Set(),
      refusals: new Set(),
    };
    this.endpoints.set(endpoint.connectionId, endpoint);
    const add = <T>(set: Set<T>, listener: T) => {
      set.add(listener);
      return () => void set.delete(listener);
    };
    const bus = this;
    return {
      endpoint,
      peerId: `peer-${role}-${++this.peers}-padding`,
      role,
      send: (to, data) => bus.route(endpoint, to, data),
      onSignal: (listener) => add(endpoint.signals, listener),
      onReconnect: (listener) => add(endpoint.reconnects, listener),
      onLeave: (listener) => add(endpoint.leaves, listener),
      onRefused: (listener) => add(endpoint.refusals, listener),
      /** The socket drops: its connection leaves (hosts hear it), signals to it are lost. */
      goOffline() {
        endpoint.online = false;
        bus.endpoints.delete(endpoint.connectionId);
        for (const other of bus.endpoints.values()) if (other.role === 'host') for (const leave of other.leaves) leave(endpoint.connectionId);
      },
      /** Back with a new connection id, as after a reconnect. */
      reconnect() {
        bus.endpoints.delete(endpoint.connectionId);
        endpoint.connectionId = `conn-${++bus.ids}`;
        endpoint.online = true;
        bus.endpoints.set(endpoint.connectionId, endpoint);
        for (const listener of endpoint.reconnects) listener();
      },
    };
  }

  /** Delivers one signal to a connection, as the server would post it. */
  deliver(connectionId: string, signal: IncomingSignal) {
    const endpoint = this.endpoints.get(connectionId);
    if (!endpoint?.online) return 'gone' as const;
    setTimeout(() => {
      for (const listener of endpoint.signals) listener(signal);
    }, 0);
    return 'sent' as const;
  }

  private route(from: Endpoint, to: string, data: MediaSignal): boolean {
    if (!from.online) return false;
    this.sent.push({ from: from.connectionId, to, data });
    const refuse = (code: string, message: string) => setTimeout(() => from.refusals.forEach((listener) => listener(code, message)), 0);
    const valid = parseMediaSignal(data);
    if (!valid) return refuse('bad_message', 'invalid'), true;
    if (from.role === 'viewer' && valid.type === 'description' && sdpSendsMedia(valid.description.sdp)) return refuse('forbidden', 'Viewers cannot publish media.'), true;
    if (to === SFU_SIGNAL_TARGET) {
      if (!this.sfu) return refuse('unavailable', 'no SFU'), true;
      const sfu = this.sfu;
      setTimeout(() => void sfu.handle(from.connectionId, from.role, valid), 0);
      return true;
    }
    let targets: Endpoint[];
    if (from.role === 'viewer') {
      if (to !== 'host') return refuse('forbidden', 'Viewers may only signal the host.'), true;
      targets = [...this.endpoints.values()].filter((e) => e.role === 'host');
    } else {
      targets = [...this.endpoints.values()].filter((e) => e.connectionId === to);
    }
    if (targets.length === 0) return refuse('not_found', 'The host is not connected.'), true;
    for (const target of targets) this.deliver(target.connectionId, { from: from.connectionId, fromRole: from.role, data: valid });
    return true;
  }
}

/**
 * The local SFU's signalling, with fake peer connections instead of werift: what the client
 * provider sees of local/sfu/sfu.ts (publish = a host's offer per publication, answered;
 * subscribe = the SFU's offer per subscription; unavailable; forbidden for a viewer's offer).
 * The real SFU is exercised by tests/integration/sfu.test.ts and the e2e suite.
 */
export class FakeSfuServer {
  readonly publications = new Map<string, { kind: 'audio' | 'video'; source: string; pc: FakePeerConnection; subscribers: Set<{ connectionId: string; pc: FakePeerConnection }> }>();
  private readonly subscriptions = new Map<string, FakePeerConnection>();

  constructor(private readonly bus: SignalBus) {}

  async handle(connectionId: string, role: 'host' | 'viewer', data: MediaSignal) {
    const reply = (body: Record<string, unknown>) =>
      this.bus.deliver(connectionId, { from: 'sfu', fromRole: 'sfu', data: { media: 'sfu', peer: 'streamcanvas-sfu', publicationId: data.publicationId, ...body } as MediaSignal });
    const id = data.publicationId;
    if (!id) return;
    if (data.type === 'description' && data.description.type === 'offer') {
      if (role !== 'host') return reply({ type: 'error', code: 'forbidden', message: 'Only the host may publish media.' });
      const pc = new FakePeerConnection({});
      await pc.setRemoteDescription(data.description);
      await pc.setLocalDescription();
      const source = data.tracks?.[0]?.source ?? 'camera';
      const previous = this.publications.get(id);
      this.publications.set(id, { kind: source === 'mic' || source === 'screen-audio' ? 'audio' : 'video', source, pc, subscribers: previous?.subscribers ?? new Set() });
      return reply({ type: 'description', description: { type: 'answer', sdp: pc.localDescription!.sdp } });
    }
    if (data.type === 'subscribe') {
      const publication = this.publications.get(id);
      if (!publication) return reply({ type: 'unavailable' });
      const pc = new FakePeerConnection({});
      const transceiver = pc.addTransceiver(new FakeTrack(publication.kind), { direction: 'sendonly' });
      await pc.setLocalDescription();
      this.subscriptions.set(`${data.peer}/${id}`, pc);
      publication.subscribers.add({ connectionId, pc });
      return reply({ type: 'description', description: { type: 'offer', sdp: pc.localDescription!.sdp }, tracks: [{ mid: transceiver.mid!, publicationId: id, source: publication.source }] });
    }
    if (data.type === 'description' && data.description.type === 'answer') {
      await this.subscriptions.get(`${data.peer}/${id}`)?.setRemoteDescription(data.description);
      return;
    }
    if (data.type === 'bye' && role === 'host') {
      const publication = this.publications.get(id);
      this.publications.delete(id);
      for (const subscriber of publication?.subscribers ?? []) {
        this.bus.deliver(subscriber.connectionId, { from: 'sfu', fromRole: 'sfu', data: { media: 'sfu', peer: 'streamcanvas-sfu', publicationId: id, type: 'unavailable' } });
      }
    }
  }
}
