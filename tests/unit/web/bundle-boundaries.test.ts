import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';

/**
 * Guards the code-splitting the viewer's load time depends on: the entry and the viewer
 * route must not pull in Amplify (auth, UI, Authenticator) or the host pages, and their
 * JS must stay under the 150 KB gzip budget. Builds in memory with the project's Vite config.
 */
type Chunk = Rolldown.OutputChunk;

async function buildInMemory(): Promise<Chunk[]> {
  // Vitest sets NODE_ENV=test, which Vite would honour with React's development builds.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      configFile: 'vite.config.ts',
      mode: 'production',
      logLevel: 'silent',
      build: { write: false, sourcemap: false, reportCompressedSize: false },
    });
  } finally {
    process.env.NODE_ENV = previous;
  }
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  return outputs.flatMap((output) => output.output.filter((file): file is Chunk => file.type === 'chunk'));
}

/** A chunk and everything it imports statically: what the browser loads before the route renders. */
function staticClosure(chunks: Chunk[], start: Chunk): Chunk[] {
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const seen = new Map<string, Chunk>();
  const visit = (chunk: Chunk) => {
    if (seen.has(chunk.fileName)) return;
    seen.set(chunk.fileName, chunk);
    for (const name of chunk.imports) {
      const imported = byName.get(name);
      if (imported) visit(imported);
    }
  };
  visit(start);
  return [...seen.values()];
}

describe('bundle boundaries', () => {
  it('keeps Amplify out of the entry and the viewer route, within 150 KB gzip', async () => {
    const chunks = await buildInMemory();
    const entry = chunks.find((chunk) => chunk.isEntry);
    const watch = chunks.find((chunk) => chunk.facadeModuleId?.endsWith('src/viewer/WatchPage.tsx'));
    expect(entry).toBeDefined();
    expect(watch).toBeDefined();

    const viewer = [...new Set([...staticClosure(chunks, entry!), ...staticClosure(chunks, watch!)])];
    const modules = viewer.flatMap((chunk) => chunk.moduleIds);
    expect(modules.filter((id) => /[\\/](aws-amplify|@aws-amplify)[\\/]/.test(id))).toEqual([]);
    expect(modules.filter((id) => /[\\/]src[\\/](auth|dashboard|studio)[\\/]/.test(id))).toEqual([]);

    const gzipBytes = viewer.reduce((total, chunk) => total + gzipSync(chunk.code, { level: 9 }).length, 0);
    expect(gzipBytes).toBeGreaterThan(50 * 1024); // sanity: React and the app are in there
    expect(gzipBytes, `viewer route initial JS is ${(gzipBytes / 1024).toFixed(1)} KB gzip`).toBeLessThan(150 * 1024);
  });
});
