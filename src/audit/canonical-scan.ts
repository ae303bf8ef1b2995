/**
 * Whether JSON text is in RFC 8785 (JCS) form, decided in one pass over its
 * bytes, without building the canonical text to compare with. This is the
 * verifier's per-record check: re-serialising each record and comparing
 * strings cost more than parsing it.
 *
 * Valid JSON whose bytes are valid UTF-8 is its own JCS form exactly when
 * - there is no whitespace outside strings;
 * - every string escape is the one JCS (ECMAScript's JSON.stringify) writes:
 *   `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00xx` (lowercase hex)
 *   for the other control characters; any other character is written as
 *   itself (lone surrogates, escaped `\udxxx` by JCS, are left undecided);
 * - every number is written as ECMAScript's Number::toString writes it;
 * - the keys of every object are in strictly ascending UTF-16 code-unit order
 *   (strictly: a duplicate key is not canonical, JCS writes each key once).
 * The scan decides the common case and answers `undefined` where the answer
 * needs decoded text (keys with escapes or non-ASCII characters, surrogate
 * escapes); the caller then compares with the full canonical form.
 */

import { QUOTE, BACKSLASH, OPEN_ARRAY, OPEN_OBJECT, CLOSE_ARRAY, CLOSE_OBJECT, COMMA, COLON, MINUS, ZERO, NINE } from './json-bytes.js';

/** Deeper text is left undecided (records nest at most 64 levels, checked before). */
const MAX_DEPTH = 128;
// Per open container: whether it is an object, and the byte range of its last key.
// The scan is synchronous, so one scratch serves every call.
const IS_OBJECT = new Uint8Array(MAX_DEPTH + 1);
const KEY_START = new Int32Array(MAX_DEPTH + 1);
const KEY_END = new Int32Array(MAX_DEPTH + 1);

/** The short escapes JSON.stringify writes, by the letter after the backslash. */
const SHORT_ESCAPE = new Uint8Array(128);
for (const c of '"\\bfnrt') SHORT_ESCAPE[c.charCodeAt(0)] = 1;
/** Control characters JSON.stringify writes as a short escape, never as `\u00xx`. */
const HAS_SHORT_FORM = new Uint8Array(32);
for (const c of [0x08, 0x09, 0x0a, 0x0c, 0x0d]) HAS_SHORT_FORM[c] = 1;

/**
 * Whether `b`, valid JSON in valid UTF-8 (the caller has checked both), is
 * its own RFC 8785 form: true or false, or `undefined` when only a comparison
 * with the canonical form of the parsed value can tell.
 */
export function scanCanonical(b: Uint8Array): boolean | undefined {
  const n = b.length;
  let depth = 0;
  let expectKey = false;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c === QUOTE) {
      const start = i + 1;
      let j = start;
      // ASCII without escapes: byte order is UTF-16 code-unit order.
      let plain = true;
      for (;;) {
        const d = b[j];
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          plain = false;
          const e = b[j + 1];
          if (e === 0x75) {
            const h1 = b[j + 2];
            // \udxxx: a lone surrogate (which JCS escapes) or half of an escaped pair (which it does not).
            if (h1 === 0x64 || h1 === 0x44) return undefined;
            if (h1 !== ZERO || b[j + 3] !== ZERO) return false;
            const h3 = b[j + 4];
            const h4 = b[j + 5];
            if (h3 !== ZERO && h3 !== 0x31) return false;
            const low = h4 >= ZERO && h4 <= NINE ? h4 - ZERO : h4 >= 0x61 && h4 <= 0x66 ? h4 - 0x61 + 10 : -1;
            if (low < 0 || HAS_SHORT_FORM[(h3 - ZERO) * 16 + low] === 1) return false;
            j += 6;
          } else {
            if (e >= 128 || SHORT_ESCAPE[e] !== 1) return false;
            j += 2;
          }
        } else {
          if (d >= 0x80) plain = false;
          j++;
        }
      }
      if (expectKey) {
        const ps = KEY_START[depth];
        if (ps !== -1) {
          if (!plain || ps === -2) return undefined;
          if (!asciiAfter(b, ps, KEY_END[depth], start, j)) return false;
        }
        KEY_START[depth] = plain ? start : -2;
        KEY_END[depth] = j;
        expectKey = false;
      }
      i = j + 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_DEPTH) return undefined;
      const obj = c === OPEN_OBJECT;
      IS_OBJECT[depth] = obj ? 1 : 0;
      KEY_START[depth] = -1;
      expectKey = obj;
      i++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      expectKey = false;
      i++;
    } else if (c === COMMA) {
      expectKey = IS_OBJECT[depth] === 1;
      i++;
    } else if (c === COLON) {
      i++;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      let j = i;
      let digitsOnly = true;
      for (; j < n; j++) {
        const d = b[j];
        if (d >= ZERO && d <= NINE) continue;
        if (d === MINUS && j === i) continue;
        if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === MINUS) digitsOnly = false;
        else break;
      }
      const first = c === MINUS ? i + 1 : i;
      if (digitsOnly && b[first] !== ZERO && j - first <= 15) {
        // An integer below 10^15 without leading zeros is written as it stands.
      } else if (digitsOnly && b[first] === ZERO) {
        // "0" is canonical; "-0" is written "0" (JSON forbids other leading zeros).
        if (c === MINUS) return false;
      } else {
        const token = String.fromCharCode(...b.subarray(i, j));
        // For finite numbers JSON.stringify is Number::toString; 1e999 gives "Infinity", not the token.
        if (String(Number(token)) !== token) return false;
      }
      i = j;
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      // true, false, null (the text is valid JSON).
      i += c === 0x66 ? 5 : 4;
    } else {
      // Whitespace: the only other bytes valid JSON has outside strings.
      return false;
    }
  }
  return true;
}

/** Whether the bytes b[s2..e2) sort strictly after b[s1..e1). */
function asciiAfter(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
  const l1 = e1 - s1;
  const l2 = e2 - s2;
  const m = l1 < l2 ? l1 : l2;
  for (let k = 0; k < m; k++) {
    const x = b[s1 + k];
    const y = b[s2 + k];
    if (x !== y) return y > x;
  }
  return l2 > l1;
}
