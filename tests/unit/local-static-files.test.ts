import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { staticFiles } from '../../local/web-server.js';

describe('the local web server’s built files', () => {
  const dirs: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamcanvas-static-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('gzips text files for browsers that accept it, and serves them as they are otherwise', () => {
    const file = join(folder(), 'entry.js');
    const code = `export const x = ${JSON.stringify('a'.repeat(5000))};\n`;
    writeFileSync(file, code);
    const files = staticFiles();
    const gzipped = files.read(file, true)!;
    expect(gzipped.encoding).toBe('gzip');
    expect(gzipped.body.length).toBeLessThan(code.length / 10);
    expect(gunzipSync(gzipped.body).toString()).toBe(code);
    const plain = files.read(file, false)!;
    expect(plain.encoding).toBeUndefined();
    expect(plain.body.toString()).toBe(code);
  });

  it('leaves small files and binary types uncompressed', () => {
    const dir = folder();
    writeFileSync(join(dir, 'small.js'), 'export {};\n');
    writeFileSync(join(dir, 'font.woff2'), Buffer.alloc(4096, 7));
    const files = staticFiles();
    expect(files.read(join(dir, 'small.js'), true)!.encoding).toBeUndefined();
    expect(files.read(join(dir, 'font.woff2'), true)!.encoding).toBeUndefined();
  });

  it('has nothing for a missing file or a folder (the server then serves the app)', () => {
    const dir = folder();
    const files = staticFiles();
    expect(files.read(join(dir, 'missing.js'), true)).toBeUndefined();
    expect(files.read(dir, true)).toBeUndefined();
  });

  it('reads a file again once it changes (a rebuild), not before', () => {
    const file = join(folder(), 'index.html');
    writeFileSync(file, `<p>${'one '.repeat(400)}</p>`);
    const files = staticFiles();
    const first = files.read(file, false)!.body;
    expect(files.read(file, false)!.body).toBe(first); // the cached buffer itself
    writeFileSync(file, `<p>${'two '.repeat(400)}</p>`);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(files.read(file, false)!.body.toString()).toContain('two');
    expect(gunzipSync(files.read(file, true)!.body).toString()).toContain('two');
  });
});
