/**
 * Output capture with a byte budget shared by several streams (a run's stdout
 * and stderr share one), so a program that floods its output costs at most
 * the budget in memory, however much it writes.
 */

export class OutputBudget {
  private remaining: number;
  private exceeded = false;

  constructor(readonly limitBytes: number) {
    this.remaining = limitBytes;
  }

  /** The part of `chunk` that still fits; marks the budget exceeded when something was dropped. */
  take(chunk: Buffer): Buffer {
    if (chunk.length <= this.remaining) {
      this.remaining -= chunk.length;
      return chunk;
    }
    const kept = chunk.subarray(0, this.remaining);
    this.remaining = 0;
    this.exceeded = true;
    return kept;
  }

  get isExceeded(): boolean {
    return this.exceeded;
  }
}

export class CapturedText {
  private readonly chunks: Buffer[] = [];

  constructor(private readonly budget: OutputBudget) {}

  /** Keeps what fits in the budget; returns true once the budget is exceeded. */
  push(chunk: Buffer): boolean {
    const kept = this.budget.take(chunk);
    if (kept.length > 0) this.chunks.push(kept);
    return this.budget.isExceeded;
  }

  /** True when the shared budget ran out, so this text may be cut short. */
  get truncated(): boolean {
    return this.budget.isExceeded;
  }

  /** The captured bytes as UTF-8, without a multi-byte character cut in half at the budget's edge. */
  text(): string {
    const bytes = Buffer.concat(this.chunks);
    const end = this.budget.isExceeded ? completeUtf8Prefix(bytes) : bytes.length;
    return bytes.subarray(0, end).toString('utf8');
  }
}

/** Length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence. */
export function completeUtf8Prefix(bytes: Buffer): number {
  // A sequence is at most 4 bytes: look back at most 3 for its lead byte.
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte
    const expected = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return back >= expected ? bytes.length : bytes.length - back;
  }
  return bytes.length;
}

/** A file handed back by a sandbox, kept only while it fits `maxBytes`. */
export class CollectedBytes {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size <= this.maxBytes) this.chunks.push(chunk);
    else this.chunks.length = 0;
  }

  /** An empty file counts as missing: a converter that wrote nothing produced nothing. */
  result(): { bytes: Uint8Array } | { missing: true } | { tooLarge: true } {
    if (this.size > this.maxBytes) return { tooLarge: true };
    if (this.size === 0) return { missing: true };
    return { bytes: new Uint8Array(Buffer.concat(this.chunks)) };
  }
}
