import { describe, expect, it } from 'vitest';
import { TILE_OUTPUT_LIMITS, tileRunFromResult, type RunResult } from '../../../src/protocol/code';
import { initialCodeState, parseCodeState, sourceFits, starterPrograms, tileRunOf } from '../../../src/tiles/code/code-state';
import { minimalChange } from '../../../src/tiles/code/minimal-change';

describe('code tile state', () => {
  it('starts as a runnable Python program', () => {
    expect(initialCodeState()).toEqual({ language: 'python', source: starterPrograms.python, stdin: '' });
  });

  it('reads garbage as a valid state', () => {
    for (const garbage of [null, 42, 'x', [], { language: 'cobol', source: 7, stdin: null, run: 'oops' }]) {
      const state = parseCodeState(garbage);
      expect(state.language).toBe('python');
      expect(state.source).toBe('');
      expect(state.stdin).toBe('');
      expect(tileRunOf(state)).toBeUndefined();
    }
  });

  it('keeps a stored run', () => {
    const run = { runId: 'r', status: 'ok', language: 'cpp', startedAt: 1, finishedAt: 2, exitCode: 0, stdout: 'hi', stderr: '', durationMs: 3, truncated: false };
    expect(tileRunOf(parseCodeState({ language: 'cpp', source: 'x', stdin: '', run }))).toEqual(run);
  });

  it('limits source to what fits a WebSocket frame', () => {
    expect(sourceFits('x'.repeat(24 * 1024))).toBe(true);
    expect(sourceFits('x'.repeat(24 * 1024 + 1))).toBe(false);
    expect(sourceFits('é'.repeat(12 * 1024 + 1))).toBe(false);
  });
});

describe('tileRunFromResult', () => {
  const base = { runId: 'r1', language: 'python' as const, startedAt: 10, finishedAt: 20 };
  const result: RunResult = { status: 'ok', exitCode: 0, stdout: 'out', stderr: 'err', durationMs: 5, truncated: false };

  it('keeps small output as it is', () => {
    expect(tileRunFromResult(result, base)).toEqual({ ...result, ...base });
  });

  it('cuts output to what the canvas keeps and says so', () => {
    const big = { ...result, stdout: 'o'.repeat(TILE_OUTPUT_LIMITS.stdout + 10), compileOutput: 'c'.repeat(TILE_OUTPUT_LIMITS.compileOutput + 1) };
    const run = tileRunFromResult(big, base);
    expect(run.status).toBe('ok');
    if (run.status === 'running') throw new Error('unexpected');
    expect(run.stdout).toHaveLength(TILE_OUTPUT_LIMITS.stdout);
    expect(run.compileOutput).toHaveLength(TILE_OUTPUT_LIMITS.compileOutput);
    expect(run.truncated).toBe(true);
  });
});

describe('minimalChange', () => {
  const apply = (from: string, change: ReturnType<typeof minimalChange>) => from.slice(0, change.from) + change.insert + from.slice(change.to);
  it.each([
    ['', ''],
    ['', 'abc'],
    ['abc', ''],
    ['print(1)', 'print(12)'],
    ['hello world', 'hello brave world'],
    ['aaaa', 'aa'],
    ['abcabc', 'abc'],
    ['x = 1\ny = 2\n', 'x = 1\nz = 3\ny = 2\n'],
  ])('turns %j into %j with one replacement', (from, to) => {
    const change = minimalChange(from, to);
    expect(apply(from, change)).toBe(to);
    expect(change.to - change.from + change.insert.length).toBeLessThanOrEqual(Math.max(from.length, to.length));
  });

  it('touches only the edited middle of a long document', () => {
    const doc = 'a'.repeat(1000) + 'MIDDLE' + 'b'.repeat(1000);
    const change = minimalChange(doc, doc.replace('MIDDLE', 'CENTER'));
    expect(change).toEqual({ from: 1000, to: 1006, insert: 'CENTER' });
  });
});
