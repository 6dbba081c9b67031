import { performance } from 'node:perf_hooks';
import { deckLimits } from '../../../src/protocol/decks.js';
import { describeIssues } from '../../../src/protocol/errors.js';
import { conversionFailed, convertToPdf } from '../../converter/convert-document.js';
import { conversionRequestSchema, type ConversionResponse } from '../../converter/conversion-request.js';
import { createLambdaSandbox } from '../../executor/lambda-sandbox.js';
import type { Sandbox } from '../../executor/sandbox.js';

/**
 * The deck converter (container image, amplify/converter/Dockerfile): fetches an upload from a
 * presigned URL, converts it to PDF with LibreOffice in a sandbox, and PUTs the PDF to another
 * presigned URL. Answers with a ConversionResponse, always, never an error.
 *
 * The sandbox is injected: in Lambda it is the Lambda sandbox; the local stack builds this
 * handler with the bubblewrap sandbox instead (local/deck-converter.ts).
 */
export interface DeckConverterDeps {
  sandbox: Sandbox;
  clock: () => number;
  fetch: typeof fetch;
  log: (entry: Record<string, unknown>) => void;
}

export function createDeckConverterHandler(deps: () => DeckConverterDeps) {
  return async (event: unknown): Promise<ConversionResponse> => {
    const parsed = conversionRequestSchema.safeParse(event);
    if (!parsed.success) return { status: 'failed', message: `Invalid conversion request: ${describeIssues(parsed.error)}.` };
    const { sandbox, clock, fetch, log } = deps();
    const { format, sourceUrl, resultUrl } = parsed.data;

    const source = await download(fetch, sourceUrl, deckLimits.maxBytes);
    if (!source.ok) return { status: 'failed', message: conversionFailed(source.message) };
    const conversion = await convertToPdf(sandbox, source.bytes, format, clock);
    log({ message: 'deck conversion', format, bytes: source.bytes.length, status: conversion.status, ...('durationMs' in conversion ? { durationMs: Math.round(conversion.durationMs) } : {}) });
    if (conversion.status !== 'ok') return conversion;

    const put = await fetch(resultUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: new Blob([conversion.pdf as Uint8Array<ArrayBuffer>]) }).catch((error: unknown) => error as Error);
    if (put instanceof Error || !put.ok) {
      const why = put instanceof Error ? put.message : `HTTP ${put.status}`;
      return { status: 'failed', message: conversionFailed(`the PDF could not be stored (${why})`), durationMs: conversion.durationMs };
    }
    return { status: 'ok', pdfBytes: conversion.pdf.length, durationMs: conversion.durationMs };
  };
}

/** The whole body, refusing more than `maxBytes` without reading on. */
async function download(fetchImpl: typeof fetch, url: string, maxBytes: number): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; message: string }> {
  let response: Response;
  try {
    response = await fetchImpl(url);
  } catch (error) {
    return { ok: false, message: `the upload could not be read (${(error as Error).message})` };
  }
  if (!response.ok || !response.body) return { ok: false, message: `the upload could not be read (HTTP ${response.status})` };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) return { ok: false, message: 'the upload is larger than 50 MB' };
    chunks.push(chunk);
  }
  return { ok: true, bytes: new Uint8Array(Buffer.concat(chunks)) };
}

let lambdaDeps: DeckConverterDeps | undefined;

export const handler = createDeckConverterHandler(
  () =>
    (lambdaDeps ??= {
      // As in the code executor: LibreOffice runs as this runtime's own user, which holds no credentials
      // (runtime-entrypoint.sh), with no sockets but AF_UNIX (seccomp); /tmp is wiped and leftovers swept after each job.
      sandbox: createLambdaSandbox({ scratchDir: '/tmp', wipeDirs: ['/tmp', '/dev/shm'], codeUser: 'self' }),
      clock: () => performance.now(),
      fetch: globalThis.fetch,
      log: (entry) => console.log(JSON.stringify(entry)),
    }),
);
