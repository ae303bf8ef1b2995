/**
 * Entry bundles (C2SP tlog-tiles): up to 256 consecutive records, each a
 * big-endian uint16 length followed by the record's stored bytes. Records are
 * under 64 KiB (`MAX_RECORD_BYTES`), so every one fits the prefix.
 */
import { TILE_WIDTH } from './tile-path.js';

/** The largest record a bundle can hold. */
export const MAX_BUNDLE_ENTRY = 0xffff;

/** Encodes records into one bundle. Throws for an empty list, more than 256 records, or a record over 65,535 bytes. */
export function encodeBundle(records: readonly Uint8Array[]): Buffer {
  if (records.length === 0 || records.length > TILE_WIDTH) throw new RangeError(`a bundle holds 1 to ${TILE_WIDTH} records, not ${records.length}`);
  const parts: Buffer[] = [];
  for (const [i, r] of records.entries()) {
    if (r.byteLength > MAX_BUNDLE_ENTRY) throw new RangeError(`record ${i} of the bundle has ${r.byteLength} bytes, over the uint16 length prefix`);
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16BE(r.byteLength, 0);
    parts.push(len, Buffer.from(r.buffer, r.byteOffset, r.byteLength));
  }
  return Buffer.concat(parts);
}

/** The records of a bundle, or the reason it is not a well-formed bundle of `width` records. */
export function decodeBundle(bytes: Uint8Array, width: number): { ok: true; records: Buffer[] } | { ok: false; reason: string } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    if (records.length === width) return { ok: false, reason: `more than ${width} records (${buf.length - off} bytes left over)` };
    if (off + 2 > buf.length) return { ok: false, reason: `a length prefix is cut off at byte ${off}` };
    const len = buf.readUInt16BE(off);
    off += 2;
    if (off + len > buf.length) return { ok: false, reason: `record ${records.length} needs ${len} bytes, ${buf.length - off} are left` };
    records.push(buf.subarray(off, off + len));
    off += len;
  }
  if (records.length !== width) return { ok: false, reason: `${records.length} records, not ${width}` };
  return { ok: true, records };
}
