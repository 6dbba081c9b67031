/**
 * A stand-in for the browser's RTCPeerConnection, for the providers' state machines in Node:
 * offers and answers are real-looking SDP (one m-section per transceiver, with direction and
 * mid), so they pass the shared schema; two fakes that exchange descriptions "connect" once
 * both have a remote description. Tests can fail a connection, drop candidates on the floor,
 * or refuse a description, to drive the unlucky paths.
 */
export class FakeTrack extends EventTarget {
  enabled = true;
  muted = false;
  readyState: 'live' | 'ended' = 'live';
  contentHint = '';
  static count = 0;
  constructor(
    readonly kind: 'audio' | 'video',
    readonly id = `track-${++FakeTrack.count}`,
  ) {
    super();
  }
  stop() {
    this.readyState = 'ended';
  }
  getSettings() {
    return { deviceId: 'fake-device' };
  }
}

class FakeSender {
  parameters: { encodings: Array<{ maxBitrate?: number }> };
  constructor(
    public track: FakeTrack | null,
    encodings: Array<{ maxBitrate?: number }>,
  ) {
    this.parameters = { encodings };
  }
  async replaceTrack(track: FakeTrack | null) {
    this.track = track;
  }
  getParameters() {
    return structuredClone(this.parameters);
  }
  async setParameters(parameters: { encodings: Array<{ maxBitrate?: number }> }) {
    this.parameters = parameters;
  }
}

class FakeReceiver {
  constructor(readonly track: FakeTrack) {}
  async getStats() {
    return new Map([['in', { type: 'inbound-rtp', bytesReceived: 1000, timestamp: Date.now(), frameWidth: 320, frameHeight: 180, framesPerSecond: 15, framesDecoded: 10 }]]);
  }
}

export class FakeTransceiver {
  mid: string | null = null;
  currentDirection: RTCRtpTransceiverDirection | 'stopped' | null = null;
  readonly receiver: FakeReceiver;
  readonly sender: FakeSender;
  stopped = false;
  constructor(
    readonly kind: 'audio' | 'video',
    public direction: RTCRtpTransceiverDirection,
    track: FakeTrack | null,
    encodings: Array<{ maxBitrate?: number }> = [],
  ) {
    this.sender = new FakeSender(track, encodings);
    this.receiver = new FakeReceiver(new FakeTrack(kind));
  }
  setCodecPreferences() {}
  stop() {
    this.stopped = true;
    this.direction = 'stopped' as RTCRtpTransceiverDirection;
    this.owner?.needNegotiation();
  }
  owner?: FakePeerConnection;
}

type Description = { type: 'offer' | 'answer' | 'rollback'; sdp: string };

export class FakePeerConnection {
  static all: FakePeerConnection[] = [];
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  localDescription: Description | null = null;
  remoteDescription: Description | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((event: { candidate: RTCIceCandidateInit | null }) => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  ontrack: ((event: unknown) => void) | null = null;
  readonly transceivers: FakeTransceiver[] = [];
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  iceRestarts = 0;
  closed = false;
  /** Set by a test: the next setRemoteDescription throws (a malformed description). */
  refuseNextRemote = false;
  private nextMid = 0;
  private negotiationQueued = false;
  private negotiationPending = false;
  private restartPending = false;

  constructor(readonly config: RTCConfiguration) {
    FakePeerConnection.all.push(this);
  }

  addTransceiver(trackOrKind: FakeTrack | 'audio' | 'video', init: { direction?: RTCRtpTransceiverDirection; sendEncodings?: Array<{ maxBitrate?: number }> } = {}) {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind;
    const transceiver = new FakeTransceiver(kind, init.direction ?? 'sendrecv', track, init.sendEncodings ?? []);
    transceiver.owner = this;
    this.transceivers.push(transceiver);
    this.needNegotiation();
    return transceiver;
  }

  getTransceivers() {
    return this.transceivers;
  }
  getSenders() {
    return this.transceivers.map((t) => t.sender);
  }
  getReceivers() {
    return this.transceivers.map((t) => t.receiver);
  }

  restartIce() {
    this.iceRestarts++;
    this.restartPending = true;
    this.needNegotiation();
  }

  /** Like a browser: fires negotiationneeded when stable, or again once it gets back to stable. */
  needNegotiation() {
    this.negotiationPending = true;
    if (this.negotiationQueued || this.closed) return;
    this.negotiationQueued = true;
    queueMicrotask(() => {
      this.negotiationQueued = false;
      if (this.signalingState === 'stable' && !this.closed && this.negotiationPending) {
        this.negotiationPending = false;
        this.onnegotiationneeded?.();
      }
    });
  }

  async setLocalDescription(description?: Description) {
    this.assertOpen();
    const type = description?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    if (type === 'offer') {
      for (const t of this.transceivers) if (t.mid === null && !t.stopped) t.mid = String(this.nextMid++);
      this.localDescription = { type, sdp: this.sdp() };
      this.signalingState = 'have-local-offer';
      this.restartPending = false;
      this.negotiationPending = false;
    } else {
      this.localDescription = { type: 'answer', sdp: this.sdp() };
      this.signalingState = 'stable';
      this.applyDirections();
      this.maybeConnect();
      if (this.negotiationPending) this.needNegotiation();
    }
    this.onicecandidate?.({ candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
  }

  async setRemoteDescription(description: Description) {
    this.assertOpen();
    if (this.refuseNextRemote) {
      this.refuseNextRemote = false;
      throw new DOMException('Failed to parse SessionDescription.', 'OperationError');
    }
    if (description.type === 'offer' && this.signalingState === 'have-local-offer') {
      // Implicit rollback (the polite side of perfect negotiation).
      this.signalingState = 'stable';
    }
    this.remoteDescription = description;
    const sections = parseSections(description.sdp);
    if (description.type === 'offer') {
      for (const section of sections) {
        let transceiver = this.transceivers.find((t) => t.mid === section.mid);
        if (!transceiver) {
          transceiver = new FakeTransceiver(section.kind, 'recvonly', null);
          transceiver.owner = this;
          transceiver.mid = section.mid;
          this.transceivers.push(transceiver);
          if (section.direction === 'sendonly' || section.direction === 'sendrecv') this.ontrack?.({ track: transceiver.receiver.track, transceiver });
        }
        transceiver.currentDirection = section.port === 0 || section.direction === 'inactive' ? 'inactive' : 'recvonly';
        if (section.port === 0) transceiver.stopped = true;
      }
      this.signalingState = 'have-remote-offer';
    } else {
      this.signalingState = 'stable';
      this.applyDirections();
      this.maybeConnect();
      if (this.negotiationPending || this.restartPending) this.needNegotiation();
    }
  }

  async addIceCandidate(candidate: RTCIceCandidateInit) {
    this.assertOpen();
    if (!this.remoteDescription) throw new DOMException('No remote description.', 'InvalidStateError');
    this.addedCandidates.push(candidate);
  }

  async getStats() {
    return new Map([['out', { type: 'outbound-rtp', bytesSent: this.transceivers.length * 10_000 * (Date.now() / 1000), timestamp: Date.now() }]]);
  }

  close() {
    this.closed = true;
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }

  /** Test controls: the network under this connection changes. */
  setConnection(state: RTCPeerConnectionState, ice: RTCIceConnectionState) {
    this.connectionState = state;
    this.iceConnectionState = ice;
    this.oniceconnectionstatechange?.();
    this.onconnectionstatechange?.();
  }

  private applyDirections() {
    for (const t of this.transceivers) {
      if (t.stopped) t.currentDirection = 'stopped';
      else if (t.direction === 'sendonly') t.currentDirection = 'sendonly';
    }
  }

  private maybeConnect() {
    if (this.connectionState === 'new' || this.connectionState === 'connecting') {
      queueMicrotask(() => !this.closed && this.connectionState !== 'connected' && this.setConnection('connected', 'connected'));
    }
  }

  private assertOpen() {
    if (this.closed) throw new DOMException('The peer connection is closed.', 'InvalidStateError');
  }

  private sdp(): string {
    const lines = ['v=0', `o=- ${FakePeerConnection.all.indexOf(this)} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0'];
    for (const t of this.transceivers) {
      if (t.mid === null) continue;
      const direction = this.signalingState === 'have-remote-offer' ? (t.direction === 'sendonly' ? 'sendonly' : 'recvonly') : t.direction;
      lines.push(`m=${t.kind} ${t.stopped ? 0 : 9} UDP/TLS/RTP/SAVPF 96`, `a=mid:${t.mid}`, `a=${t.stopped ? 'inactive' : direction}`);
    }
    return `${lines.join('\r\n')}\r\n`;
  }
}

function parseSections(sdp: string) {
  const sections: Array<{ kind: 'audio' | 'video'; port: number; mid: string; direction: string }> = [];
  for (const line of sdp.split('\r\n')) {
    if (line.startsWith('m=')) {
      const [kind, port] = line.slice(2).split(' ');
      sections.push({ kind: kind as 'audio' | 'video', port: Number(port), mid: '', direction: 'sendrecv' });
    } else if (line.startsWith('a=mid:')) sections.at(-1)!.mid = line.slice(6);
    else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) sections.at(-1)!.direction = line.slice(2);
  }
  return sections;
}

export const fakePeerConnectionFactory = (config: RTCConfiguration) => new FakePeerConnection(config) as unknown as RTCPeerConnection;
