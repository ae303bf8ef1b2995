/**
 * How deep JSON nests, counted on the text without parsing. Every JSON
 * serialiser (JSON.stringify, the RFC 8785 canonicaliser) and every walk of a
 * parsed value recurses, so a value nested a few thousand levels deep crashes
 * them with a stack overflow; this count is a loop, and runs first.
 */

import { QUOTE, BACKSLASH, OPEN_ARRAY, OPEN_OBJECT, CLOSE_ARRAY, CLOSE_OBJECT } from './json-bytes.js';

/**
 * Whether JSON text (UTF-8 bytes or a string) nests arrays and objects more
 * than `limit` levels deep (`[]` is one level). Brackets inside strings do
 * not count. Multi-byte UTF-8 sequences never contain these ASCII bytes, so
 * bytes and text give the same answer.
 */
export function nestsDeeperThan(text: Uint8Array | string, limit: number): boolean {
  // One loop over bytes: the verifier's hot path passes a record's bytes; text
  // (a --details file, read once) is encoded first, which gives the same answer.
  return bytesNestDeeper(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, limit);
}

function bytesNestDeeper(b: Uint8Array, limit: number): boolean {
  // A record opens a handful of brackets in all: counted with the native
  // indexOf, at most `limit` of them cannot nest deeper, and the byte loop
  // (a sixth of a verifier's record checks) is skipped.
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  let opens = 0;
  for (let i = buf.indexOf(OPEN_ARRAY); i !== -1 && opens <= limit; i = buf.indexOf(OPEN_ARRAY, i + 1)) opens++;
  for (let i = buf.indexOf(OPEN_OBJECT); i !== -1 && opens <= limit; i = buf.indexOf(OPEN_OBJECT, i + 1)) opens++;
  if (opens <= limit) return false;
  let depth = 0;
  for (let i = 0, n = b.length; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) {
      // Skip the string: to its closing quote, stepping over escapes.
      for (i++; i < n; i++) {
        const d = b[i];
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** Whether a parsed value nests more than `limit` levels deep; stops at the limit, so it never recurses further. */
export function valueNestsDeeperThan(value: unknown, limit: number): boolean {
  const walk = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v !== 'object') return false;
    if (depth + 1 > limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (walk(c, depth + 1)) return true;
    return false;
  };
  return walk(value, 0);
}
