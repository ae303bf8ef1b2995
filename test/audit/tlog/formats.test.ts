import fc from 'fast-check';
import { encodeTileIndex, parseTilePath, tilePath } from '../../../src/audit/tlog/tile-path.js';
import { decodeBundle, encodeBundle } from '../../../src/audit/tlog/bundle.js';
import { formatProof, parseProof } from '../../../src/audit/tlog/proof-file.js';
import { leafHash } from '../../../src/audit/tlog/hash.js';

describe('tile paths (C2SP tlog-tiles)', () => {
  it('encodes the index in 3-digit groups, all but the last prefixed x, as the spec\'s example', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(999)).toBe('999');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(tilePath({ level: 0, n: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 2, n: 5, width: 17 })).toBe('tile/2/005.p/17');
    expect(tilePath({ level: 'entries', n: 1, width: 256 })).toBe('tile/entries/001');
    expect(tilePath({ level: 'entries', n: 1, width: 3 })).toBe('tile/entries/001.p/3');
  });

  it('parses exactly what it writes (property) and refuses second names for a tile', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 63 }), fc.constant('entries' as const)),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 256 }),
        (level, n, width) => {
          expect(parseTilePath(tilePath({ level, n, width }))).toEqual({ level, n, width });
        },
      ),
    );
    for (const bad of [
      'tile/0/1', 'tile/0/0001', 'tile/0/x000/001', 'tile/00/000', 'tile/64/000', 'tile/0/000.p/0', 'tile/0/000.p/256',
      'tile/0/000.p/01', 'tile/data/000', 'tile/0/000/', '/tile/0/000', 'tile/-1/000', 'tile/0/001.p/3.p/4',
    ]) {
      expect(parseTilePath(bad)).toBeNull();
    }
  });
});

describe('entry bundles', () => {
  it('round-trips records with their uint16 length prefix (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 256 }), (records) => {
        const b = encodeBundle(records);
        expect(b.length).toBe(records.reduce((n, r) => n + 2 + r.length, 0));
        const d = decodeBundle(b, records.length);
        expect(d.ok).toBe(true);
        if (d.ok) expect(d.records.map((r) => Buffer.from(r).toString('hex'))).toEqual(records.map((r) => Buffer.from(r).toString('hex')));
      }),
      { numRuns: 50 },
    );
  });

  it('takes a record of 65,535 bytes and refuses one of 65,536, 0 records and 257', () => {
    expect(decodeBundle(encodeBundle([Buffer.alloc(65_535, 7)]), 1).ok).toBe(true);
    expect(() => encodeBundle([Buffer.alloc(65_536)])).toThrow(/uint16/);
    expect(() => encodeBundle([])).toThrow();
    expect(() => encodeBundle(Array.from({ length: 257 }, () => Buffer.alloc(1)))).toThrow();
  });

  it('says what is wrong with a cut, padded or short bundle', () => {
    const b = encodeBundle([Buffer.from('abc'), Buffer.from('de')]);
    expect(decodeBundle(b.subarray(0, b.length - 1), 2)).toEqual({ ok: false, reason: expect.stringMatching(/needs 2 bytes/) });
    expect(decodeBundle(Buffer.concat([b, Buffer.from([0])]), 2)).toEqual({ ok: false, reason: expect.stringMatching(/more than 2 records/) });
    expect(decodeBundle(b, 3)).toEqual({ ok: false, reason: '2 records, not 3' });
    expect(decodeBundle(Buffer.from([0]), 1)).toEqual({ ok: false, reason: expect.stringMatching(/cut off/) });
  });
});

describe('tlog-proof files', () => {
  const checkpoint = Buffer.from('example.com/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.com/log AAAAAQ==\n');
  it('writes the spec\'s layout and parses it back, with and without extra data and path', () => {
    const path = [leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))];
    const bytes = formatProof({ index: 2, path, checkpoint });
    const text = bytes.toString('utf8');
    expect(text.startsWith(`c2sp.org/tlog-proof@v1\nindex 2\n${path[0].toString('base64')}\n${path[1].toString('base64')}\n\nexample.com/log\n`)).toBe(true);
    const p = parseProof(bytes);
    expect(p.ok && p.proof.index === 2 && p.proof.path.length === 2 && p.proof.checkpoint.equals(checkpoint)).toBe(true);
    const withExtra = parseProof(formatProof({ index: 0, path: [], extra: Buffer.from('x'), checkpoint }));
    expect(withExtra.ok && withExtra.proof.extra?.toString() === 'x' && withExtra.proof.path.length === 0).toBe(true);
  });

  it('names the line that is wrong', () => {
    expect(parseProof(Buffer.from('c2sp.org/tlog-proof@v2\nindex 1\n\nx'))).toEqual({ ok: false, reason: expect.stringMatching(/^line 1/) });
    expect(parseProof(Buffer.from('c2sp.org/tlog-proof@v1\nindex 01\n\nx'))).toEqual({ ok: false, reason: expect.stringMatching(/^line 2/) });
    expect(parseProof(Buffer.from('c2sp.org/tlog-proof@v1\nindex 1\nnot-a-hash\n\nx'))).toEqual({ ok: false, reason: expect.stringMatching(/^line 3/) });
    expect(parseProof(Buffer.from('c2sp.org/tlog-proof@v1\nindex 1\n'))).toEqual({ ok: false, reason: expect.stringMatching(/empty line/) });
  });
});
