import { performance } from 'node:perf_hooks';
import { createBwrapSandbox } from '../amplify/executor/bwrap-sandbox.js';
import { createDeckConverterHandler } from '../amplify/functions/deck-converter/handler.js';
import type { Sandbox } from '../amplify/executor/sandbox.js';
import type { LocalFunction } from './lambda-service.js';

const MiB = 1024 * 1024;

/**
 * The sandbox LibreOffice runs in on this machine: the code tile's bubblewrap sandbox (no
 * network, no host files, fresh tmpfs work dir and /tmp per job), with room for a 50 MB upload
 * and its PDF, and the font and LibreOffice configuration it reads.
 */
export function localConversionSandbox(): Sandbox {
  return createBwrapSandbox({
    workDirBytes: 512 * MiB,
    tmpDirBytes: 128 * MiB,
    extraReadOnlyPaths: ['/etc/fonts', '/etc/libreoffice'],
  });
}

/** The converter Lambda's handler with the bubblewrap sandbox in place of Lambda's own isolation. */
export function localDeckConverter(log: (line: string) => void): LocalFunction {
  const sandbox = localConversionSandbox();
  return createDeckConverterHandler(() => ({
    sandbox,
    clock: () => performance.now(),
    fetch: globalThis.fetch,
    log: (entry) => {
      if (entry.status !== 'ok') log(`deck conversion: ${JSON.stringify(entry)}`);
    },
  }));
}
