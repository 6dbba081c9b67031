import { crc32, deflateRawSync } from 'node:zlib';
import PptxGenJS from 'pptxgenjs';

/**
 * Decks for tests and benchmarks, made on the spot: presentations with pptxgenjs, PDFs and
 * hostile files by hand. Each slide (or page) is filled with one known colour and carries its
 * number, so a test can check the pixels a viewer shows.
 */

/** Slide i (1-based) has colour slideColours[(i - 1) % 2]: red, then blue. */
export const slideColours = [
  { hex: 'E02020', rgb: [0xe0, 0x20, 0x20] },
  { hex: '2040E0', rgb: [0x20, 0x40, 0xe0] },
] as const;

export function slideColour(page: number) {
  return slideColours[(page - 1) % slideColours.length]!;
}

/** A PowerPoint deck of `slides` slides: a solid colour, a title and a small table each. */
export async function makePptx(slides: number): Promise<Uint8Array> {
  const deck = new PptxGenJS();
  for (let i = 1; i <= slides; i++) {
    const slide = deck.addSlide();
    slide.background = { color: slideColour(i).hex };
    slide.addText(`Slide ${i}`, { x: 0.5, y: 0.3, w: 9, h: 1.2, fontSize: 40, color: 'FFFFFF' });
    slide.addTable(
      [
        [{ text: 'Quarter' }, { text: 'Viewers' }],
        [{ text: `Q${i}` }, { text: String(i * 100) }],
      ],
      { x: 0.5, y: 3.4, w: 4, fontSize: 14, color: 'FFFFFF' },
    );
  }
  const written = await deck.write({ outputType: 'nodebuffer' });
  return new Uint8Array(written as Buffer);
}

/** A valid PDF of `pages` pages, each filled with its slide colour (16:9). */
export function makePdf(pages: number, options: { encrypt?: boolean } = {}): Uint8Array {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body) ;
  add('<< /Type /Catalog /Pages 2 0 R >>');
  const kids = Array.from({ length: pages }, (_, i) => `${3 + i * 2} 0 R`).join(' ');
  add(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  for (let page = 1; page <= pages; page++) {
    const [r, g, b] = slideColour(page).rgb.map((c) => (c / 255).toFixed(3));
    const content = `${r} ${g} ${b} rg 0 0 960 540 re f`;
    add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 960 540] /Contents ${4 + (page - 1) * 2} 0 R >>`);
    add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  }
  if (options.encrypt) {
    // The standard security handler with a user password: no reader opens it without one.
    add(`<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <${'11'.repeat(32)}> /U <${'22'.repeat(32)}> >>`);
  }
  let text = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(text.length);
    text += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  const encrypt = options.encrypt ? ` /Encrypt ${objects.length} 0 R /ID [<${'33'.repeat(16)}> <${'33'.repeat(16)}>]` : '';
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${encrypt} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(text);
}

/** A zip of the given entries (deflated); `claimedSize` makes an entry claim another unpacked size. */
export function makeZip(entries: Array<{ name: string; data: Uint8Array | string; claimedSize?: number }>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.from(entry.data);
    const compressed = deflateRawSync(data);
    const name = Buffer.from(entry.name, 'utf8');
    const size = entry.claimedSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

/** A "PPTX" whose parts claim to unpack to about 4 GB: a zip bomb as its directory describes it. */
export function makeZipBombPptx(): Uint8Array {
  return makeZip([
    { name: '[Content_Types].xml', data: '<Types/>' },
    { name: 'ppt/presentation.xml', data: '<p:presentation/>' },
    ...Array.from({ length: 4 }, (_, i) => ({ name: `ppt/media/image${i}.bin`, data: new Uint8Array(4096), claimedSize: 0xfffffff0 })),
  ]);
}

/** What Office writes for a password-protected PPTX: an OLE compound file holding an EncryptedPackage stream. */
export function makeEncryptedPptx(): Uint8Array {
  const header = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  const body = Buffer.alloc(2048);
  Buffer.from('EncryptedInfo', 'utf16le').copy(body, 512);
  Buffer.from('EncryptedPackage', 'utf16le').copy(body, 640);
  return new Uint8Array(Buffer.concat([header, body]));
}
