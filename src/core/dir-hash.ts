import { createHash } from 'node:crypto';
import { GateError } from './errors.js';
import { hexOf, type Digest } from './digest.js';

/**
 * One regular file of a directory: its path relative to the directory
 * (`/`-separated, no leading `./`), its size in bytes and its SHA-256.
 * `rows`/`columns` are the optional dataset fingerprint of recognised formats.
 */
export interface ManifestEntry {
  path: string;
  size: number;
  digest: Digest;
  rows?: number;
  columns?: ColumnInfo[];
}

/** A column of a tabular file: its name and a simple type name. */
export interface ColumnInfo {
  name: string;
  type: string;
}

/**
 * Byte-wise comparison of two paths by their UTF-8 bytes: the order of
 * `LC_ALL=C sort`. JavaScript's default string order compares UTF-16 code
 * units, which differs for characters beyond U+FFFF, so it is never used here.
 */
export function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Any of the characters refused below, or an empty, `.` or `..` segment. */
const MAYBE_UNSAFE = /[\n\\\r]|(?:^|\/)\.{0,2}(?:\/|$)/;

/**
 * Why a relative path cannot appear in a dirHash1 manifest, or undefined when
 * it can. `sha256sum` escapes names holding a newline or a backslash (its
 * output line then starts with `\`), so the coreutils one-liner and Go's
 * dirhash would disagree on them: they are refused rather than guessed.
 */
export function unsafeNameReason(path: string): string | undefined {
  // One scan clears nearly every path; only a suspect one is looked at in detail.
  if (!MAYBE_UNSAFE.test(path)) return undefined;
  if (path.includes('\n')) return 'contains a newline';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.includes('\r')) return 'contains a carriage return';
  if (path === '' || path.startsWith('/') || path.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    return 'is not a plain relative path';
  }
  return undefined;
}

/**
 * The dirHash1 text of a manifest: for every file in byte-wise order of its
 * path, the line `<sha256 hex>  <path>\n` (exactly what
 * `find . -type f -print0 | cut -z -c3- | LC_ALL=C sort -z | xargs -0 -r sha256sum --`
 * prints). Throws E_UNSAFE_NAME for a path that line format cannot carry and
 * E_INPUT for a path listed twice.
 */
export function dirHash1Lines(entries: readonly Pick<ManifestEntry, 'path' | 'digest'>[]): string {
  const sorted = sortManifest(entries);
  let text = '';
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    const reason = unsafeNameReason(e.path);
    if (reason) {
      throw new GateError('E_UNSAFE_NAME', `file name ${JSON.stringify(e.path)} ${reason}`, {
        where: e.path,
        hint: 'rename the file: dirHash1 (and sha256sum) cannot represent this name unambiguously',
      });
    }
    if (i > 0 && sorted[i - 1]!.path === e.path) {
      throw new GateError('E_INPUT', `file ${JSON.stringify(e.path)} is listed twice in the manifest`, {
        where: e.path,
      });
    }
    text += `${hexOf(e.digest)}  ${e.path}\n`;
  }
  return text;
}

/**
 * in-toto's dirHash1 (Go's `dirhash.Hash1`) of a manifest: SHA-256 of
 * {@link dirHash1Lines}. Independent of the order of `entries`. An empty
 * directory hashes to SHA-256 of the empty string, as the one-liner does.
 */
export function dirHash1(entries: readonly Pick<ManifestEntry, 'path' | 'digest'>[]): Digest {
  const hash = createHash('sha256').update(dirHash1Lines(entries), 'utf8');
  return `sha256:${hash.digest('hex')}`;
}

/**
 * UTF-16 order and UTF-8 byte order disagree only where a surrogate (half of
 * a character beyond U+FFFF, or a lone one) meets U+E000-U+FFFF. Without
 * surrogates a code unit is its code point, and UTF-8 keeps code point
 * order, so such paths (nearly all) compare natively.
 */
const SURROGATE = /[\uD800-\uDFFF]/;

const byCodeUnits = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** A copy of the manifest in byte-wise path order (the order metadata.json keeps). */
export function sortManifest<T extends { path: string }>(entries: readonly T[]): T[] {
  if (!entries.some((e) => SURROGATE.test(e.path))) {
    // A manifest is often in order already (dirHash1 of a sorted one): one pass sees that.
    let sorted = true;
    for (let i = 1; i < entries.length && sorted; i++) sorted = byCodeUnits(entries[i - 1]!, entries[i]!) <= 0;
    return sorted ? entries.slice() : entries.slice().sort(byCodeUnits);
  }
  return entries
    .map((e) => ({ e, key: Buffer.from(e.path, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ e }) => e);
}
