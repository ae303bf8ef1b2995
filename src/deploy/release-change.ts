/**
 * The change request for a model release: what the change-advisory board and,
 * later, an auditor read in ServiceNow. It carries the digests that identify
 * exactly what is deployed (model, metadata.json, datasets), who approved it,
 * and links back to the pull request and the workflow run, so the change
 * record and the audit log can be matched without trusting either alone.
 * Pure: facts in, request out.
 */
import { GateError } from '../core/errors.js';
import { isDigest, sha256, type Digest } from '../core/digest.js';
import type { ChangeRequestInput } from './change-management.js';

export interface ReleaseDataset {
  name: string;
  role?: string;
  digest: Digest;
}

export interface ReleaseFacts {
  short_description: string;
  model?: { path?: string; digest: Digest };
  /** Digest of the metadata.json file's bytes (the lineage record). */
  metadata?: { path?: string; digest: Digest };
  datasets?: ReleaseDataset[];
  reproducibility_digest?: Digest;
  /** Logins of the approvers, optionally with the role each filled (`alice (risk)`). */
  approvers?: string[];
  repository?: string;
  commit?: string;
  pull_request_url?: string;
  run_url?: string;
}

/** Builds the change request; other fields (`--field`) are added by the caller. */
export function releaseChangeRequest(facts: ReleaseFacts): ChangeRequestInput {
  const lines: string[] = ['Model release recorded by model-release-gate.', ''];
  if (facts.model) lines.push(`Model: ${facts.model.path ? `${facts.model.path} ` : ''}${facts.model.digest}`);
  if (facts.metadata) {
    lines.push(`Lineage (metadata.json): ${facts.metadata.path ? `${facts.metadata.path} ` : ''}${facts.metadata.digest}`);
  }
  if (facts.reproducibility_digest) lines.push(`Reproducibility digest: ${facts.reproducibility_digest}`);
  if (facts.datasets?.length) {
    lines.push('Datasets:');
    for (const d of facts.datasets) lines.push(`  - ${d.name}${d.role ? ` (${d.role})` : ''}: ${d.digest}`);
  }
  if (facts.approvers?.length) lines.push(`Approvers: ${facts.approvers.join(', ')}`);
  if (facts.repository) lines.push(`Repository: ${facts.repository}${facts.commit ? ` @ ${facts.commit}` : ''}`);
  else if (facts.commit) lines.push(`Commit: ${facts.commit}`);
  if (facts.pull_request_url) lines.push(`Pull request: ${facts.pull_request_url}`);
  if (facts.run_url) lines.push(`Workflow run: ${facts.run_url}`);

  const justification = [
    facts.model ? `Release of model ${facts.model.digest}` : 'Model release',
    facts.approvers?.length ? `approved in review by ${facts.approvers.join(', ')}` : undefined,
    facts.pull_request_url ? `in ${facts.pull_request_url}` : undefined,
  ]
    .filter(Boolean)
    .join(' ')
    .concat(facts.metadata ? `; lineage recorded in metadata.json ${facts.metadata.digest}.` : '.');

  const request: ChangeRequestInput = {
    short_description: facts.short_description,
    description: lines.join('\n'),
    justification,
  };
  if (facts.model) {
    request.implementation_plan = `Deploy exactly ${facts.model.digest}${facts.run_url ? ` from ${facts.run_url}` : ''}; the deployment verifies this digest before rollout.`;
  }
  return request;
}

/**
 * Release facts from a metadata.json's bytes (docs/design.md §4 format): the model,
 * datasets, source and reproducibility digest, plus the file's own digest.
 * Only the fields the change request shows are read; the lineage verifier is
 * what checks the file in full.
 */
export function factsFromMetadata(bytes: Uint8Array, path: string): Omit<ReleaseFacts, 'short_description'> {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new GateError('E_JSON', `${path} is not JSON`, { where: path, cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new GateError('E_SCHEMA', 'metadata.json must be a JSON object', { where: path });
  }
  const m = doc as {
    model?: { path?: unknown; digest?: unknown };
    datasets?: unknown;
    source?: { repository?: unknown; commit?: unknown };
    reproducibility_digest?: unknown;
  };
  const facts: Omit<ReleaseFacts, 'short_description'> = { metadata: { path, digest: sha256(bytes) } };
  if (m.model !== undefined) {
    if (!isDigest(m.model?.digest)) {
      throw new GateError('E_SCHEMA', `model.digest is not a sha256:<hex> digest`, { where: `${path}: model.digest` });
    }
    facts.model = { digest: m.model.digest, ...(typeof m.model.path === 'string' ? { path: m.model.path } : {}) };
  }
  if (m.datasets !== undefined) {
    if (!Array.isArray(m.datasets)) throw new GateError('E_SCHEMA', 'datasets must be an array', { where: `${path}: datasets` });
    facts.datasets = m.datasets.map((d: unknown, i: number) => {
      const ds = (d ?? {}) as { name?: unknown; role?: unknown; digest?: unknown; path?: unknown };
      if (!isDigest(ds.digest)) {
        throw new GateError('E_SCHEMA', 'dataset digest is not a sha256:<hex> digest', { where: `${path}: datasets[${i}].digest` });
      }
      const name = typeof ds.name === 'string' ? ds.name : typeof ds.path === 'string' ? ds.path : `dataset ${i}`;
      return { name, digest: ds.digest, ...(typeof ds.role === 'string' ? { role: ds.role } : {}) };
    });
  }
  if (typeof m.source?.repository === 'string') facts.repository = m.source.repository;
  if (typeof m.source?.commit === 'string') facts.commit = m.source.commit;
  if (isDigest(m.reproducibility_digest)) facts.reproducibility_digest = m.reproducibility_digest;
  return facts;
}
