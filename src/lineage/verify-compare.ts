import { dirHash1, type ManifestEntry } from '../core/dir-hash.js';
import { shardedDigest, type ShardedDigest } from '../core/shard-digest.js';
import type { Digest } from '../core/digest.js';
import type { ArtifactRecord, DatasetRole, LineageMetadata } from './metadata-types.js';
import { reproducibilityDigest } from './reproducibility.js';

/** What is on disk now for one recorded artifact (undefined digest: missing). */
export interface ObservedArtifact {
  type?: 'file' | 'directory';
  digest?: Digest;
  files?: ManifestEntry[];
  /** The sharded digest, when the record has one. */
  shards?: ShardedDigest;
}

/**
 * One difference between metadata.json and the bytes on disk.
 * - `missing`: the recorded path is gone; `type`: a file became a directory or back;
 * - `modified`: a digest differs (with `file`, one file inside a directory);
 * - `added` / `removed`: a file inside a directory that was not / is no longer there;
 * - `inconsistent`: metadata.json contradicts itself (a directory digest that is
 *   not the dirHash1 of its own manifest, or a reproducibility digest that is
 *   not that of its own fields): it was edited after it was recorded.
 */
export interface Mismatch {
  subject: 'model' | 'dataset' | 'metadata';
  change: 'missing' | 'type' | 'modified' | 'added' | 'removed' | 'inconsistent';
  /** The artifact's recorded path (for `metadata`, the field). */
  path: string;
  name?: string;
  role?: DatasetRole;
  /** A file's path inside a directory artifact. */
  file?: string;
  expected?: string;
  actual?: string;
  /** Why the mismatch says no more (e.g. a directory recorded without its manifest). */
  detail?: string;
}

export interface VerifyResult {
  ok: boolean;
  mismatches: Mismatch[];
}

/**
 * Compares recorded lineage with what was observed. Pure: the caller hashes,
 * this decides. `observed.datasets[i]` belongs to `metadata.datasets[i]`.
 */
export function compareLineage(
  metadata: LineageMetadata,
  observed: { model: ObservedArtifact; datasets: ObservedArtifact[] },
): VerifyResult {
  const mismatches: Mismatch[] = [];
  const recomputed = reproducibilityDigest(metadata);
  if (recomputed !== metadata.reproducibility_digest) {
    mismatches.push({
      subject: 'metadata',
      change: 'inconsistent',
      path: 'reproducibility_digest',
      expected: metadata.reproducibility_digest,
      actual: recomputed,
    });
  }
  compareArtifact(mismatches, { subject: 'model' }, metadata.model, observed.model);
  metadata.datasets.forEach((d, i) => {
    compareArtifact(mismatches, { subject: 'dataset', name: d.name, role: d.role }, d, observed.datasets[i] ?? {});
  });
  return { ok: mismatches.length === 0, mismatches };
}

function compareArtifact(
  out: Mismatch[],
  who: Pick<Mismatch, 'subject' | 'name' | 'role'>,
  rec: ArtifactRecord,
  obs: ObservedArtifact,
): void {
  const base = { ...who, path: rec.path };
  if (rec.type === 'directory' && rec.files) {
    let own: Digest | undefined;
    try {
      own = dirHash1(rec.files);
    } catch {
      own = undefined;
    }
    if (own !== rec.digest) {
      out.push({ ...base, subject: 'metadata', change: 'inconsistent', expected: rec.digest, actual: own });
    }
  }
  if (obs.digest === undefined) {
    out.push({ ...base, change: 'missing', expected: rec.digest });
    return;
  }
  if (obs.type !== rec.type) {
    out.push({ ...base, change: 'type', expected: rec.type, actual: obs.type });
    return;
  }
  if (rec.type === 'directory' && rec.files === undefined) {
    // Without a manifest there is nothing to compare file by file: listing
    // every file as "added" would claim a change that was never observed.
    if (obs.digest !== rec.digest) {
      out.push({
        ...base,
        change: 'modified',
        expected: rec.digest,
        actual: obs.digest,
        detail: 'metadata.json has no manifest (files) for this directory: the files that differ cannot be named',
      });
    }
    return;
  }
  if (obs.digest !== rec.digest) out.push({ ...base, change: 'modified', expected: rec.digest, actual: obs.digest });
  if (rec.shards) compareShards(out, base, rec, obs);
  if (rec.type === 'directory') {
    for (const m of compareManifests(rec.files ?? [], obs.files ?? [])) out.push({ ...base, ...m });
  }
}

/**
 * A recorded sharded digest must be what its own resources give (else the
 * record was edited: `inconsistent`) and what the bytes give now (`modified`).
 */
function compareShards(out: Mismatch[], base: Pick<Mismatch, 'subject' | 'name' | 'role' | 'path'>, rec: ArtifactRecord, obs: ObservedArtifact): void {
  const s = rec.shards!;
  let own: ShardedDigest | undefined;
  try {
    own = shardedDigest(
      s.resources.map((r) => Buffer.from(r.digest, 'hex')),
      rec.size,
      { shardSize: s.serialization.shard_size, allowSymlinks: s.serialization.allow_symlinks },
    );
  } catch {
    own = undefined;
  }
  if (rec.type !== 'file' || !own || JSON.stringify(own) !== JSON.stringify(s)) {
    out.push({ ...base, subject: 'metadata', change: 'inconsistent', expected: s.digest, actual: own?.digest, detail: 'the sharded digest is not that of its own shards and the file\'s size' });
    return;
  }
  if (obs.shards?.digest !== s.digest) {
    out.push({ ...base, change: 'modified', expected: s.digest, actual: obs.shards?.digest, detail: 'the sharded digest differs' });
  }
}

/**
 * Per-file differences between two manifests, in byte-wise path order of the
 * union: `modified` (digest differs), `removed` (only in `expected`), `added`
 * (only in `actual`).
 */
export function compareManifests(
  expected: readonly ManifestEntry[],
  actual: readonly ManifestEntry[],
): Pick<Mismatch, 'change' | 'file' | 'expected' | 'actual'>[] {
  const exp = new Map(expected.map((e) => [e.path, e]));
  const act = new Map(actual.map((e) => [e.path, e]));
  const paths = [...new Set([...exp.keys(), ...act.keys()])].sort((a, b) =>
    Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')),
  );
  const out: Pick<Mismatch, 'change' | 'file' | 'expected' | 'actual'>[] = [];
  for (const p of paths) {
    const e = exp.get(p);
    const a = act.get(p);
    if (e && !a) out.push({ change: 'removed', file: p, expected: e.digest });
    else if (!e && a) out.push({ change: 'added', file: p, actual: a.digest });
    else if (e && a && e.digest !== a.digest) out.push({ change: 'modified', file: p, expected: e.digest, actual: a.digest });
  }
  return out;
}
