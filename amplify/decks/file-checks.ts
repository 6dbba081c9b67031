import { DECK_LIMITS_TEXT, deckFormats, type DeckFormat } from '../../src/protocol/decks.js';

/**
 * Checks an uploaded file's bytes before anything parses or converts it: is it what its name
 * says, is it password-protected, would it unpack to far more than it weighs. Uploaded files are
 * untrusted input: these checks only read headers and the zip directory, never inflate anything.
 */

export type FileCheck = { ok: true } | { ok: false; message: string };

/** What the first bytes say the file is. */
export type SniffedKind = 'pdf' | 'zip' | 'ole' | 'unknown';

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export function sniff(bytes: Uint8Array): SniffedKind {
  // PDF readers accept the header anywhere in the first 1024 bytes.
  if (indexOfAscii(bytes.subarray(0, 1024), '%PDF-') >= 0) return 'pdf';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  if (OLE_MAGIC.every((byte, index) => bytes[index] === byte)) return 'ole';
  return 'unknown';
}

/** Limits for a zip (PPTX, ODP) before it reaches the converter. */
export const zipLimits = {
  /** What all entries may unpack to together. Real decks full of images stay far below. */
  maxUncompressedBytes: 1024 * 1024 * 1024,
  maxEntries: 20_000,
} as const;

/** Is the file the format its name claims, and safe to hand to a parser? */
export function checkUpload(format: DeckFormat, bytes: Uint8Array): FileCheck {
  if (bytes.length === 0) return fail('This file is empty. Choose the file again.');
  const kind = sniff(bytes);
  const label = deckFormats[format].label;
  const notWhatItSays = fail(`This file is not a ${label} file, although its name ends in .${format}. Open it in the program that made it and save or export it again.`);
  switch (format) {
    case 'pdf':
      return kind === 'pdf' ? { ok: true } : notWhatItSays;
    case 'ppt':
      if (kind !== 'ole') return notWhatItSays;
      return isEncryptedOoxml(bytes) ? passwordProtected() : { ok: true };
    case 'pptx':
    case 'odp': {
      // An encrypted PPTX is not a zip at all: Office wraps it in an OLE container.
      if (kind === 'ole' && isEncryptedOoxml(bytes)) return passwordProtected();
      if (kind !== 'zip') return notWhatItSays;
      const zip = readZipDirectory(bytes);
      if (!zip.ok) return fail(`This ${label} file is damaged: ${zip.message}. Save it again and upload the new copy.`);
      if (zip.entryCount > zipLimits.maxEntries) {
        return fail(`This ${label} file could not be converted: it holds ${zip.entryCount} files, more than the ${zipLimits.maxEntries} a deck may have.`);
      }
      const unpacked = zip.entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
      if (unpacked > zipLimits.maxUncompressedBytes) {
        return fail(`This ${label} file could not be converted: it unpacks to more than 1 GB. ${DECK_LIMITS_TEXT}.`);
      }
      const names = new Set(zip.entries.map((entry) => entry.name));
      if (zip.entries.some((entry) => entry.encrypted)) return passwordProtected();
      const looksRight = format === 'pptx' ? names.has('[Content_Types].xml') && names.has('ppt/presentation.xml') : names.has('mimetype') && names.has('content.xml');
      return looksRight ? { ok: true } : notWhatItSays;
    }
  }
}

export function passwordProtectedMessage(): string {
  return 'This file is password-protected. Remove the password (or export an unprotected copy) and upload it again.';
}

function passwordProtected(): FileCheck {
  return fail(passwordProtectedMessage());
}

function fail(message: string): FileCheck {
  return { ok: false, message };
}

/** Office's encrypted OOXML: an OLE compound file with an "EncryptedPackage" stream (names are UTF-16LE). */
function isEncryptedOoxml(bytes: Uint8Array): boolean {
  const name = Buffer.from('EncryptedPackage', 'utf16le');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(name) >= 0;
}

function indexOfAscii(bytes: Uint8Array, text: string): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(text, 0, 'latin1');
}

export interface ZipEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  encrypted: boolean;
}

/**
 * Reads a zip's central directory (with ZIP64 sizes): the names and the sizes each entry claims.
 * Claimed sizes can lie; the converter's sandbox limits (memory, disk, time) catch those.
 */
export function readZipDirectory(bytes: Uint8Array): { ok: true; entryCount: number; entries: ZipEntry[] } | { ok: false; message: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0) return { ok: false, message: 'its table of contents is missing (was the upload cut short?)' };
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) return { ok: false, message: 'its ZIP64 table of contents is missing' };
    const zip64 = Number(view.getBigUint64(locator + 8, true));
    if (zip64 + 56 > bytes.length || view.getUint32(zip64, true) !== 0x06064b50) return { ok: false, message: 'its ZIP64 table of contents is damaged' };
    count = Number(view.getBigUint64(zip64 + 32, true));
    offset = Number(view.getBigUint64(zip64 + 48, true));
  }
  // Too many to be a deck: not worth reading.
  if (count > zipLimits.maxEntries) return { ok: true, entryCount: count, entries: [] };
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return { ok: false, message: 'its table of contents is damaged' };
    const flags = view.getUint16(at + 8, true);
    let compressedSize = view.getUint32(at + 20, true);
    let uncompressedSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const nameEnd = at + 46 + nameLength;
    if (nameEnd + extraLength > bytes.length) return { ok: false, message: 'its table of contents is damaged' };
    const name = Buffer.from(bytes.subarray(at + 46, nameEnd)).toString('utf8');
    // ZIP64 extra field: the real sizes, in this order, for whichever of them is 0xFFFFFFFF.
    let extra = nameEnd;
    while (extra + 4 <= nameEnd + extraLength) {
      const id = view.getUint16(extra, true);
      const size = view.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let field = extra + 4;
        if (uncompressedSize === 0xffffffff && field + 8 <= extra + 4 + size) {
          uncompressedSize = Number(view.getBigUint64(field, true));
          field += 8;
        }
        if (compressedSize === 0xffffffff && field + 8 <= extra + 4 + size) compressedSize = Number(view.getBigUint64(field, true));
      }
      extra += 4 + size;
    }
    entries.push({ name, compressedSize, uncompressedSize, encrypted: (flags & 1) === 1 });
    at = nameEnd + extraLength + commentLength;
  }
  return { ok: true, entryCount: count, entries };
}

/** The End Of Central Directory record sits in the last 22 bytes plus up to 64 KB of comment. */
function findEndOfCentralDirectory(view: DataView): number {
  const last = view.byteLength - 22;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    if (view.getUint32(at, true) === 0x06054b50) return at;
  }
  return -1;
}
