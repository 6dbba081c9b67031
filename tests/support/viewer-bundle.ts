import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';

/**
 * What the viewer route makes a browser download before it can render: the entry chunk, the
 * watch route's chunk, and everything they import statically (lazy chunks excluded). Built in
 * memory with the project's Vite config; shared by the bundle-boundary test and the bench.
 */
export type Chunk = Rolldown.OutputChunk;

export interface ViewerBundle {
  chunks: Chunk[];
  /** Every source module in those chunks. */
  modules: string[];
  /** Sum of each chunk's gzip size (level 9), as a CDN would serve them. */
  gzipBytes: number;
}

export async function buildInMemory(): Promise<Chunk[]> {
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
export function staticClosure(chunks: readonly Chunk[], start: Chunk): Chunk[] {
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

export function viewerBundleOf(chunks: readonly Chunk[]): ViewerBundle {
  const entry = chunks.find((chunk) => chunk.isEntry);
  const watch = chunks.find((chunk) => chunk.facadeModuleId?.endsWith('src/viewer/WatchPage.tsx'));
  if (!entry || !watch) throw new Error('The build has no entry chunk or no chunk for src/viewer/WatchPage.tsx.');
  const viewer = [...new Set([...staticClosure(chunks, entry), ...staticClosure(chunks, watch)])];
  return {
    chunks: viewer,
    modules: viewer.flatMap((chunk) => chunk.moduleIds),
    gzipBytes: viewer.reduce((total, chunk) => total + gzipSync(chunk.code, { level: 9 }).length, 0),
  };
}

export async function measureViewerBundle(): Promise<ViewerBundle> {
  return viewerBundleOf(await buildInMemory());
}
