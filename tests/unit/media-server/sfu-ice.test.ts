import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useVP8 } from 'werift';
import type { SfuEnvelope } from '../../../amplify/functions/realtime/sfu-relay';
import { Sfu, withoutPublicStun } from '../../../local/sfu/sfu';
import type { MediaSignal } from '../../../src/protocol/media';

/**
 * The SFU class itself, with werift peers and its replies captured instead of posted:
 * it gathers only its host candidates (werift's built-in public STUN server made every offer and
 * answer wait 5 s offline), and a subscriber that connects gets a keyframe request sent to the publisher.
 */
const localAddresses = new Set(['127.0.0.1', ...Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address))]);
const peerConfig = () => ({ iceServers: [], iceUseIpv6: false, iceAdditionalHostAddresses: ['127.0.0.1'], codecs: { video: [useVP8()] } });
const closing: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(closing.splice(0).map((close) => close().catch(() => undefined)));
});

function sfuWithInbox() {
  const inbox: Array<{ connectionId: string; data: MediaSignal }> = [];
  const sfu = new Sfu({ extraHostAddresses: ['127.0.0.1'], send: async (_replyTo, connectionId, data) => (inbox.push({ connectionId, data }), 'sent') });
  closing.push(() => sfu.close());
  const envelope = (connectionId: string, role: 'host' | 'viewer', data: MediaSignal): SfuEnvelope => ({ sessionId: 'session-1', connectionId, role, data, replyTo: 'http://127.0.0.1:9/prod' });
  const last = (connectionId: string) => inbox.filter((m) => m.connectionId === connectionId).at(-1)?.data;
  return { sfu, envelope, last };
}

function description(signal: MediaSignal | undefined) {
  if (signal?.type !== 'description') throw new Error(`expected a description, got ${JSON.stringify(signal)}`);
  return signal.description;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('local SFU peer connections', () => {
  it('gather only host candidates: nothing is sent to a STUN server off this machine', async () => {
    const destinations = new Set<string>();
    const send = dgram.Socket.prototype.send;
    vi.spyOn(dgram.Socket.prototype, 'send').mockImplementation(function (this: dgram.Socket, ...args: unknown[]) {
      const address = args.find((arg, i) => i > 0 && typeof arg === 'string');
      if (typeof address === 'string') destinations.add(address);
      return (send as (...a: unknown[]) => void).apply(this, args);
    });
    const { sfu, envelope, last } = sfuWithInbox();
    const publisher = new RTCPeerConnection(peerConfig());
    closing.push(() => publisher.close());
    const transceiver = publisher.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    withoutPublicStun(publisher);
    await publisher.setLocalDescription(await publisher.createOffer());
    const tracks = [{ mid: transceiver.mid!, publicationId: 'pub-1', source: 'camera' as const }];
    await sfu.handle(envelope('host-conn', 'host', { media: 'sfu', peer: 'host-peer-1', publicationId: 'pub-1', type: 'description', description: { type: 'offer', sdp: publisher.localDescription!.sdp }, tracks }));
    await sfu.handle(envelope('viewer-conn', 'viewer', { media: 'sfu', peer: 'viewer-peer-1', publicationId: 'pub-1', type: 'subscribe' }));

    for (const sdp of [description(last('host-conn')).sdp, description(last('viewer-conn')).sdp]) {
      const candidates = sdp.split(/\r?\n/).filter((line) => line.startsWith('a=candidate:'));
      expect(candidates.length).toBeGreaterThan(0);
      for (const candidate of candidates) expect(candidate).toMatch(/ typ host /);
    }
    const outside = [...destinations].filter((address) => !isIP(address) || !localAddresses.has(address));
    expect(outside).toEqual([]);
  });

  it('asks the publisher for a keyframe when a subscriber connects', async () => {
    const { sfu, envelope, last } = sfuWithInbox();
    const publisher = new RTCPeerConnection(peerConfig());
    closing.push(() => publisher.close());
    const track = new MediaStreamTrack({ kind: 'video' });
    const transceiver = publisher.addTransceiver(track, { direction: 'sendonly' });
    let keyframeRequests = 0;
    transceiver.sender.onPictureLossIndication.subscribe(() => keyframeRequests++);
    withoutPublicStun(publisher);
    await publisher.setLocalDescription(await publisher.createOffer());
    const tracks = [{ mid: transceiver.mid!, publicationId: 'pub-2', source: 'camera' as const }];
    await sfu.handle(envelope('host-conn', 'host', { media: 'sfu', peer: 'host-peer-2', publicationId: 'pub-2', type: 'description', description: { type: 'offer', sdp: publisher.localDescription!.sdp }, tracks }));
    await publisher.setRemoteDescription(description(last('host-conn')));
    await until(() => publisher.connectionState === 'connected', 'the publisher connects');
    // Synthetic VP8 RTP, forwarded as bytes (the SFU never decodes).
    let sequenceNumber = 0;
    const payload = Buffer.concat([Buffer.from([0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a]), Buffer.alloc(200, 7)]);
    const sending = setInterval(() => track.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: sequenceNumber++, timestamp: sequenceNumber * 3000, ssrc: 4321, marker: true }), payload)), 20);
    closing.push(async () => clearInterval(sending));
    // The publication's own first packet asks for one; wait for it, then count what a subscriber adds.
    await until(() => keyframeRequests > 0, 'the first keyframe request');
    const before = keyframeRequests;

    const subscriber = new RTCPeerConnection(peerConfig());
    closing.push(() => subscriber.close());
    let received = 0;
    subscriber.onTrack.subscribe((incoming) => incoming.onReceiveRtp.subscribe(() => received++));
    await sfu.handle(envelope('viewer-conn', 'viewer', { media: 'sfu', peer: 'viewer-peer-2', publicationId: 'pub-2', type: 'subscribe' }));
    await subscriber.setRemoteDescription(description(last('viewer-conn')));
    withoutPublicStun(subscriber);
    await subscriber.setLocalDescription(await subscriber.createAnswer());
    await sfu.handle(envelope('viewer-conn', 'viewer', { media: 'sfu', peer: 'viewer-peer-2', publicationId: 'pub-2', type: 'description', description: { type: 'answer', sdp: subscriber.localDescription!.sdp } }));
    await until(() => received > 0, 'the subscriber receives forwarded RTP');
    await until(() => keyframeRequests > before, 'a keyframe request for the new subscriber');
  }, 60_000);
});
