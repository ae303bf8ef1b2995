import { METADATA_SCHEMA_V1 } from './metadata-types.js';

const digest = { type: 'string', pattern: '^sha256:[0-9a-f]{64}$', description: 'sha256:<64 lowercase hex>' } as const;
const relPath = {
  type: 'string',
  minLength: 1,
  description: 'relative to the working directory at record time (or to the directory, for a manifest entry), /-separated',
} as const;
const size = { type: 'integer', minimum: 0 } as const;
const columns = {
  type: 'array',
  description:
    'CSV/TSV: header names, type "number" when every non-empty value in the first 1,000 data rows is a decimal number, else "string". JSON Lines: keys of the first 1,000 objects with their JSON types joined by |. Parquet: top-level fields with their logical, converted or physical type.',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'type'],
    properties: { name: { type: 'string' }, type: { type: 'string', minLength: 1 } },
  },
} as const;
const manifest = {
  type: 'array',
  description: 'every regular file of the directory in byte-wise order of path; the directory digest is dirHash1 of these entries',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'size', 'digest'],
    properties: { path: relPath, size, digest, rows: size, columns },
  },
} as const;
const packages = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'version'],
    properties: { name: { type: 'string' }, version: { type: 'string' } },
  },
} as const;
const artifactProps = {
  path: relPath,
  type: { enum: ['file', 'directory'] },
  digest,
  size,
  files: manifest,
} as const;

const hex64 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const shards = {
  type: 'object',
  description:
    "the model file's sharded digest as OpenSSF model signing's shard serialization builds it (docs/sharded-digest.md), beside its plain SHA-256 (`lineage record --shards`)",
  additionalProperties: false,
  required: ['serialization', 'resources', 'digest'],
  properties: {
    serialization: {
      type: 'object',
      additionalProperties: false,
      required: ['method', 'hash_type', 'shard_size', 'allow_symlinks'],
      properties: {
        method: { const: 'shards' },
        hash_type: { const: 'sha256' },
        shard_size: { type: 'integer', minimum: 1 },
        allow_symlinks: { type: 'boolean' },
      },
    },
    resources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'algorithm', 'digest'],
        properties: { name: { type: 'string', minLength: 1 }, algorithm: { type: 'string', minLength: 1 }, digest: hex64 },
      },
    },
    digest: { ...digest, description: 'SHA-256 over the shard digests, in order (the subject digest model_signing signs)' },
  },
} as const;

/**
 * JSON Schema (draft 2020-12) of metadata.json v1. The committed
 * `schemas/metadata.schema.json` is this object, written out (a test keeps the
 * two equal); it lives in code so the bundled Action carries it.
 */
export const metadataJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: METADATA_SCHEMA_V1,
  title: 'model-release-gate lineage metadata (metadata.json) v1',
  description:
    'Which bytes a released model was and which datasets trained, validated and tested it. File digests are SHA-256 of the bytes (as sha256sum); directory digests are in-toto dirHash1.',
  type: 'object',
  additionalProperties: false,
  required: [
    'schema',
    'model',
    'datasets',
    'hyperparameters',
    'metrics',
    'environment',
    'source',
    'reproducibility_digest',
    'created_at',
  ],
  properties: {
    schema: { const: METADATA_SCHEMA_V1 },
    model: {
      type: 'object',
      additionalProperties: false,
      required: ['path', 'type', 'digest', 'size'],
      properties: { ...artifactProps, shards },
    },
    datasets: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'role', 'path', 'type', 'digest', 'size'],
        properties: {
          name: { type: 'string', minLength: 1 },
          role: { enum: ['training', 'validation', 'test'] },
          ...artifactProps,
          rows: { ...size, description: 'data rows (CSV: records after the header, quoted newlines do not count; JSON Lines: non-empty lines; Parquet: num_rows); for a directory, the sum over its recognised files' },
          columns,
        },
      },
    },
    hyperparameters: { type: 'object' },
    metrics: { type: 'object' },
    environment: {
      type: 'object',
      additionalProperties: false,
      required: ['node', 'lockfiles'],
      properties: {
        node: { type: 'string', description: 'the Node.js version that ran the gate; outside the reproducibility digest' },
        python: { type: 'string', description: 'only in older records, written before recording_machine existed (the recording machine\'s python3, then part of the digest); no longer written' },
        lockfiles: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['path', 'digest'],
            properties: { path: relPath, digest },
          },
        },
        python_packages: {
          ...packages,
          description: 'only in older records, written before recording_machine existed (the recording machine\'s pip list, then part of the digest); no longer written',
        },
        recording_machine: {
          type: 'object',
          description: 'on request only: the python3 on PATH of the machine that ran record, and its pip list; outside the reproducibility digest',
          additionalProperties: false,
          properties: { python: { type: 'string' }, python_packages: packages },
        },
      },
    },
    source: {
      type: 'object',
      description: 'where the code that trained the model came from (git or GitHub Actions), and the run that recorded it',
      additionalProperties: false,
      properties: {
        repository: { type: 'string', description: 'owner/name on GitHub Actions; otherwise the git remote URL without credentials' },
        commit: { type: 'string', description: "the commit checked out (git's HEAD), else GITHUB_SHA" },
        branch: { type: 'string' },
        dirty: {
          type: 'boolean',
          description: 'git: whether a tracked file changed or an untracked file not ignored exists, outside the paths this record pins by digest or writes',
        },
        uncommitted: {
          type: 'array',
          description: 'git: those paths, relative to the repository top level, byte-wise sorted, at most 1,000',
          items: { type: 'string' },
        },
        uncommitted_count: { ...size, description: 'git: how many uncommitted paths there are in all' },
        workflow: { type: 'string' },
        run_id: { type: 'string' },
        run_attempt: { type: 'string' },
        run_url: { type: 'string' },
        actor: { type: 'string', description: 'GitHub Actions: github.actor, who started the workflow run' },
        triggering_actor: { type: 'string', description: 'GitHub Actions: github.triggering_actor, who triggered this run attempt' },
      },
    },
    reproducibility_digest: {
      ...digest,
      description:
        'SHA-256 of the RFC 8785 canonical JSON of {datasets: [{role, digest}] sorted by role then digest, hyperparameters, environment: {lockfiles: [{path, digest}] sorted by path, python? and python_packages? sorted by name (present only in older records, written before recording_machine existed)}, source_commit: source.commit or null}. Not included: the model, metrics, created_at, environment.node, environment.recording_machine, dataset names and paths, every other source field.',
    },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;
