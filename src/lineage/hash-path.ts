import { lstatSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dirHash1, sortManifest, type ColumnInfo, type ManifestEntry } from '../core/dir-hash.js';
import { digestFromHex, type Digest } from '../core/digest.js';
import { digestFile, digestFileSync, READ_SIZE } from './file-digest.js';
import { GateError } from '../core/errors.js';
import { parquetFingerprint } from './fingerprint/parquet.js';
import { formatOf, scannerFor } from './fingerprint/scanner-for.js';
import type { Fingerprint, StreamFormat } from './fingerprint/types.js';
import { fsError, kindOf, unsupportedType } from './fs-errors.js';
import { hashFilesInParallel, type PoolResult } from './hash-pool.js';
import { statSizes, walkDirectory } from './walk.js';

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
 * Below these a directory is hashed on the main thread: starting workers
 * (tens of ms each) would cost more than they save.
 */
const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;
const PARALLEL_MIN_FILES = 2000;

/**
 * Hashes a file (plain SHA-256, equal to `sha256sum`) or a directory
 * (dirHash1 over a per-file manifest, files hashed in parallel on worker
 * threads). Refuses symbolic links (unless `followSymlinks`), FIFOs, sockets,
 * devices and unsafe names with a GateError naming the path.
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
  if (kind === 'directory') return hashDirectory(path, abs, opts);
  throw unsupportedType(kind, path);
}

async function hashSingleFile(path: string, abs: string, size: number, opts: HashOptions): Promise<PathDigest> {
  const format = opts.fingerprint ? formatOf(path) : undefined;
  const scanner = format && format !== 'parquet' ? scannerFor(format) : undefined;
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
    r = await digestFile(abs, { scanner, onBytes });
    fp = scanner?.finish();
    if (format === 'parquet') fp = await parquetFingerprint(abs, r.size);
  } catch (e) {
    throw relabel(e, path);
  }
  const result: PathDigest = { path, type: 'file', digest: digestFromHex(r.hex), size: r.size };
  if (fp) Object.assign(result, fingerprintFields(fp));
  return result;
}

async function hashDirectory(path: string, abs: string, opts: HashOptions): Promise<PathDigest> {
  const walked = walkDirectory(abs, { followSymlinks: opts.followSymlinks, display: path });
  const many = walked.length >= PARALLEL_MIN_FILES;
  // Sizes cost a stat per file: only for the progress bar, or to decide whether a few files are worth workers.
  if (opts.onProgress || !many) statSizes(walked, path);
  const total = walked.reduce((s, f) => s + (f.size ?? 0), 0);
  const formats = walked.map((f) => (opts.fingerprint ? formatOf(f.rel) : undefined));
  let done = 0;
  const onBytes = opts.onProgress
    ? (n: number) => {
        done += n;
        opts.onProgress!(done, Math.max(total, done));
      }
    : undefined;
  let results: PoolResult[];
  const parallel = (many || total >= PARALLEL_MIN_BYTES) && walked.length >= 2;
  if (!parallel || opts.workers === 0) {
    // Blocking reads: for small files the async hops would cost more than the reads.
    results = [];
    const buf = Buffer.allocUnsafe(READ_SIZE);
    for (let i = 0; i < walked.length; i++) {
      const fmt = formats[i];
      const scanner = fmt && fmt !== 'parquet' ? scannerFor(fmt) : undefined;
      let r;
      try {
        r = digestFileSync(walked[i]!.abs, buf, { scanner, onBytes });
      } catch (e) {
        throw relabel(e, join(path, walked[i]!.rel));
      }
      results.push({ ...r, fingerprint: scanner?.finish() });
    }
  } else {
    results = await hashFilesInParallel(
      walked.map((f, i) => ({
        path: f.abs,
        where: join(path, f.rel),
        scan: formats[i] === 'parquet' ? undefined : (formats[i] as StreamFormat | undefined),
      })),
      { workers: opts.workers, onBytes },
    );
  }
  const entries: ManifestEntry[] = [];
  for (let i = 0; i < walked.length; i++) {
    const f = walked[i]!;
    const r = results[i]!;
    let fp = r.fingerprint;
    if (formats[i] === 'parquet') {
      try {
        fp = await parquetFingerprint(f.abs, r.size);
      } catch (e) {
        throw relabel(fsError(e, f.abs), join(path, f.rel));
      }
    }
    entries.push({ path: f.rel, size: r.size, digest: digestFromHex(r.hex), ...(fp ? fingerprintFields(fp) : {}) });
  }
  const files = sortManifest(entries);
  const result: PathDigest = {
    path,
    type: 'directory',
    digest: dirHash1(files),
    size: files.reduce((s, e) => s + e.size, 0),
    files,
  };
  Object.assign(result, aggregateFingerprint(files));
  return result;
}

function fingerprintFields(fp: Fingerprint): { rows: number; columns?: ColumnInfo[] } {
  return fp.columns ? { rows: fp.rows, columns: fp.columns } : { rows: fp.rows };
}

/**
 * A directory dataset's fingerprint, kept bounded: `rows` is the sum over the
 * recognised files; `columns` are the first recognised file's when every
 * recognised file has the same ones, and then the entries drop their own copy
 * (only entries whose columns differ keep them).
 */
export function aggregateFingerprint(files: ManifestEntry[]): { rows?: number; columns?: ColumnInfo[] } {
  const recognised = files.filter((f) => f.rows !== undefined);
  if (recognised.length === 0) return {};
  const rows = recognised.reduce((s, f) => s + f.rows!, 0);
  const first = recognised[0]!.columns;
  if (!first) return { rows };
  const key = JSON.stringify(first);
  const same = recognised.every((f) => JSON.stringify(f.columns) === key);
  if (!same) return { rows };
  for (const f of recognised) delete f.columns;
  return { rows, columns: first };
}

/** Errors name the path as the user wrote it, not the absolute path opened. */
function relabel(e: unknown, where: string): unknown {
  if (e instanceof GateError) return new GateError(e.code, e.message, { where, hint: e.hint, cause: e.cause });
  return e;
}
