import { createHash } from 'node:crypto';
import type { Digest } from './digest.js';

/**
 * The sharded digest of one file, as OpenSSF model signing (`model_signing`,
 * sigstore/model-transparency) builds it with its shard serialization:
 *
 * - the file is cut at every multiple of `shard_size` bytes (default
 *   1,000,000,000, model_signing's default: 10^9, not 2^30); the last shard
 *   ends at the file's size; an empty file has no shard;
 * - each shard `[start, end)` is hashed with plain SHA-256, and listed as the
 *   resource `{name: "<path>:<start>:<end>", algorithm:
 *   "sha256-sharded-<shard_size>", digest: <hex>}`; `<path>` is the file's
 *   path relative to the model, which for a model that is a single file is
 *   `.` (model_signing takes the path relative to the model itself);
 * - `digest` is SHA-256 over the raw 32-byte shard digests concatenated in
 *   resource order (by path, then start): the `subject[0].digest.sha256` of
 *   the in-toto statement model_signing signs for that model.
 *
 * `serialization` is the statement's `predicate.serialization` for it, so a
 * model_signing user can compare `resources` and `digest` as they are.
 */
export interface ShardedDigest {
  serialization: { method: 'shards'; hash_type: 'sha256'; shard_size: number; allow_symlinks: boolean };
  resources: ShardResource[];
  digest: Digest;
}

export interface ShardResource {
  name: string;
  algorithm: string;
  /** Lowercase hex, as model_signing writes it (no `sha256:` prefix). */
  digest: string;
}

/** model_signing's default shard size. */
export const SHARD_SIZE = 1_000_000_000;

/** The `[start, end)` byte ranges of a file's shards (none for an empty file). */
export function shardRanges(size: number, shardSize = SHARD_SIZE): [number, number][] {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`not a file size: ${size}`);
  if (!Number.isSafeInteger(shardSize) || shardSize <= 0) throw new RangeError(`not a shard size: ${shardSize}`);
  const ranges: [number, number][] = [];
  for (let start = 0; start < size; start += shardSize) ranges.push([start, Math.min(start + shardSize, size)]);
  return ranges;
}

/**
 * The sharded digest from the shards' SHA-256 digests (in range order), for
 * a file of `size` bytes named `name` in the resources (`.` for a model that
 * is this one file). Pure: the hashing of the shards is done elsewhere.
 */
export function shardedDigest(
  shardDigests: readonly Uint8Array[],
  size: number,
  opts: { shardSize?: number; name?: string; allowSymlinks?: boolean } = {},
): ShardedDigest {
  const shardSize = opts.shardSize ?? SHARD_SIZE;
  const ranges = shardRanges(size, shardSize);
  if (ranges.length !== shardDigests.length) {
    throw new RangeError(`${shardDigests.length} shard digests for ${ranges.length} shards`);
  }
  const name = opts.name ?? '.';
  const algorithm = `sha256-sharded-${shardSize}`;
  const root = createHash('sha256');
  const resources = ranges.map(([start, end], i) => {
    const d = shardDigests[i]!;
    if (d.length !== 32) throw new RangeError(`shard ${i}: a SHA-256 digest has 32 bytes, not ${d.length}`);
    root.update(d);
    return { name: `${name}:${start}:${end}`, algorithm, digest: Buffer.from(d.buffer, d.byteOffset, 32).toString('hex') };
  });
  return {
    serialization: { method: 'shards', hash_type: 'sha256', shard_size: shardSize, allow_symlinks: opts.allowSymlinks ?? false },
    resources,
    digest: `sha256:${root.digest('hex')}`,
  };
}
