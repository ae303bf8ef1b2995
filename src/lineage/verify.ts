import { resolve } from 'node:path';
import { isGateError } from '../core/errors.js';
import { hashPath } from './hash-path.js';
import type { ArtifactRecord } from './metadata-types.js';
import { readMetadataFile } from './metadata-io.js';
import { compareLineage, type ObservedArtifact, type VerifyResult } from './verify-compare.js';

export interface VerifyOptions {
  /** Directory the recorded paths are relative to (default: `cwd`). */
  root?: string;
  /** Resolves `file` and a relative `root` (default: the process's). */
  cwd?: string;
  followSymlinks?: boolean;
  workers?: number;
  onProgress?: (label: string, done: number, total: number) => void;
}

/**
 * Re-hashes every artifact metadata.json names and compares (see
 * {@link compareLineage}). A missing or schema-invalid metadata file is a
 * GateError (exit 2); a missing artifact is a mismatch.
 */
export async function verifyLineage(file: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const cwd = opts.cwd ?? process.cwd();
  const metadata = await readMetadataFile(file, cwd);
  const root = resolve(cwd, opts.root ?? '.');
  const observe = async (rec: ArtifactRecord): Promise<ObservedArtifact> => {
    try {
      const r = await hashPath(rec.path, {
        cwd: root,
        followSymlinks: opts.followSymlinks,
        workers: opts.workers,
        // A recorded sharded digest is recomputed too (at its shard size), so it cannot claim what the bytes are not.
        shards: rec.shards !== undefined,
        shardSize: rec.shards?.serialization.shard_size,
        onProgress: opts.onProgress ? (d, t) => opts.onProgress!(rec.path, d, t) : undefined,
      });
      return { type: r.type, digest: r.digest, files: r.files, shards: r.shards };
    } catch (e) {
      if (isGateError(e) && e.code === 'E_NOT_FOUND' && e.where === rec.path) return {};
      throw e;
    }
  };
  const model = await observe(metadata.model);
  const datasets: ObservedArtifact[] = [];
  for (const d of metadata.datasets) datasets.push(await observe(d));
  return compareLineage(metadata, { model, datasets });
}
