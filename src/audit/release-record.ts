import type { Digest } from '../core/digest.js';
import type { RecordInput } from './record.js';

/** Who and where a release was made, as the front knows it. */
export interface ReleaseContext {
  /** "owner/name" of the repository, when known (GitHub Actions). */
  repository?: string;
  /** Login or service identity that ran the release. */
  actor: string;
  commit?: string;
  workflow?: string;
  runId?: string;
  /** Link to the run, for auditors. */
  runUrl?: string;
  /** Which front made the record ("action", "cli"). */
  component: string;
}

/** The lineage facts a MODEL_RELEASE record carries. */
export interface ReleaseLineage {
  modelPath: string;
  modelDigest: Digest;
  metadataPath: string;
  metadataDigest: Digest;
  reproducibilityDigest: Digest;
  datasets: Array<{ name: string; role: string; digest: Digest }>;
}

/** The event type of the record written when a model is released. */
export const MODEL_RELEASE = 'MODEL_RELEASE';

/**
 * The audit record for a model release. Its subjects are the model digest and
 * the metadata.json digest, so an auditor can go from either artifact to the
 * record (and from the record to both); dataset digests ride in the details.
 */
export function modelReleaseRecord(lineage: ReleaseLineage, ctx: ReleaseContext, eventType = MODEL_RELEASE): RecordInput {
  const details: Record<string, unknown> = {
    model: { path: lineage.modelPath, digest: lineage.modelDigest },
    metadata: { path: lineage.metadataPath, digest: lineage.metadataDigest },
    reproducibility_digest: lineage.reproducibilityDigest,
    datasets: lineage.datasets.map((d) => ({ name: d.name, role: d.role, digest: d.digest })),
  };
  const run: Record<string, string> = {};
  if (ctx.repository) run.repository = ctx.repository;
  if (ctx.commit) run.commit = ctx.commit;
  if (ctx.workflow) run.workflow = ctx.workflow;
  if (ctx.runId) run.run_id = ctx.runId;
  if (ctx.runUrl) run.url = ctx.runUrl;
  if (Object.keys(run).length > 0) details.run = run;
  return {
    // One log per repository (DESIGN.md §7); a new log takes this name.
    log: ctx.repository,
    event_type: eventType,
    component: ctx.component,
    actor: ctx.actor,
    action: `release ${lineage.modelPath}`,
    subject: [lineage.modelDigest, lineage.metadataDigest],
    details,
    compliance_tags: ['model-inventory', 'SR-11-7'],
  };
}
