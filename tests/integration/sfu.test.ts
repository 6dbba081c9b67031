import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection, MediaStreamTrack, useVP8 } from 'werift';
import { withoutPublicStun } from '../../local/sfu/sfu.js';
import { createSession, startTestStack, type TestStack, type TestUser } from '../support/local-stack.js';
import { connectRoom, publishSynthetic, subscribeTo, type SfuPeer } from '../support/sfu-client.js';

/**
 * The local SFU behind the real `signal` route: the realtime function relays with the role
 * the authorizer gave the connection; only a host publishes; viewers receive what it forwards.
 * Peers are werift clients, so this runs without a browser (the e2e suite has the browsers).
 */
let env: TestStack;
let host: TestUser;
let stranger: TestUser;
const peers: SfuPeer[] = [];

beforeAll(async () => {
  env = await startTestStack();
  host = await env.createUser('sfu-host@example.com');
  stranger = await env.createUser('sfu-stranger@example.com');
});

afterAll(async () => {
  await Promise.all(peers.map((peer) => peer.close().catch(() => undefined)));
  await env?.stop();
});

async function until(condition: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('local SFU', () => {
  it('forwards a host publication to subscribers', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const publisher = await publishSynthetic(await connectRoom(env.stack.webSocketUrl, sessionId, host.accessToken), 'host-peer-forwarding', 'pub-forwarding-1');
    peers.push(publisher);
    const viewers = await Promise.all(
      [1, 2].map(async (n) => subscribeTo(await connectRoom(env.stack.webSocketUrl, sessionId), `viewer-peer-${n}-padding`, 'pub-forwarding-1')),
    );
    peers.push(...viewers);
    await until(() => viewers.every((viewer) => viewer.packets() > 20));
    expect(env.stack.sfuStats()).toMatchObject({ sessions: 1, publications: 1 });
  });

  it('refuses a viewer that tries to publish: at the signal route, and at the SFU itself', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    // A signed-in user who is not the host is a viewer, like an anonymous one.
    for (const token of [undefined, stranger.accessToken]) {
      const room = await connectRoom(env.stack.webSocketUrl, sessionId, token);
      const pc = new RTCPeerConnection({ iceServers: [], codecs: { video: [useVP8()] } });
      const transceiver = pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
      withoutPublicStun(pc);
      await pc.setLocalDescription(await pc.createOffer());
      const offer = { media: 'sfu' as const, peer: 'viewer-sneaky-1', publicationId: 'pub-sneaky-1', type: 'description' as const, tracks: [{ mid: transceiver.mid!, publicationId: 'pub-sneaky-1', source: 'camera' as const }] };
      const refused = await room.request({ v: 1, action: 'signal', to: 'sfu', data: { ...offer, description: { type: 'offer', sdp: pc.localDescription!.sdp } } }, 'error');
      expect(refused).toMatchObject({ code: 'forbidden', action: 'signal' });
      // Even an offer that sends nothing is no publication: the SFU checks the relayed role.
      const receiveOnly = pc.localDescription!.sdp.replace('a=sendonly', 'a=recvonly');
      room.send({ v: 1, action: 'signal', to: 'sfu', data: { ...offer, description: { type: 'offer', sdp: receiveOnly } } });
      const answer = await room.waitFor('signal', (m) => m.fromRole === 'sfu');
      expect(answer.data).toMatchObject({ type: 'error', code: 'forbidden', message: 'Only the host may publish media.' });
      await pc.close();
      await room.close();
    }
    expect(env.stack.sfuStats().publications).toBe(1); // only the first test's
  });

  it('answers a subscription to nothing with unavailable, and refuses forged or malformed relays', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const room = await connectRoom(env.stack.webSocketUrl, sessionId);
    room.send({ v: 1, action: 'signal', to: 'sfu', data: { media: 'sfu', peer: 'viewer-peer-x1', publicationId: 'pub-nothing-1', type: 'subscribe' } });
    expect((await room.waitFor('signal', (m) => m.fromRole === 'sfu')).data).toMatchObject({ type: 'unavailable', publicationId: 'pub-nothing-1' });
    // Mesh signalling is never relayed to the SFU.
    expect(await room.request({ v: 1, action: 'signal', to: 'sfu', data: { media: 'mesh', peer: 'viewer-peer-x1', type: 'hello' } }, 'error')).toMatchObject({ code: 'bad_message' });
    await room.close();

    // The SFU's endpoint takes only the realtime function's envelopes.
    const forged = { sessionId, connectionId: 'x', role: 'host', data: { media: 'sfu', peer: 'p-forged-1', type: 'hello' }, replyTo: 'http://127.0.0.1:1/prod' };
    const noSecret = await fetch(env.stack.sfuUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
    expect(noSecret.status).toBe(401);
    const wrongSecret = await fetch(env.stack.sfuUrl, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: JSON.stringify(forged) });
    expect(wrongSecret.status).toBe(401);
    const secret = process.env.SFU_SIGNAL_SECRET!;
    const malformed = await fetch(env.stack.sfuUrl, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: '{"sessionId":' });
    expect(malformed.status).toBe(400);
    const huge = await fetch(env.stack.sfuUrl, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: 'x'.repeat(200_000) }).catch(() => ({ status: 413 }));
    expect(huge.status).toBe(413);
  });

  it('a subscriber that never answers is closed after the answer timeout, and others keep receiving', async () => {
    const sessionId = await createSession(env.stack, host.accessToken);
    const publisher = await publishSynthetic(await connectRoom(env.stack.webSocketUrl, sessionId, host.accessToken), 'host-peer-silent', 'pub-silent-1');
    peers.push(publisher);
    const silent = await connectRoom(env.stack.webSocketUrl, sessionId);
    silent.send({ v: 1, action: 'signal', to: 'sfu', data: { media: 'sfu', peer: 'viewer-never-answers', publicationId: 'pub-silent-1', type: 'subscribe' } });
    await silent.waitFor('signal', (m) => m.fromRole === 'sfu' && m.data.type === 'description', 15_000);
    const healthy = await subscribeTo(await connectRoom(env.stack.webSocketUrl, sessionId), 'viewer-healthy-1', 'pub-silent-1');
    peers.push(healthy);
    await until(() => healthy.packets() > 10);
    // The SFU's answer timeout is 15 s: the silent subscriber's connection is then closed and told so.
    const timedOut = await silent.waitFor('signal', (m) => m.fromRole === 'sfu' && m.data.type === 'error', 25_000);
    expect(timedOut.data).toMatchObject({ code: 'timeout' });
    const before = healthy.packets();
    await until(() => healthy.packets() > before + 10);
    await silent.close();
  }, 60_000);
});
