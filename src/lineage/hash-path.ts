import { lstatSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HashOptions, PathDigest } from './hash-types.js';
import type { ShardedDigest } from '../core/shard-digest.js';
import { digestFromHex } from '../core/digest.js';
import { digestFileSync, READ_SIZE } from './file-digest.js';
import type { Fingerprint } from './fingerprint/types.js';
import { GateError } from '../core/errors.js';
import { fsError, kindOf, unsupportedType } from './fs-errors.js';
import { relabel } from './relabel.js';

export type { HashOptions, PathDigest } from './hash-types.js';

/**
 * Hashes a file (plain SHA-256, equal to `sha256sum`) or a directory
 * (dirHash1 over a per-file manifest, files hashed in parallel on worker
 * threads). Refuses symbolic links (unless `followSymlinks`), FIFOs, sockets,
 * devices, unsafe names, and files written to while they are read, with a
 * GateError naming the path.
 *
 * A single file is read and hashed on the calling thread with blocking reads
 * (the least CPU per byte, see file-digest.ts), so the event loop waits for
 * it; a directory keeps it free while the workers hash.
 */
export async function hashPath(path: string, opts: HashOptions = {}): Promise<PathDigest> {
  const abs = resolve(opts.cwd ?? '.', path);
  let st;
  try {
    st = lstatSync(abs);
    if (st.isSymbolicLink()) {
      if (!opts.followSymlinks) throw unsupportedType('symbolic link', path);
      st = statSync(abs);
    }
  } catch (e) {
    throw fsError(e, path);
  }
  const kind = kindOf(st);
  if (kind === 'file') return hashSingleFile(path, abs, st.size, opts);
  if (kind === 'directory') {
    // Listing, the pool and its workers load only for directories.
    const { hashDirectory } = await import('./hash-directory.js');
    return hashDirectory(path, abs, opts);
  }
  throw unsupportedType(kind, path);
}

async function hashSingleFile(path: string, abs: string, size: number, opts: HashOptions): Promise<PathDigest> {
  // Fingerprint scanners load only when asked for.
  const fingerprint = opts.fingerprint ? await import('./fingerprint/scanner-for.js') : undefined;
  const format = fingerprint?.formatOf(path);
  const scanner = format && format !== 'parquet' ? fingerprint!.scannerFor(format) : undefined;
  let done = 0;
  // With shards, a file over one shard is read twice at once (plain digest and shards).
  // The sharded digest's code loads only with --shards.
  const sharding = opts.shards ? await import('../core/shard-digest.js') : undefined;
  const total = sharding && size > (opts.shardSize ?? sharding.SHARD_SIZE) ? 2 * size : size;
  const onBytes = opts.onProgress
    ? (n: number) => {
        done += n;
        opts.onProgress!(done, total);
      }
    : undefined;
  let r;
  let fp: Fingerprint | undefined;
  let shards: ShardedDigest | undefined;
  try {
    if (sharding) {
      const { hashFileShards } = await import('./shard-hash.js');
      const s = await hashFileShards(abs, path, { plain: true, shardSize: opts.shardSize, workers: opts.workers, scanner, onBytes });
      r = { hex: s.plainHex!, size: s.size };
      shards = sharding.shardedDigest(s.shards, s.size, { shardSize: opts.shardSize, allowSymlinks: opts.followSymlinks === true });
    } else {
      r = digestFileSync(abs, Buffer.allocUnsafeSlow(Math.min(READ_SIZE, Math.max(size + 1, 4096))), { scanner, onBytes });
    }
    fp = scanner?.finish();
    if (format === 'parquet') {
      const { parquetFingerprint } = await import('./fingerprint/parquet.js');
      fp = await parquetFingerprint(abs, r.size);
    }
  } catch (e) {
    throw relabel(e, path);
  }
  const result: PathDigest = { path, type: 'file', digest: digestFromHex(r.hex), size: r.size };
  if (fp) Object.assign(result, fp.columns ? { rows: fp.rows, columns: fp.columns } : { rows: fp.rows });
  if (shards) result.shards = shards;
  return result;
}

/** The sharded digest alone of a file: what {@link hashFileShardsOnly} returns. */
export interface PathShards {
  path: string;
  type: 'file';
  size: number;
  shards: ShardedDigest;
}

/**
 * Only the sharded digest of a file, every thread hashing shards: on n cores
 * about 1/n of the time of the plain SHA-256, which is not computed. For
 * comparing with model_signing, or re-checking a recorded sharded digest
 * quickly; it is not the file's SHA-256 and never stands in for it.
 */
export async function hashFileShardsOnly(path: string, opts: Omit<HashOptions, 'fingerprint' | 'shards'> = {}): Promise<PathShards> {
  const abs = resolve(opts.cwd ?? '.', path);
  let st;
  try {
    st = opts.followSymlinks ? statSync(abs) : lstatSync(abs);
  } catch (e) {
    throw fsError(e, path);
  }
  const kind = kindOf(st);
  if (kind !== 'file') throw kind === 'directory' ? new GateError('E_USAGE', 'a sharded digest is of one file; this is a directory', { where: path, hint: 'hash a directory without --shards-only' }) : unsupportedType(kind, path);
  const { hashFileShards } = await import('./shard-hash.js');
  const { shardedDigest } = await import('../core/shard-digest.js');
  let done = 0;
  const size = st.size;
  const onBytes = opts.onProgress ? (n: number) => opts.onProgress!((done += n), size) : undefined;
  let s;
  try {
    s = await hashFileShards(abs, path, { plain: false, shardSize: opts.shardSize, workers: opts.workers, onBytes });
  } catch (e) {
    throw relabel(e, path);
  }
  return { path, type: 'file', size: s.size, shards: shardedDigest(s.shards, s.size, { shardSize: opts.shardSize, allowSymlinks: opts.followSymlinks === true }) };
}
