import type { DeckFormat } from '../../src/protocol/decks.js';
import type { Sandbox, StepLimits } from '../executor/sandbox.js';

/**
 * Presentation -> PDF with LibreOffice, inside a sandbox (bubblewrap locally, the Lambda
 * sandbox in the converter image): no network, a fresh work dir and LibreOffice profile per
 * job, a time and a memory limit. An uploaded document is untrusted input to a large C++
 * program, so it runs like untrusted code.
 */
export type Conversion =
  | { status: 'ok'; pdf: Uint8Array; durationMs: number }
  | { status: 'failed'; message: string; durationMs: number }
  | { status: 'unavailable'; message: string };

const MiB = 1024 * 1024;

export const conversionLimits = {
  /** A 20-slide deck takes about 3 s on an idle machine; a busy one, ten times that. */
  wallMs: 120_000,
  cpuSeconds: 120,
  /** Heap per process: LibreOffice uses about 210 MB on a 20-slide deck; a zip bomb hits this. */
  dataBytes: 2048 * MiB,
  /** The largest file it may write, the PDF included. */
  fileSizeBytes: 256 * MiB,
  processes: 256,
  openFiles: 1024,
  /** The largest PDF we accept back. */
  maxPdfBytes: 256 * MiB,
} as const;

/** Where LibreOffice looks on the machine; the sandbox's PATH holds it. */
export const SOFFICE = 'soffice';

export const LIBREOFFICE_MISSING =
  'PowerPoint conversion needs LibreOffice on the machine running StreamCanvas: install it with ' +
  '`apt-get install --no-install-recommends libreoffice-impress-nogui`. Until then, upload a PDF (in PowerPoint: File › Export › PDF).';

export function conversionFailed(detail: string): string {
  return `This PowerPoint could not be converted: ${detail}. Open it in PowerPoint, export it as a PDF and upload that.`;
}

export async function convertToPdf(sandbox: Sandbox, document: Uint8Array, format: DeckFormat, clock: () => number): Promise<Conversion> {
  const availability = await sandbox.availability();
  if (!availability.available) return { status: 'unavailable', message: availability.message };
  if (!(await sandbox.findProgram(SOFFICE))) return { status: 'unavailable', message: LIBREOFFICE_MISSING };

  const limits: StepLimits = {
    wallMs: conversionLimits.wallMs,
    cpuSeconds: conversionLimits.cpuSeconds,
    dataBytes: conversionLimits.dataBytes,
    fileSizeBytes: conversionLimits.fileSizeBytes,
    processes: conversionLimits.processes,
    openFiles: conversionLimits.openFiles,
  };
  const input = `deck.${format}`;
  const startedAt = clock();
  // HOME is the job's fresh work dir in both sandboxes: LibreOffice's profile lives and dies with the job.
  const command = `exec ${SOFFICE} "-env:UserInstallation=file://$HOME/.libreoffice" --headless --norestore --nologo --nodefault --nolockcheck --convert-to pdf --outdir . ${input}`;
  const result = await sandbox.runJob({
    files: [{ name: input, content: document }],
    run: { argv: ['/bin/sh', '-c', command], limits },
    stdin: '',
    maxOutputBytes: 64 * 1024,
    collect: { name: 'deck.pdf', maxBytes: conversionLimits.maxPdfBytes },
  });
  const durationMs = clock() - startedAt;
  if (result.kind === 'unavailable') return { status: 'unavailable', message: result.message };
  if (result.kind === 'failed') return { status: 'failed', message: conversionFailed(`the converter broke (${result.message})`), durationMs };
  const run = result.run;
  if (!run) return { status: 'failed', message: conversionFailed('the converter did not start'), durationMs };
  if (run.timedOut || run.signal === 'SIGXCPU') {
    return { status: 'failed', message: conversionFailed(`it took longer than ${conversionLimits.wallMs / 1000} seconds`), durationMs };
  }
  const collected = run.collected;
  if (collected && 'bytes' in collected) return { status: 'ok', pdf: collected.bytes, durationMs };
  if (collected && 'tooLarge' in collected) {
    return { status: 'failed', message: conversionFailed(`its PDF would be larger than ${conversionLimits.maxPdfBytes / MiB} MB`), durationMs };
  }
  // LibreOffice exits 0 without output for files it cannot read (damaged, or protected by a password).
  const why = run.signal ? `LibreOffice stopped (${run.signal}; the file may be too large to open)` : 'LibreOffice could not read it (is it damaged or password-protected?)';
  return { status: 'failed', message: conversionFailed(why), durationMs };
}
