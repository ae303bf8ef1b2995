import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { dirHash1, sortManifest, type ColumnInfo, type ManifestEntry } from '../core/dir-hash.js';
import { fsError } from './fs-errors.js';
import type { Fingerprint, FingerprintFormat } from './fingerprint/types.js';
import type { HashOptions, PathDigest } from './hash-types.js';
import { HashPool } from './hash-pool.js';
import { relabel } from './relabel.js';
import { statSizes, walkDirectory } from './walk.js';

/**
 * Workers start once the listing has found this many files (the job is then
 * worth their ~30-40 ms of start-up each), or after it when the files total
 * PARALLEL_MIN_BYTES; smaller jobs are hashed on the calling thread alone.
 */
const PARALLEL_MIN_FILES = 256;
const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

/**
 * dirHash1 of a directory over its per-file manifest. Files are hashed while
 * the directory is still being listed (see {@link HashPool}); the manifest is
 * sorted byte-wise at the end.
 */
export async function hashDirectory(path: string, abs: string, opts: HashOptions): Promise<PathDigest> {
  const workers = Math.max(0, opts.workers ?? availableParallelism() - 1);
  let done = 0;
  let total = 0;
  const onBytes = opts.onProgress
    ? (n: number) => {
        done += n;
        opts.onProgress!(done, Math.max(total, done));
      }
    : undefined;
  // Fingerprint scanners load only when asked for.
  const scanners = opts.fingerprint ? await import('./fingerprint/scanner-for.js') : undefined;
  const pool = new HashPool({ onBytes, scannerFor: scanners?.scannerFor, whereOf: (rel) => join(path, rel) });
  const formats: (FingerprintFormat | undefined)[] = [];
  try {
    const walked = walkDirectory(abs, {
      followSymlinks: opts.followSymlinks,
      display: path,
      onFile: (f) => {
        const format = scanners?.formatOf(f.rel);
        formats.push(format);
        pool.add(f.abs, f.rel, format === 'parquet' ? undefined : format);
        if (workers > 0 && !pool.parallel && pool.size === PARALLEL_MIN_FILES) pool.startWorkers(workers);
      },
    });
    // Sizes cost a stat per file: only for the progress bar's total, or to decide whether a few files are worth workers.
    if (opts.onProgress || (!pool.parallel && workers > 0 && walked.length >= 2)) {
      statSizes(walked, path);
      total = walked.reduce((s, f) => s + (f.size ?? 0), 0);
    }
    if (!pool.parallel && workers > 0 && walked.length >= 2 && total >= PARALLEL_MIN_BYTES) pool.startWorkers(Math.min(workers, walked.length - 1));
    const results = await pool.run();
    const entries: ManifestEntry[] = [];
    for (let i = 0; i < walked.length; i++) {
      const f = walked[i]!;
      const r = results[i]!;
      let fp = r.fingerprint;
      if (formats[i] === 'parquet') {
        try {
          const { parquetFingerprint } = await import('./fingerprint/parquet.js');
          fp = await parquetFingerprint(f.abs, r.size);
        } catch (e) {
          throw relabel(fsError(e, f.abs), join(path, f.rel));
        }
      }
      const entry: ManifestEntry = { path: f.rel, size: r.size, digest: r.digest };
      if (fp) Object.assign(entry, fingerprintFields(fp));
      entries.push(entry);
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
  } finally {
    await pool.close();
  }
}

export function fingerprintFields(fp: Fingerprint): { rows: number; columns?: ColumnInfo[] } {
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
