import { describe, expect, it } from 'vitest';
import { CapturedText, OutputBudget, completeUtf8Prefix } from '../../amplify/executor/bounded-output.js';

/** Output capture: a shared byte budget, and no half characters at the cut. */

describe('CapturedText with a shared OutputBudget', () => {
  it('keeps everything under the budget', () => {
    const budget = new OutputBudget(10);
    const out = new CapturedText(budget);
    expect(out.push(Buffer.from('hello'))).toBe(false);
    expect(out.text()).toBe('hello');
    expect(out.truncated).toBe(false);
  });

  it('shares one budget between stdout and stderr and reports when it runs out', () => {
    const budget = new OutputBudget(8);
    const stdout = new CapturedText(budget);
    const stderr = new CapturedText(budget);
    expect(stdout.push(Buffer.from('12345'))).toBe(false);
    expect(stderr.push(Buffer.from('abcdef'))).toBe(true);
    expect(stdout.text()).toBe('12345');
    expect(stderr.text()).toBe('abc');
    expect(stdout.truncated && stderr.truncated).toBe(true);
  });

  it('drops everything after the budget ran out, however much arrives', () => {
    const budget = new OutputBudget(4);
    const out = new CapturedText(budget);
    for (let i = 0; i < 1000; i++) out.push(Buffer.alloc(1024, 'x'));
    expect(out.text()).toBe('xxxx');
  });

  it('exactly filling the budget is not truncation', () => {
    const out = new CapturedText(new OutputBudget(3));
    expect(out.push(Buffer.from('abc'))).toBe(false);
    expect(out.truncated).toBe(false);
  });

  it('does not end in half a multi-byte character when cut', () => {
    const out = new CapturedText(new OutputBudget(5));
    out.push(Buffer.from('ab€cd')); // € is 3 bytes: 5 bytes end right after it
    expect(out.text()).toBe('ab€');
    const cut = new CapturedText(new OutputBudget(4));
    cut.push(Buffer.from('ab€'));
    expect(cut.text()).toBe('ab');
  });
});

describe('completeUtf8Prefix', () => {
  it('keeps complete sequences of every length', () => {
    for (const text of ['a', 'é', '€', '😀', 'a😀']) expect(completeUtf8Prefix(Buffer.from(text))).toBe(Buffer.byteLength(text));
  });

  it('drops an incomplete trailing sequence', () => {
    const emoji = Buffer.from('a😀');
    for (let cut = 2; cut < emoji.length; cut++) expect(completeUtf8Prefix(emoji.subarray(0, cut))).toBe(1);
  });
});
