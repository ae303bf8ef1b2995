import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { compareBytewise, dirHash1, dirHash1Lines, sortManifest, unsafeNameReason } from '../../src/core/dir-hash.js';
import { sha256 } from '../../src/core/digest.js';
import { GateError } from '../../src/core/errors.js';

const d = (s: string) => sha256(s);

describe('dirHash1 (pure)', () => {
  it('hashes the sha256sum lines of the files in byte-wise path order', () => {
    const entries = [
      { path: 'b', digest: d('2') },
      { path: 'a/b', digest: d('1') },
      { path: 'a-b', digest: d('3') },
    ];
    // '-' (0x2d) sorts before '/' (0x2f): byte order of the whole path, not a tree walk.
    const text = `${d('3').slice(7)}  a-b\n${d('1').slice(7)}  a/b\n${d('2').slice(7)}  b\n`;
    expect(dirHash1Lines(entries)).toBe(text);
    expect(dirHash1(entries)).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
  });

  it('of an empty directory is SHA-256 of nothing, like the one-liner', () => {
    expect(dirHash1([])).toBe(sha256(''));
  });

  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF5E is one UTF-16 unit above the surrogates of U+1F600, but its UTF-8 bytes sort first.
    expect(compareBytewise('\uFF5E', '😀')).toBeLessThan(0);
    expect('\uFF5E' < '😀').toBe(false);
    expect(sortManifest([{ path: '😀' }, { path: '\uFF5E' }]).map((e) => e.path)).toEqual(['\uFF5E', '😀']);
  });

  it('sorts in UTF-8 byte order whatever the characters and the order given (property)', () => {
    // Characters near the surrogates and U+E000-U+FFFF, where the native
    // fast path would go wrong, are drawn often; lone surrogates included.
    const unit = fc.oneof(
      fc.constantFrom('a', 'b', '/', '-', 'é', '\uD7FF', '\uE000', '\uFF5E', '\uFFFF', '😀', '\uD800', '\uDFFF'),
      fc.string({ unit: 'binary', maxLength: 2 }),
    );
    const path = fc.array(unit, { maxLength: 4 }).map((u) => u.join(''));
    const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    fc.assert(
      fc.property(fc.array(path, { maxLength: 10 }), fc.boolean(), (paths, presorted) => {
        const given = presorted ? [...paths].sort(bytes) : paths;
        const out = sortManifest(given.map((p) => ({ path: p }))).map((e) => e.path);
        expect(out).toEqual([...paths].sort(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses names sha256sum would escape, naming them', () => {
    for (const bad of ['a\nb', 'a\\b']) {
      expect(() => dirHash1([{ path: bad, digest: d('x') }])).toThrow(GateError);
      try {
        dirHash1([{ path: bad, digest: d('x') }]);
      } catch (e) {
        expect((e as GateError).code).toBe('E_UNSAFE_NAME');
        expect((e as GateError).describe()).toContain(JSON.stringify(bad));
      }
    }
  });

  it('finds every unsafe name the segment-by-segment rule finds, and no other (property)', () => {
    const bySegments = (p: string) =>
      /[\n\\\r]/.test(p) || p === '' || p.startsWith('/') || p.split('/').some((s) => s === '' || s === '.' || s === '..');
    const path = fc.array(fc.constantFrom('a', '.', '/', '\n', '\\', '\r', 'é', ' '), { maxLength: 7 }).map((u) => u.join(''));
    fc.assert(
      fc.property(path, (p) => {
        expect(unsafeNameReason(p) !== undefined).toBe(bySegments(p));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses a path listed twice', () => {
    expect(() => dirHash1([{ path: 'a', digest: d('1') }, { path: 'a', digest: d('2') }])).toThrow(/twice/);
  });

  it('does not depend on the order of the manifest', () => {
    const name = fc.stringMatching(/^[a-zé日 -]{1,6}(\/[a-zé日 -]{1,6})?$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 12 }), fc.integer(), (names, seed) => {
        const entries = names.map((path) => ({ path, digest: d(path) }));
        const shuffled = [...entries].sort(() => ((seed = (seed * 1103515245 + 12345) | 0) & 1 ? 1 : -1));
        expect(dirHash1(shuffled)).toBe(dirHash1(entries));
      }),
    );
  });
});
