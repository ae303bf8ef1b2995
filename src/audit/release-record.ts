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
    // One log per repository (docs/design.md §7); a new log takes this name.
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

/** The parts of metadata.json a release record is built from. */
export interface ReleasedMetadata {
  model: { path: string; digest: Digest };
  reproducibility_digest: Digest;
  datasets: Array<{ name: string; role: string; digest: Digest }>;
}

/**
 * The lineage facts of a release, from the metadata.json released and its
 * bytes' digest: one function for the Action and the CLI, so a record made by
 * hand carries exactly what the Action's does.
 */
export function releaseLineageOf(metadata: ReleasedMetadata, metadataPath: string, metadataDigest: Digest): ReleaseLineage {
  return {
    modelPath: metadata.model.path,
    modelDigest: metadata.model.digest,
    metadataPath,
    metadataDigest,
    reproducibilityDigest: metadata.reproducibility_digest,
    datasets: metadata.datasets.map((d) => ({ name: d.name, role: d.role, digest: d.digest })),
  };
}

/**
 * Who and where, from a GitHub Actions run's variables (GITHUB_REPOSITORY,
 * GITHUB_ACTOR, GITHUB_SHA, GITHUB_WORKFLOW, GITHUB_RUN_ID, GITHUB_SERVER_URL);
 * `given` fills or overrides them (the CLI's flags, or what metadata.json's
 * source says outside Actions).
 */
export function releaseContextFromEnv(
  env: Record<string, string | undefined>,
  component: string,
  given: Partial<Omit<ReleaseContext, 'component'>> = {},
): ReleaseContext {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  const ctx: ReleaseContext = {
    repository: given.repository ?? repo,
    actor: given.actor ?? env.GITHUB_ACTOR ?? 'unknown',
    commit: given.commit ?? env.GITHUB_SHA,
    workflow: given.workflow ?? env.GITHUB_WORKFLOW,
    runId: given.runId ?? id,
    runUrl: given.runUrl ?? (server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined),
    component,
  };
  return ctx;
}
