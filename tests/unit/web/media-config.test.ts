import { describe, expect, it } from 'vitest';
import { mediaOutputsFromEnv } from '../../../amplify/media/config';
import { DEFAULT_MEDIA_CONFIG, parseAppConfig } from '../../../src/config/schema';

const outputs = (media?: unknown) => ({
  version: '1.4',
  auth: { aws_region: 'eu-west-1', user_pool_id: 'p', user_pool_client_id: 'c' },
  custom: { httpApiUrl: 'https://api.example.com', webSocketUrl: 'wss://ws.example.com/prod', region: 'eu-west-1', ...(media ? { media } : {}) },
});

describe('media config', () => {
  it('defaults to mesh with no ICE servers when the outputs have no media block', () => {
    expect(parseAppConfig(outputs()).media).toEqual(DEFAULT_MEDIA_CONFIG);
  });

  it('reads providers, the default and ICE servers', () => {
    const media = { providers: ['mesh', 'sfu'], defaultProvider: 'sfu', iceServers: [{ urls: 'stun:stun.example.com:3478' }] };
    expect(parseAppConfig(outputs(media)).media).toEqual(media);
  });

  it.each([
    ['an ICE server with credentials', { providers: ['mesh'], defaultProvider: 'mesh', iceServers: [{ urls: 'turn:t.example.com', username: 'u', credential: 'secret' }] }, 'credentials never go into the public config'],
    ['a default that is not offered', { providers: ['mesh'], defaultProvider: 'sfu', iceServers: [] }, 'defaultProvider must be one of providers'],
    ['an unknown provider', { providers: ['webrtc'], defaultProvider: 'webrtc', iceServers: [] }, 'custom.media.providers'],
    ['an http ICE URL', { providers: ['mesh'], defaultProvider: 'mesh', iceServers: [{ urls: 'http://stun.example.com' }] }, 'custom.media.iceServers'],
  ])('refuses %s with a message naming it', (_name, media, message) => {
    expect(() => parseAppConfig(outputs(media))).toThrow(message);
  });

  it('builds the AWS outputs from STREAMCANVAS_ICE_SERVERS, refusing anything but stun:/turn: URLs', () => {
    expect(mediaOutputsFromEnv({}).iceServers).toEqual([{ urls: 'stun:stun.l.google.com:19302' }]);
    expect(mediaOutputsFromEnv({ STREAMCANVAS_ICE_SERVERS: 'none' }).iceServers).toEqual([]);
    expect(mediaOutputsFromEnv({ STREAMCANVAS_ICE_SERVERS: 'stun:a.example.com:3478, turn:b.example.com' }).iceServers).toEqual([
      { urls: 'stun:a.example.com:3478' },
      { urls: 'turn:b.example.com' },
    ]);
    expect(() => mediaOutputsFromEnv({ STREAMCANVAS_ICE_SERVERS: 'https://x' })).toThrow(/Resolution: set it to comma-separated URLs/);
  });
});
