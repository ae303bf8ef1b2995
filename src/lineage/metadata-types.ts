import type { ShardedDigest } from '../core/shard-digest.js';
import type { ColumnInfo, ManifestEntry } from '../core/dir-hash.js';
import type { Digest } from '../core/digest.js';

/** The `schema` of metadata.json version 1. */
export const METADATA_SCHEMA_V1 = 'https://model-release-gate.dev/schemas/metadata/v1';
/** The predicate type of the in-toto Statement that carries metadata.json. */
export const LINEAGE_PREDICATE_TYPE = 'https://model-release-gate.dev/attestation/lineage/v1';

export type DatasetRole = 'training' | 'validation' | 'test';
export const DATASET_ROLES: readonly DatasetRole[] = ['training', 'validation', 'test'];

/** A hashed file or directory, as metadata.json records it. */
export interface ArtifactRecord {
  /** Relative to the working directory at record time, `/`-separated. */
  path: string;
  type: 'file' | 'directory';
  digest: Digest;
  size: number;
  /** Directories: every regular file, in byte-wise path order. */
  files?: ManifestEntry[];
  /** The model file only, when recorded with shards: its sharded digest, beside `digest`. */
  shards?: ShardedDigest;
}

export interface DatasetRecord extends ArtifactRecord {
  name: string;
  role: DatasetRole;
  rows?: number;
  columns?: ColumnInfo[];
}

export interface LockfileRecord {
  path: string;
  digest: Digest;
}

export interface PythonPackage {
  name: string;
  version: string;
}

export interface EnvironmentRecord {
  /** The Node.js version that ran the gate (recorded, not part of the reproducibility digest). */
  node: string;
  /** The files that pin the training environment (lockfiles, a saved `pip freeze`): in the digest. */
  lockfiles: LockfileRecord[];
  /**
   * Only in older records (written before `recording_machine` existed): the recording machine's python3,
   * which those records put in the digest (so they still verify). No longer written.
   */
  python?: string;
  /** Only in older records, as `python`. */
  python_packages?: PythonPackage[];
  /**
   * On explicit request: the python3 on PATH of the machine that ran `record`
   * and its `pip list`. They describe that machine, not the training: outside
   * the reproducibility digest.
   */
  recording_machine?: { python?: string; python_packages?: PythonPackage[] };
}

/**
 * Where the code that trained the model came from, and which run recorded it
 * (see `composeSource` for where each field comes from).
 */
export interface SourceRecord {
  /** `owner/name` on GitHub Actions; otherwise git's remote URL without credentials. */
  repository?: string;
  /** The commit checked out (git's HEAD), else GITHUB_SHA. */
  commit?: string;
  branch?: string;
  /** git: whether anything the record does not pin by digest differs from `commit`. */
  dirty?: boolean;
  /** git: those paths (relative to the repository's top level), at most 1,000. */
  uncommitted?: string[];
  /** git: how many there are in all. */
  uncommitted_count?: number;
  workflow?: string;
  run_id?: string;
  run_attempt?: string;
  run_url?: string;
  /** GitHub Actions: who started the workflow run (`github.actor`). */
  actor?: string;
  /** GitHub Actions: who triggered this attempt (`github.triggering_actor`; differs from `actor` on a re-run). */
  triggering_actor?: string;
}

/** metadata.json, version 1 (docs/design.md §4; schemas/metadata.schema.json). */
export interface LineageMetadata {
  schema: typeof METADATA_SCHEMA_V1;
  model: ArtifactRecord;
  datasets: DatasetRecord[];
  hyperparameters: Record<string, unknown>;
  metrics: Record<string, unknown>;
  environment: EnvironmentRecord;
  source: SourceRecord;
  reproducibility_digest: Digest;
  created_at: string;
}
