import { describe, expect, it } from 'vitest';
import { ivsRecordingFromEnv, mediaOutputsFromEnv, mediaProviderFromEnv, sfuFromEnv } from '../../../amplify/media/config';
import { mediaOutputsSchema } from '../../../src/config/schema';

/** STREAMCANVAS_MEDIA_PROVIDER and friends: defaults per deployment type, refusals with a resolution. */
describe('media provider selection', () => {
  it('defaults to ivs on branches and mesh on sandboxes', () => {
    expect(mediaProviderFromEnv({}, { sandbox: false })).toBe('ivs');
    expect(mediaProviderFromEnv({}, { sandbox: true })).toBe('mesh');
    expect(mediaProviderFromEnv({ STREAMCANVAS_MEDIA_PROVIDER: ' ' }, { sandbox: false })).toBe('ivs');
  });

  it('takes mesh, sfu or ivs anywhere and refuses anything else', () => {
    expect(mediaProviderFromEnv({ STREAMCANVAS_MEDIA_PROVIDER: 'mesh' }, { sandbox: false })).toBe('mesh');
    expect(mediaProviderFromEnv({ STREAMCANVAS_MEDIA_PROVIDER: 'ivs' }, { sandbox: true })).toBe('ivs');
    expect(() => mediaProviderFromEnv({ STREAMCANVAS_MEDIA_PROVIDER: 'IVS' }, { sandbox: false })).toThrow(/Resolution: set it to mesh, sfu, ivs/);
  });

  it('outputs keep mesh beside ivs and sfu, and stay valid for the browser', () => {
    for (const provider of ['mesh', 'sfu', 'ivs'] as const) {
      const outputs = mediaOutputsFromEnv({}, provider);
      expect(outputs.defaultProvider).toBe(provider);
      expect(outputs.providers).toContain('mesh');
      expect(mediaOutputsSchema.safeParse(outputs).success).toBe(true);
    }
    expect(mediaOutputsFromEnv({}, 'ivs').providers).toEqual(['ivs', 'mesh']);
  });

  it('sfu needs an https URL and a long secret', () => {
    expect(sfuFromEnv({ STREAMCANVAS_SFU_SIGNAL_URL: 'https://sfu.example.com/signal', STREAMCANVAS_SFU_SIGNAL_SECRET: 'x'.repeat(24) })).toEqual({
      url: 'https://sfu.example.com/signal',
      secret: 'x'.repeat(24),
    });
    for (const env of [{}, { STREAMCANVAS_SFU_SIGNAL_URL: 'http://sfu.example.com', STREAMCANVAS_SFU_SIGNAL_SECRET: 'x'.repeat(24) }, { STREAMCANVAS_SFU_SIGNAL_URL: 'https://sfu.example.com', STREAMCANVAS_SFU_SIGNAL_SECRET: 'short' }]) {
      expect(() => sfuFromEnv(env)).toThrow(/Resolution/);
    }
  });

  it('recording is off unless exactly true', () => {
    expect(ivsRecordingFromEnv({})).toBe(false);
    expect(ivsRecordingFromEnv({ STREAMCANVAS_IVS_RECORDING: 'false' })).toBe(false);
    expect(ivsRecordingFromEnv({ STREAMCANVAS_IVS_RECORDING: 'true' })).toBe(true);
    expect(() => ivsRecordingFromEnv({ STREAMCANVAS_IVS_RECORDING: 'yes' })).toThrow(/Resolution/);
  });
});
