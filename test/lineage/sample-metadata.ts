import { sha256 } from '../../src/core/digest.js';
import { METADATA_SCHEMA_V1, type LineageMetadata } from '../../src/lineage/metadata-types.js';
import { reproducibilityDigest } from '../../src/lineage/reproducibility.js';

/** A small, schema-valid metadata.json for pure tests. */
export function sampleMetadata(): LineageMetadata {
  const base = {
    datasets: [
      { name: 'train', role: 'training' as const, path: 'data/train.csv', type: 'file' as const, digest: sha256('t'), size: 1, rows: 1, columns: [{ name: 'x', type: 'number' }] },
      { name: 'val', role: 'validation' as const, path: 'data/val', type: 'directory' as const, digest: sha256(''), size: 0, files: [] },
    ],
    hyperparameters: { lr: 0.01, layers: [64, 32] },
    environment: { node: 'v24.9.0', python: '3.11.7', lockfiles: [{ path: 'uv.lock', digest: sha256('lock') }], python_packages: [{ name: 'numpy', version: '2.0.0' }] },
    source: { repository: 'acme/models', commit: 'a'.repeat(40), workflow: 'release', run_id: '42' },
  };
  return {
    schema: METADATA_SCHEMA_V1,
    model: { path: 'models/m.bin', type: 'file', digest: sha256('model'), size: 5 },
    ...base,
    metrics: { accuracy: 0.93 },
    reproducibility_digest: reproducibilityDigest(base),
    created_at: '2026-01-02T03:04:05.000Z',
  };
}

