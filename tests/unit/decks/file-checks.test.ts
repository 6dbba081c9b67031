import { describe, expect, it } from 'vitest';
import { checkUpload, readZipDirectory, sniff } from '../../../amplify/decks/file-checks';
import { effectiveDeckStatus } from '../../../src/protocol/decks';
import { makeEncryptedPptx, makePdf, makePptx, makeZip, makeZipBombPptx } from '../../support/deck-files';

describe('deck file checks', () => {
  it('tells formats by their bytes, not their names', async () => {
    expect(sniff(makePdf(1))).toBe('pdf');
    expect(sniff(await makePptx(1))).toBe('zip');
    expect(sniff(makeEncryptedPptx())).toBe('ole');
    expect(sniff(new TextEncoder().encode('hello'))).toBe('unknown');
  });

  it('accepts real files', async () => {
    expect(checkUpload('pdf', makePdf(2))).toEqual({ ok: true });
    expect(checkUpload('pptx', await makePptx(2))).toEqual({ ok: true });
    expect(checkUpload('odp', makeZip([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.presentation' }, { name: 'content.xml', data: '<x/>' }]))).toEqual({ ok: true });
  });

  it('refuses files whose bytes are not what their names say', async () => {
    expect(checkUpload('pdf', await makePptx(1))).toMatchObject({ ok: false, message: expect.stringContaining('not a PDF file') });
    expect(checkUpload('pptx', makePdf(1))).toMatchObject({ ok: false, message: expect.stringContaining('not a PowerPoint file') });
    expect(checkUpload('ppt', makePdf(1))).toMatchObject({ ok: false });
    expect(checkUpload('pptx', makeZip([{ name: 'word/document.xml', data: '<w/>' }]))).toMatchObject({ ok: false, message: expect.stringContaining('not a PowerPoint') });
    expect(checkUpload('pdf', new Uint8Array())).toMatchObject({ ok: false, message: 'This file is empty. Choose the file again.' });
  });

  it('refuses password-protected presentations and zip bombs before any parser sees them', () => {
    expect(checkUpload('pptx', makeEncryptedPptx())).toMatchObject({ ok: false, message: expect.stringContaining('password-protected') });
    expect(checkUpload('pptx', makeZipBombPptx())).toMatchObject({ ok: false, message: expect.stringContaining('unpacks to more than 1 GB') });
  });

  it('reads a zip directory, and says when it is cut short', async () => {
    const pptx = await makePptx(1);
    const directory = readZipDirectory(pptx);
    expect(directory.ok && directory.entries.map((entry) => entry.name)).toContain('ppt/presentation.xml');
    expect(readZipDirectory(pptx.subarray(0, pptx.length - 30))).toMatchObject({ ok: false });
    expect(readZipDirectory(new Uint8Array(10))).toMatchObject({ ok: false });
  });
});

describe('deck status', () => {
  const at = (status: 'uploading' | 'queued' | 'converting' | 'ready', minutesAgo: number) => ({ status, updatedAt: new Date(Date.parse('2026-01-01T12:00:00Z') - minutesAgo * 60_000).toISOString() });
  const now = Date.parse('2026-01-01T12:00:00Z');

  it('counts a stalled upload or conversion as failed, with a reason', () => {
    expect(effectiveDeckStatus(at('uploading', 10), now)).toEqual({ status: 'uploading' });
    expect(effectiveDeckStatus(at('uploading', 21), now)).toMatchObject({ status: 'failed', error: expect.stringContaining('upload did not finish') });
    expect(effectiveDeckStatus(at('converting', 6), now)).toMatchObject({ status: 'failed', error: expect.stringContaining('did not finish in time') });
    expect(effectiveDeckStatus(at('ready', 10_000), now)).toEqual({ status: 'ready' });
  });
});
