import { describe, expect, it } from 'vitest';
import { buildInMemory, viewerBundleOf } from '../../support/viewer-bundle';

/**
 * Guards the code-splitting the viewer's load time depends on: the entry and the viewer
 * route must not pull in Amplify (auth, UI, Authenticator), the host pages or tile editors,
 * and their JS must stay under the 150 KB gzip budget.
 */
describe('bundle boundaries', () => {
  it('keeps Amplify, the studio and tile editors out of the viewer route, within 150 KB gzip', async () => {
    const chunks = await buildInMemory();
    const { modules, gzipBytes } = viewerBundleOf(chunks);
    expect(modules.filter((id) => /[\\/](aws-amplify|@aws-amplify)[\\/]/.test(id))).toEqual([]);
    expect(modules.filter((id) => /[\\/]src[\\/](auth|dashboard|studio)[\\/]/.test(id))).toEqual([]);
    // Editors are for the host only; they load lazily in the studio.
    expect(modules.filter((id) => /[\\/]src[\\/]tiles[\\/][^\\/]+[\\/][^\\/]*Editor\.tsx$/.test(id))).toEqual([]);
    // Media loads only with a media tile or sound: no provider, hub, device or tile view code up front,
    // and never the SFU's werift (a server dependency).
    const media = modules.filter((id) => /[\\/]src[\\/](media|tiles[\\/]media)[\\/]/.test(id));
    expect(media.map((id) => id.replace(/^.*[\\/]src[\\/]/, 'src/')).sort()).toEqual(['src/media/media-context.tsx', 'src/media/session-audio-refs.ts', 'src/tiles/media/media-state.ts']);
    expect(modules.filter((id) => /werift/.test(id))).toEqual([]);
    // Amazon's IVS SDK (proprietary, ~190 KB gzip) only ever loads by dynamic import on IVS deployments.
    expect(modules.filter((id) => /amazon-ivs-web-broadcast/.test(id))).toEqual([]);
    const ivs = (names: string[]) => names.some((name) => /amazon-ivs-web-broadcast/.test(name));
    expect(chunks.filter((chunk) => ivs(chunk.imports)).map((chunk) => chunk.fileName)).toEqual([]);
    expect(chunks.filter((chunk) => ivs(chunk.dynamicImports)).map((chunk) => chunk.name)).toEqual(['use-media']);
    // The clock's face is in the viewer route, so a late joiner's first render waits for no extra chunk.
    expect(modules.some((id) => id.endsWith('src/tiles/clock/ClockFace.tsx'))).toBe(true);

    expect(gzipBytes).toBeGreaterThan(50 * 1024); // sanity: React and the app are in there
    expect(gzipBytes, `viewer route initial JS is ${(gzipBytes / 1024).toFixed(1)} KB gzip`).toBeLessThan(150 * 1024);
  });
});
