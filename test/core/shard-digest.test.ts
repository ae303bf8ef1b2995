import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { shardedDigest, shardRanges, SHARD_SIZE } from '../../src/core/shard-digest.js';

const sha = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();

/** SHA-256 of the concatenated raw digests, computed with coreutils (basenc turns the hex back into bytes). */
function rootByCoreutils(hexes: string[]): string {
  const out = execFileSync('bash', ['-c', 'printf %s "$1" | tr a-f A-F | basenc --base16 -d | sha256sum', 'x', hexes.join('')], { encoding: 'utf8' });
  return `sha256:${out.slice(0, 64)}`;
}

describe('sharded digest (OpenSSF model signing, shard serialization)', () => {
  it("uses model_signing's default shard size, 10^9 bytes", () => {
    expect(SHARD_SIZE).toBe(1_000_000_000);
  });

  it("matches model_signing's golden manifest for its sample single-file model with shards of 8 bytes", () => {
    // sigstore/model-transparency tests/_serialization/testdata/file_shard/TestSerializer/sample_model_file_small_shards:
    // KNOWN_MODEL_TEXT = b"This is a simple model" hashed by shards of 8 bytes.
    const text = Buffer.from('This is a simple model');
    const digests = shardRanges(text.length, 8).map(([s, e]) => sha(text.subarray(s, e)));
    const d = shardedDigest(digests, text.length, { shardSize: 8 });
    expect(d.resources).toEqual([
      { name: '.:0:8', algorithm: 'sha256-sharded-8', digest: 'a37010c994067764d86540bf479d93b4d0c3bb3955de7b61f951caf2fd0301b0' },
      { name: '.:8:16', algorithm: 'sha256-sharded-8', digest: 'bd762002a3528a27fb9a8822f822b949d3c9ab7e860af33039c9aa70ebbbe682' },
      { name: '.:16:22', algorithm: 'sha256-sharded-8', digest: 'a791e1e893ea4260c77475725101fb4cc6ad85f6340f21f10b239184e318cd21' },
    ]);
    expect(d.serialization).toEqual({ method: 'shards', hash_type: 'sha256', shard_size: 8, allow_symlinks: false });
    expect(d.digest).toBe(rootByCoreutils(d.resources.map((r) => r.digest)));
  });

  it('of one shard: the resource is the plain SHA-256 (golden sample_model_file); of an empty file: no resource', () => {
    const text = Buffer.from('This is a simple model');
    const one = shardedDigest([sha(text)], text.length);
    expect(one.resources).toEqual([
      { name: '.:0:22', algorithm: 'sha256-sharded-1000000000', digest: '3aab065c7181a173b5dd9e9d32a9f79923440b413be1e1ffcdba26a7365f719b' },
    ]);
    const empty = shardedDigest([], 0);
    expect(empty.resources).toEqual([]);
    expect(empty.digest).toBe(`sha256:${sha('').toString('hex')}`);
  });

  it('property: the ranges tile [0, size) in shards of shard_size, the last one shorter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 3_000 }), (size, shardSize) => {
        const r = shardRanges(size, shardSize);
        expect(r.length).toBe(Math.ceil(size / shardSize));
        let at = 0;
        for (const [s, e] of r) {
          expect(s).toBe(at);
          expect(e - s).toBeGreaterThan(0);
          expect(e - s).toBeLessThanOrEqual(shardSize);
          at = e;
        }
        expect(at).toBe(size);
        r.slice(0, -1).forEach(([s, e]) => expect(e - s).toBe(shardSize));
      }),
    );
  });

  it('refuses digests that do not fit the shards', () => {
    expect(() => shardedDigest([sha('a')], 0)).toThrow(RangeError);
    expect(() => shardedDigest([Buffer.alloc(31)], 5)).toThrow(RangeError);
    expect(() => shardRanges(-1)).toThrow(RangeError);
  });
});
