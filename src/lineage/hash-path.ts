import { lstatSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ColumnInfo, ManifestEntry } from '../core/dir-hash.js';
import { digestFromHex, type Digest } from '../core/digest.js';
import { digestFileSync, READ_SIZE } from './file-digest.js';
import type { Fingerprint } from './fingerprint/types.js';
import { fsError, kindOf, unsupportedType } from './fs-errors.js';
import { relabel } from './relabel.js';

/** Options of {@link hashPath}: plain data, no hidden inputs. */
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
}

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
  const onBytes = opts.onProgress
    ? (n: number) => {
        done += n;
        opts.onProgress!(done, size);
      }
    : undefined;
  let r;
  let fp: Fingerprint | undefined;
  try {
    r = digestFileSync(abs, Buffer.allocUnsafeSlow(Math.min(READ_SIZE, Math.max(size + 1, 4096))), { scanner, onBytes });
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
  return result;
}
