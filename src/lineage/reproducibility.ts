import { canonicalJson } from '../core/canonical-json.js';
import { compareBytewise } from '../core/dir-hash.js';
import { sha256, type Digest } from '../core/digest.js';
import type { LineageMetadata } from './metadata-types.js';

/**
 * What determines the model, and nothing else: the object whose RFC 8785
 * canonical JSON is hashed into `reproducibility_digest`.
 *
 * - `datasets`: each dataset's `role` and `digest`, sorted by role then digest
 *   (names, paths, sizes and fingerprints are descriptions, not inputs: the
 *   same bytes under another name train the same model);
 * - `hyperparameters`: as recorded;
 * - `environment`: `python`, `lockfiles` (path and digest, sorted by path) and
 *   `python_packages` (sorted by name) when present. `environment.node` is
 *   left out: it is the version of Node that ran the gate, not of anything
 *   that trained the model, and runner upgrades must not change the digest;
 * - `source_commit`: `source.commit`, or null.
 *
 * Not included: the model itself (the output), metrics (measured after
 * training), `created_at`, `source.run_id`/`workflow`/`repository`.
 */
export function reproducibilityInput(m: Pick<LineageMetadata, 'datasets' | 'hyperparameters' | 'environment' | 'source'>): unknown {
  const env: Record<string, unknown> = {
    lockfiles: [...m.environment.lockfiles]
      .map((l) => ({ path: l.path, digest: l.digest }))
      .sort((a, b) => compareBytewise(a.path, b.path)),
  };
  if (m.environment.python !== undefined) env.python = m.environment.python;
  if (m.environment.python_packages !== undefined) {
    env.python_packages = [...m.environment.python_packages]
      .map((p) => ({ name: p.name, version: p.version }))
      .sort((a, b) => compareBytewise(a.name, b.name) || compareBytewise(a.version, b.version));
  }
  return {
    datasets: m.datasets
      .map((d) => ({ role: d.role, digest: d.digest }))
      .sort((a, b) => compareBytewise(a.role, b.role) || compareBytewise(a.digest, b.digest)),
    hyperparameters: m.hyperparameters,
    environment: env,
    source_commit: m.source.commit ?? null,
  };
}

/** SHA-256 of the canonical JSON of {@link reproducibilityInput}. */
export function reproducibilityDigest(
  m: Pick<LineageMetadata, 'datasets' | 'hyperparameters' | 'environment' | 'source'>,
): Digest {
  return sha256(canonicalJson(reproducibilityInput(m)));
}
