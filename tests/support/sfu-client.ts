import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useVP8 } from 'werift';
import { withoutPublicStun } from '../../local/sfu/sfu.js';
import type { MediaSignal } from '../../src/protocol/media.js';
import { RoomClient } from './room-client.js';

/**
 * A browser stand-in for the SFU's signalling, in Node: a real room connection (through the
 * local WebSocket gateway, the authorizer and the realtime function) and a werift peer
 * connection. The publisher sends synthetic VP8 RTP (the SFU forwards bytes, it never decodes);
 * a subscriber counts the packets it receives.
 */
export interface SfuPeer {
  room: RoomClient;
  pc: RTCPeerConnection;
  packets: () => number;
  close(): Promise<void>;
}

const config = () => ({
  iceServers: [],
  iceUseIpv6: false,
  iceAdditionalHostAddresses: ['127.0.0.1'],
  codecs: { audio: [useOPUS()], video: [useVP8()] },
  bundlePolicy: 'max-bundle' as const,
});

export async function connectRoom(webSocketUrl: string, sessionId: string, token?: string): Promise<RoomClient> {
  const room = await RoomClient.connect(webSocketUrl, { sessionId, ...(token ? { token } : {}) });
  await room.request({ v: 1, action: 'sync' }, 'snapshot');
  return room;
}

function sfuSignals(room: RoomClient, publicationId: string, handle: (data: MediaSignal) => void) {
  let seen = 0;
  const timer = setInterval(() => {
    for (; seen < room.received.length; seen++) {
      const message = room.received[seen]!;
      if (message.type === 'signal' && message.fromRole === 'sfu' && message.data.publicationId === publicationId) handle(message.data);
    }
  }, 5);
  return () => clearInterval(timer);
}

async function gathered(pc: RTCPeerConnection) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && (clearTimeout(timer), resolve()));
  });
}

/** Publishes a synthetic video track as `publicationId`; resolves when the SFU has answered. */
export async function publishSynthetic(room: RoomClient, peer: string, publicationId: string, packetsPerSecond = 50): Promise<SfuPeer> {
  const pc = new RTCPeerConnection(config());
  const track = new MediaStreamTrack({ kind: 'video' });
  const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
  withoutPublicStun(pc);
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const answered = new Promise<MediaSignal>((resolve) => {
    const stop = sfuSignals(room, publicationId, (data) => {
      if (data.type === 'description' || data.type === 'error') {
        stop();
        resolve(data);
      }
    });
  });
  room.send({
    v: 1,
    action: 'signal',
    to: 'sfu',
    data: { media: 'sfu', peer, publicationId, type: 'description', description: { type: 'offer', sdp: pc.localDescription!.sdp }, tracks: [{ mid: transceiver.mid!, publicationId, source: 'camera' }] },
  });
  const answer = await answered;
  if (answer.type !== 'description') throw new Error(`the SFU refused the publication: ${JSON.stringify(answer)}`);
  await pc.setRemoteDescription(answer.description);
  let sent = 0;
  let sequenceNumber = 0;
  let timestamp = 0;
  // A VP8 payload descriptor (start of partition) and filler: forwarded as is, never decoded.
  const payload = Buffer.concat([Buffer.from([0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a]), Buffer.alloc(900, 7)]);
  const timer = setInterval(() => {
    if (pc.connectionState !== 'connected') return;
    sequenceNumber = (sequenceNumber + 1) & 0xffff;
    timestamp = (timestamp + 3000) >>> 0;
    track.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber, timestamp, ssrc: 1234, marker: true }), payload));
    sent++;
  }, 1000 / packetsPerSecond);
  return {
    room,
    pc,
    packets: () => sent,
    async close() {
      clearInterval(timer);
      await pc.close();
      await room.close();
    },
  };
}

/** Subscribes to a publication through the SFU; resolves when the SFU's offer is answered. */
export async function subscribeTo(room: RoomClient, peer: string, publicationId: string): Promise<SfuPeer> {
  const pc = new RTCPeerConnection(config());
  let received = 0;
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => received++));
  const offered = new Promise<MediaSignal>((resolve) => {
    const stop = sfuSignals(room, publicationId, (data) => {
      if (data.type === 'description' || data.type === 'error' || data.type === 'unavailable') {
        stop();
        resolve(data);
      }
    });
  });
  room.send({ v: 1, action: 'signal', to: 'sfu', data: { media: 'sfu', peer, publicationId, type: 'subscribe' } });
  const offer = await offered;
  if (offer.type !== 'description') throw new Error(`the SFU did not offer: ${JSON.stringify(offer)}`);
  await pc.setRemoteDescription(offer.description);
  withoutPublicStun(pc);
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  room.send({ v: 1, action: 'signal', to: 'sfu', data: { media: 'sfu', peer, publicationId, type: 'description', description: { type: 'answer', sdp: pc.localDescription!.sdp } } });
  return {
    room,
    pc,
    packets: () => received,
    async close() {
      await pc.close();
      await room.close();
    },
  };
}
