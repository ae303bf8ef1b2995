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
 * - `environment`: `lockfiles` (path and digest, sorted by path), the files
 *   that pin the training environment. `python` and `python_packages` only
 *   when present, which is only in older records (they held the recording
 *   machine's interpreter; kept so those records still verify);
 * - `source_commit`: `source.commit`, or null.
 *
 * Not included: the model itself (the output), metrics (measured after
 * training), `created_at`, `environment.node` (the Node that ran the gate:
 * runner upgrades must not change the digest), `environment.recording_machine`
 * (the machine that recorded, not the one that trained), and every other
 * `source` field (repository, branch, dirty, run, actors: where and by whom,
 * not what).
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
