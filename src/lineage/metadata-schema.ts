import { METADATA_SCHEMA_V1 } from './metadata-types.js';

const digest = { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } as const;
const relPath = { type: 'string', minLength: 1 } as const;
const size = { type: 'integer', minimum: 0 } as const;
const columns = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'type'],
    properties: { name: { type: 'string' }, type: { type: 'string', minLength: 1 } },
  },
} as const;
const manifest = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'size', 'digest'],
    properties: { path: relPath, size, digest, rows: size, columns },
  },
} as const;
const artifactProps = {
  path: relPath,
  type: { enum: ['file', 'directory'] },
  digest,
  size,
  files: manifest,
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
      properties: artifactProps,
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
          rows: size,
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
        node: { type: 'string' },
        python: { type: 'string' },
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
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'version'],
            properties: { name: { type: 'string' }, version: { type: 'string' } },
          },
        },
      },
    },
    source: {
      type: 'object',
      additionalProperties: false,
      properties: {
        repository: { type: 'string' },
        commit: { type: 'string' },
        workflow: { type: 'string' },
        run_id: { type: 'string' },
      },
    },
    reproducibility_digest: digest,
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;
