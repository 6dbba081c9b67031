import { describe, expect, it } from 'vitest';
import { LIBREOFFICE_MISSING, convertToPdf } from '../../../amplify/converter/convert-document';
import { deckKeys, type DecksTable, type StoredDeck } from '../../../amplify/data/decks-table';
import { deckObjectKeys } from '../../../amplify/decks/object-keys';
import { CONVERTER_NOT_SET_UP, processDeck } from '../../../amplify/decks/process-deck';
import type { Sandbox, SandboxJob, SandboxJobResult } from '../../../amplify/executor/sandbox';
import { referencedDeckIds } from '../../../amplify/functions/realtime/deck-references';
import type { ObjectStore } from '../../../amplify/storage/object-store';
import { makePdf, makePptx } from '../../support/deck-files';

const hostId = 'host-1';
const deckId = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** An in-memory Decks table and bucket, enough for the processor's logic. */
function fakes(deck: StoredDeck, files: Record<string, Uint8Array>) {
  const decks = new Map([[deck.deckId, { ...deck }]]);
  let lockHeld = true;
  const table: Partial<DecksTable> = {
    async transition(_host, id, from, change) {
      const current = decks.get(id);
      if (!current || !from.includes(current.status)) return undefined;
      const next = { ...current, ...change };
      decks.set(id, next);
      return next;
    },
    async holdLock() {},
    async releaseLock() {
      lockHeld = false;
    },
  };
  const objects: Partial<ObjectStore> = {
    async head(key) {
      return files[key] ? { size: files[key].length } : undefined;
    },
    async get(key) {
      return files[key];
    },
    async put(key, body) {
      files[key] = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    },
    async delete(key) {
      delete files[key];
    },
    async presignDownload(key) {
      return `https://bucket/${key}`;
    },
    async presignUpload(key) {
      return `https://bucket/${key}?put`;
    },
  };
  return { decks, files, table: table as DecksTable, objects: objects as ObjectStore, lockHeld: () => lockHeld };
}

const queued = (format: StoredDeck['format'], size: number): StoredDeck => ({
  deckId,
  hostId,
  name: `deck.${format}`,
  format,
  sizeBytes: size,
  status: 'queued',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

describe('deck processing', () => {
  it('stores a PDF as the deck and forgets the upload', async () => {
    const pdf = makePdf(3);
    const f = fakes(queued('pdf', pdf.length), { [deckObjectKeys.upload(hostId, deckId, 'pdf')]: pdf });
    const done = await processDeck({ decks: f.table, objects: f.objects, now: Date.now, log: () => {} }, hostId, deckId);
    expect(done).toMatchObject({ status: 'ready', pageCount: 3 });
    expect(Object.keys(f.files)).toEqual([deckObjectKeys.document(hostId, deckId)]);
    expect(f.lockHeld()).toBe(false);
  });

  it('says PowerPoint is not set up where the deployment has no converter, and keeps nothing', async () => {
    const pptx = await makePptx(1);
    const f = fakes(queued('pptx', pptx.length), { [deckObjectKeys.upload(hostId, deckId, 'pptx')]: pptx });
    const done = await processDeck({ decks: f.table, objects: f.objects, now: Date.now, log: () => {} }, hostId, deckId);
    expect(done).toMatchObject({ status: 'failed', error: CONVERTER_NOT_SET_UP });
    expect(f.files).toEqual({});
    expect(f.lockHeld()).toBe(false);
  });

  it("passes the converter's own message on, and asks it with presigned URLs only", async () => {
    const pptx = await makePptx(1);
    const f = fakes(queued('pptx', pptx.length), { [deckObjectKeys.upload(hostId, deckId, 'pptx')]: pptx });
    const requests: unknown[] = [];
    const done = await processDeck(
      {
        decks: f.table,
        objects: f.objects,
        convert: async (request) => {
          requests.push(request);
          return { status: 'unavailable', message: LIBREOFFICE_MISSING };
        },
        now: Date.now,
        log: () => {},
      },
      hostId,
      deckId,
    );
    expect(done).toMatchObject({ status: 'failed', error: LIBREOFFICE_MISSING });
    expect(requests).toEqual([{ format: 'pptx', sourceUrl: expect.stringContaining('https://bucket/uploads/'), resultUrl: expect.stringContaining('https://bucket/decks/') }]);
  });

  it('does nothing for a deck that is not queued (deleted, or handled by another invocation)', async () => {
    const f = fakes({ ...queued('pdf', 10), status: 'ready' }, {});
    expect(await processDeck({ decks: f.table, objects: f.objects, now: Date.now, log: () => {} }, hostId, deckId)).toBeUndefined();
  });
});

describe('conversion', () => {
  const sandbox = (over: Partial<Sandbox> & { result?: SandboxJobResult }): Sandbox & { jobs: SandboxJob[] } => {
    const jobs: SandboxJob[] = [];
    return {
      name: 'fake',
      availability: async () => ({ available: true }),
      findProgram: async () => '/usr/bin/soffice',
      runJob: async (job) => {
        jobs.push(job);
        return over.result ?? { kind: 'completed', run: { exitCode: 0, signal: null, durationMs: 1, timedOut: false, stdout: '', stderr: '', outputLimitExceeded: false, collected: { missing: true } } };
      },
      ...over,
      jobs,
    };
  };
  const run = (extra: object) => ({ kind: 'completed' as const, run: { exitCode: 0, signal: null, durationMs: 1, timedOut: false, stdout: '', stderr: '', outputLimitExceeded: false, ...extra } });

  it('names the Debian package when LibreOffice is missing', async () => {
    expect(await convertToPdf(sandbox({ findProgram: async () => null }), new Uint8Array(4), 'pptx', () => 0)).toEqual({ status: 'unavailable', message: LIBREOFFICE_MISSING });
    expect(LIBREOFFICE_MISSING).toContain('libreoffice-impress-nogui');
  });

  it('runs soffice on the file with a fresh profile in the job dir, and collects the PDF', async () => {
    const fake = sandbox({ result: run({ collected: { bytes: new Uint8Array([37, 80, 68, 70]) } }) });
    const result = await convertToPdf(fake, new Uint8Array(4), 'odp', () => 0);
    expect(result).toMatchObject({ status: 'ok', pdf: new Uint8Array([37, 80, 68, 70]) });
    const job = fake.jobs[0]!;
    expect(job.files.map((file) => file.name)).toEqual(['deck.odp']);
    expect(job.run.argv.join(' ')).toContain('-env:UserInstallation=file://$HOME/.libreoffice');
    expect(job.collect).toEqual({ name: 'deck.pdf', maxBytes: expect.any(Number) });
  });

  it('explains timeouts, unreadable files and oversized results', async () => {
    expect(await convertToPdf(sandbox({ result: run({ timedOut: true, exitCode: null, signal: 'SIGKILL' }) }), new Uint8Array(4), 'pptx', () => 0)).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('took longer than 120 seconds'),
    });
    expect(await convertToPdf(sandbox({}), new Uint8Array(4), 'pptx', () => 0)).toMatchObject({ message: expect.stringContaining('could not read it') });
    expect(await convertToPdf(sandbox({ result: run({ collected: { tooLarge: true } }) }), new Uint8Array(4), 'pptx', () => 0)).toMatchObject({
      message: expect.stringContaining('larger than'),
    });
  });
});

describe('deck keys and references', () => {
  it('puts ownership in the key, and sessions beside hosts', () => {
    expect(deckKeys.host('u1')).toBe('host#u1');
    expect(deckKeys.session('s1')).toBe('session#s1');
    expect(deckKeys.deck('d1')).toBe('deck#d1');
    expect(deckObjectKeys.upload('u1', 'd1', 'pptx')).toBe('uploads/u1/d1/source.pptx');
    expect(deckObjectKeys.document('u1', 'd1')).toBe('decks/u1/d1/deck.pdf');
  });

  it('finds deckId wherever a batch sets it, and nowhere else', () => {
    expect(
      referencedDeckIds([
        { type: 'tile.add', tileId: 'a', kind: 'slides', frame: { x: 0, y: 0, w: 1, h: 1, z: 0 }, state: { deckId: 'x', page: 1 } },
        { type: 'tile.state', tileId: 'a', set: { page: 2 } },
        { type: 'tile.state', tileId: 'b', set: { deckId: 'y' } },
        { type: 'tile.state', tileId: 'c', unset: ['deckId'] },
        { type: 'tile.remove', tileId: 'd' },
      ]),
    ).toEqual(['x', 'y']);
  });
});
