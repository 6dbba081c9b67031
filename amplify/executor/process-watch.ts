import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Small helpers both sandboxes use to watch the process they spawned. */

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves on the process's exit (not on its pipes closing: a leftover child may hold them). */
export function exitOf(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Resolves when the stream ended or closed, or after `graceMs` (then it is destroyed). */
export function drained(stream: Readable | null | undefined, graceMs: number): Promise<void> {
  if (!stream || stream.destroyed || stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      stream.destroy();
      resolve();
    }, graceMs);
    stream.once('close', done);
    stream.once('end', done);
    stream.once('error', done);
  });
}

/** A timer that can be re-armed when a job moves from compiling to running. */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private expiredFlag = false;

  constructor(private readonly onExpire: () => void) {}

  arm(ms: number): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.expiredFlag = true;
      this.onExpire();
    }, ms);
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get expired(): boolean {
    return this.expiredFlag;
  }
}

/** Writes `data` to a child's pipe and closes it; ignores EPIPE from a child that stopped reading. */
export function writeAndClose(stream: NodeJS.WritableStream | null | undefined, data: string | Uint8Array): void {
  if (!stream) return;
  stream.on('error', () => {});
  stream.end(data);
}
