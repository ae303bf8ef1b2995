/**
 * The shapes {@link hashPath} takes and returns, apart from it so that the
 * directory hasher it loads lazily can use them without importing it back.
 */
import type { ColumnInfo, ManifestEntry } from '../core/dir-hash.js';
import type { Digest } from '../core/digest.js';
import type { ShardedDigest } from '../core/shard-digest.js';

/** Options of `hashPath` (hash-path.ts): plain data, no hidden inputs. */
export interface HashOptions {
  /** Relative paths are resolved against this directory (default: the process's). */
  cwd?: string;
  /**
   * Follow symbolic links instead of refusing them: the target's bytes are
   * hashed under the link's path (a directory is then what `find -L` sees).
   */
  followSymlinks?: boolean;
  /** Add row counts and columns for CSV, TSV, JSON Lines and Parquet files. */
  fingerprint?: boolean;
  /**
   * Worker threads for a directory, besides the calling thread which hashes
   * too (default: one less than the cores); 0 hashes on the calling thread only.
   */
  workers?: number;
  /** Called as bytes are hashed: bytes done so far, and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * For a file: also its sharded digest (OpenSSF model signing's shard
   * serialization, see core/shard-digest.ts), hashed on worker threads while
   * this thread computes the plain SHA-256. Ignored for a directory.
   */
  shards?: boolean;
  /** Shard size in bytes (default model_signing's, 10^9). */
  shardSize?: number;
}

/** The digest of a file or directory, with the directory's manifest. */
export interface PathDigest {
  /** The path as given. */
  path: string;
  type: 'file' | 'directory';
  /** File: SHA-256 of the bytes. Directory: dirHash1 of `files`. */
  digest: Digest;
  /** Bytes hashed (for a directory, the sum over its files). */
  size: number;
  /** Directory only: every regular file, in byte-wise path order. */
  files?: ManifestEntry[];
  rows?: number;
  columns?: ColumnInfo[];
  /** File only, when asked for: the sharded digest, beside (never instead of) `digest`. */
  shards?: ShardedDigest;
}
