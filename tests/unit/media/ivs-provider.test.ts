import { afterEach, describe, expect, it } from 'vitest';
import { IvsProvider } from '../../../src/media/ivs/ivs-provider';
import type { IvsSdk } from '../../../src/media/ivs/sdk';
import { httpIvsTokenSource } from '../../../src/media/ivs/token-source';
import { MediaError, type MediaProvider } from '../../../src/media/types';
import { FakeTrack } from './fake-peer-connection';
import { FakeIvsStageServer } from './fake-ivs-sdk';
import { settle, until } from './provider-contract';

/** What the IVS provider adds to the contract: tokens, joins, event mapping, reconnection, stats. */
let server: FakeIvsStageServer;
const providers: MediaProvider[] = [];
afterEach(() => {
  for (const provider of providers.splice(0)) provider.close();
});

function page(role: 'host' | 'viewer', client = role, sdk?: () => Promise<IvsSdk>) {
  const provider = new IvsProvider({ role, tokens: server.tokens(client, role), sdk: sdk ?? (async () => server.sdk), retryDelayMs: () => 10 });
  providers.push(provider);
  return provider;
}
const video = () => new FakeTrack('video') as unknown as MediaStreamTrack;
const tokensOf = (client: string) => server.tokenRequests.filter((r) => r.client === client).map((r) => r.kind);

describe('IVS provider', () => {
  it('a viewer page joins the stage once, subscribe-only, for all its subscriptions', async () => {
    server = new FakeIvsStageServer();
    const host = page('host');
    const camera = await host.publish(video(), { source: 'camera' });
    const screen = await host.publish(video(), { source: 'screen' });
    const viewer = page('viewer');
    const subscriptions = [viewer.subscribe(camera.ref.publicationId), viewer.subscribe(screen.ref.publicationId), viewer.subscribe(camera.ref.publicationId)];
    await until(() => subscriptions.every((s) => s.state === 'live'));
    expect(tokensOf('viewer')).toEqual(['subscribe']);
    expect(tokensOf('host')).toEqual(['publish', 'publish']);
    const viewerStages = server.joined().filter((stage) => stage.grant?.client === 'viewer');
    expect(viewerStages).toHaveLength(1);
    expect(viewerStages[0]!.strategy.stageStreamsToPublish()).toEqual([]);
    expect(viewerStages[0]!.published).toEqual([]);
  });

  it('subscribes only to the publications it was asked for', async () => {
    server = new FakeIvsStageServer();
    const host = page('host');
    const camera = await host.publish(video(), { source: 'camera' });
    const screen = await host.publish(video(), { source: 'screen' });
    const viewer = page('viewer');
    const subscription = viewer.subscribe(camera.ref.publicationId);
    await until(() => subscription.state === 'live');
    const viewerStage = server.joined().find((stage) => stage.grant?.client === 'viewer')!;
    const screenStage = server.joined().find((stage) => stage.grant?.attributes.publicationId === screen.ref.publicationId)!;
    expect(viewerStage.receiving.has(screenStage.participant!.id)).toBe(false);
    // Asking later subscribes then, without a new join.
    const later = viewer.subscribe(screen.ref.publicationId);
    await until(() => later.state === 'live');
    expect(tokensOf('viewer')).toEqual(['subscribe']);
  });

  it('before the host publishes, subscriptions are unavailable, then go live once it does', async () => {
    server = new FakeIvsStageServer();
    const host = page('host');
    const viewer = page('viewer');
    const subscription = viewer.subscribe('publication-that-comes-later');
    await until(() => subscription.state === 'unavailable');
    expect(subscription.error).toBeUndefined();
    // The real publication id is chosen by the provider; a fresh subscription to it goes live.
    const camera = await host.publish(video(), { source: 'camera' });
    const live = viewer.subscribe(camera.ref.publicationId);
    await until(() => live.state === 'live');
    expect(tokensOf('viewer').length).toBeGreaterThan(1);
  });

  it('every rejoin after a drop uses a fresh token (IVS tokens are single use)', async () => {
    server = new FakeIvsStageServer();
    const host = page('host');
    const camera = await host.publish(video(), { source: 'camera' });
    const viewer = page('viewer');
    const subscription = viewer.subscribe(camera.ref.publicationId);
    await until(() => subscription.state === 'live');
    const states: string[] = [];
    subscription.onChange(() => states.push(subscription.state));
    for (let drop = 0; drop < 2; drop++) {
      server.drop('viewer');
      await until(() => states.at(-1) === 'connecting');
      await until(() => subscription.state === 'live');
    }
    expect(tokensOf('viewer')).toEqual(['subscribe', 'subscribe', 'subscribe']);
    expect([...server.grants.values()].every((grant) => grant.used)).toBe(true);
  });

  it("the host's dropped publication rejoins with a new publish token, and viewers get it back", async () => {
    server = new FakeIvsStageServer();
    const host = page('host');
    const camera = await host.publish(video(), { source: 'camera' });
    const subscription = page('viewer').subscribe(camera.ref.publicationId);
    await until(() => subscription.state === 'live');
    server.drop('host');
    await until(() => subscription.state === 'unavailable');
    await until(() => subscription.state === 'live');
    expect(tokensOf('host')).toEqual(['publish', 'publish']);
  });

  it('a refused publish token rejects the publication with its reason and leaves no stage joined', async () => {
    server = new FakeIvsStageServer();
    // A viewer's token source refuses to publish (as the server does); the provider is told it is a host.
    const provider = new IvsProvider({ role: 'host', tokens: server.tokens('impostor', 'viewer'), sdk: async () => server.sdk, retryDelayMs: () => 10 });
    providers.push(provider);
    await expect(provider.publish(video(), { source: 'camera' })).rejects.toMatchObject({ code: 'forbidden' });
    await settle();
    expect(server.joined()).toEqual([]);
  });

  it('a session without media (token refused as unavailable) keeps retrying quietly; other failures say why', async () => {
    server = new FakeIvsStageServer();
    server.failSubscribeTokens = new MediaError('unavailable', 'This session has ended: its media is over.');
    const subscription = page('viewer').subscribe('camera-publication-1');
    await until(() => subscription.state === 'unavailable');
    server.failSubscribeTokens = new MediaError('timeout', 'Could not reach the StreamCanvas API for a media token.');
    await until(() => subscription.error === 'Could not reach the StreamCanvas API for a media token.');
    expect(subscription.state).toBe('connecting');
  });

  it('a page that cannot load the SDK fails its subscriptions with the reason', async () => {
    server = new FakeIvsStageServer();
    const viewer = page('viewer', 'viewer', async () => {
      throw new Error('Failed to fetch dynamically imported module');
    });
    const subscription = viewer.subscribe('camera-publication-1');
    await until(() => subscription.state === 'failed');
    expect(subscription.error).toMatch(/dynamically imported module/);
  });

  it('reports bitrate from the stage stream stats, and the host upload per publication', async () => {
    server = new FakeIvsStageServer();
    const host = page('host');
    const camera = await host.publish(video(), { source: 'camera' });
    await host.publish(new FakeTrack('audio') as unknown as MediaStreamTrack, { source: 'mic' });
    const subscription = page('viewer').subscribe(camera.ref.publicationId);
    await until(() => subscription.state === 'live');
    expect(await subscription.stats()).toMatchObject({ kind: 'video', kbps: 0, width: 640, height: 360 });
    expect((await subscription.stats())!.kbps).toBeGreaterThan(0);
    await host.uploadStats();
    expect(await host.uploadStats()).toMatchObject({ connections: 2, kbps: expect.any(Number) });
    expect((await host.uploadStats()).kbps).toBeGreaterThan(0);
  });

  it('a viewer page with nothing left to watch leaves the stage (participant-hours), and rejoins when asked again', async () => {
    server = new FakeIvsStageServer();
    const host = page('host');
    const camera = await host.publish(video(), { source: 'camera' });
    const viewer = new IvsProvider({ role: 'viewer', tokens: server.tokens('viewer', 'viewer'), sdk: async () => server.sdk, retryDelayMs: () => 10, idleLeaveMs: 20 });
    providers.push(viewer);
    const first = viewer.subscribe(camera.ref.publicationId);
    await until(() => first.state === 'live');
    first.close();
    await until(() => !server.joined().some((stage) => stage.grant?.client === 'viewer'));
    const again = viewer.subscribe(camera.ref.publicationId);
    await until(() => again.state === 'live');
    expect(tokensOf('viewer')).toEqual(['subscribe', 'subscribe']);
  });

  it('closing and reopening a subscription within the grace keeps the same join', async () => {
    server = new FakeIvsStageServer();
    const host = page('host');
    const camera = await host.publish(video(), { source: 'camera' });
    const viewer = page('viewer');
    viewer.subscribe(camera.ref.publicationId).close();
    const next = viewer.subscribe(camera.ref.publicationId);
    await until(() => next.state === 'live');
    await settle(50);
    expect(tokensOf('viewer')).toEqual(['subscribe']);
  });

  it('the bitrate cap reaches the SDK stream', async () => {
    server = new FakeIvsStageServer();
    const configs: unknown[] = [];
    const Local = server.sdk.LocalStageStream;
    const sdk = { ...server.sdk, LocalStageStream: class extends Local { constructor(track: MediaStreamTrack, config?: { maxBitrate?: number }) { super(track, config); configs.push(config); } } };
    const host = page('host', 'host', async () => sdk);
    await host.publish(video(), { source: 'camera', maxBitrateKbps: 1200 });
    expect(configs).toEqual([{ maxBitrate: 1200 }]);
  });
});

describe('IVS token source', () => {
  const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const token = { token: 'tok', participantId: 'p', capabilities: ['SUBSCRIBE'], expiresAt: '2026-12-04T20:00:00.000Z' };

  it('asks the publish route with the access token and the subscribe route without one', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const source = httpIvsTokenSource({
      httpApiUrl: 'https://api.example.com/',
      sessionId: '6c1f5a43-2f5e-4b64-9a0b-8f0a5f3b9e11',
      getAccessToken: async () => 'access',
      fetch: async (url, init) => {
        calls.push({ url: String(url), init: init! });
        return answer(200, token);
      },
    });
    expect(await source.publish('camera-publication-1', 'camera')).toBe('tok');
    expect(await source.subscribe()).toBe('tok');
    expect(calls.map((c) => c.url)).toEqual([
      'https://api.example.com/sessions/6c1f5a43-2f5e-4b64-9a0b-8f0a5f3b9e11/media/publish-token',
      'https://api.example.com/sessions/6c1f5a43-2f5e-4b64-9a0b-8f0a5f3b9e11/media/subscribe-token',
    ]);
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer access');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ publicationId: 'camera-publication-1', source: 'camera' });
    expect((calls[1]!.init.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it("turns the API's errors into media errors with their resolution", async () => {
    const source = httpIvsTokenSource({
      httpApiUrl: 'https://api.example.com',
      sessionId: 's',
      getAccessToken: async () => 'access',
      fetch: async () => answer(503, { error: { code: 'Unavailable', message: 'Amazon IVS refused: quota.', resolution: 'Raise "Stages" in Service Quotas.' } }),
    });
    await expect(source.publish('camera-publication-1', 'camera')).rejects.toMatchObject({ code: 'unavailable', message: 'Amazon IVS refused: quota.', resolution: 'Raise "Stages" in Service Quotas.' });
    const signedOut = httpIvsTokenSource({ httpApiUrl: 'https://api.example.com', sessionId: 's', fetch: async () => answer(200, token) });
    await expect(signedOut.publish('camera-publication-1', 'camera')).rejects.toMatchObject({ code: 'forbidden' });
    const garbage = httpIvsTokenSource({ httpApiUrl: 'https://api.example.com', sessionId: 's', fetch: async () => answer(200, { token: 42 }) });
    await expect(garbage.subscribe()).rejects.toBeInstanceOf(MediaError);
    const offline = httpIvsTokenSource({ httpApiUrl: 'https://api.example.com', sessionId: 's', fetch: async () => { throw new TypeError('Failed to fetch'); } });
    await expect(offline.subscribe()).rejects.toMatchObject({ code: 'timeout' });
  });
});
