/**
 * The audit record of a deployment protection rule decision. Every decision
 * (approved, rejected, and each new reason to wait) is appended, so an auditor
 * can go from a model digest to every deployment of it, who let it through
 * and why, and which change request authorised it. The compliance report
 * reads these records by event type and the fields below.
 *
 * `subject`: the deployed model digests, then the digest of the deployed
 * commit's metadata.json (the lineage record), as in MODEL_RELEASE records.
 * `details` (all keys always present; null when unknown):
 * - `repository` ("owner/name"), `environment`, `sha` (deployed commit), `ref`
 * - `run_id` (the workflow run waiting on the environment), `deployment_id`
 * - `decision`: `approved` | `rejected` | `pending`
 * - `reasons`: one sentence each (the failing checks, the waits, or what was verified)
 * - `pull_request`: the release PR's number; `head_sha`: its head at merge time
 * - `change_number` (e.g. `CHG0030001`) and `correlation_id` of the change request
 * - `models`: [{`path`, `digest`}] as signed; `metadata_digest`
 * - `trigger`: `deployment_protection_rule.requested` or `rediscovery`; `delivery`: webhook delivery id or null
 */
import type { Digest } from '../core/digest.js';
import type { RecordInput } from './record.js';

/** The event type of a deployment decision record. */
export const DEPLOYMENT_DECISION = 'DEPLOYMENT_DECISION';

export interface DeploymentDecisionInput {
  repository: string;
  environment: string;
  sha: string;
  ref: string | null;
  run_id: number;
  deployment_id: number | null;
  decision: 'approved' | 'rejected' | 'pending';
  reasons: string[];
  pull_request: number | null;
  head_sha: string | null;
  change_number: string | null;
  correlation_id: string | null;
  models: Array<{ path: string; digest: Digest }>;
  metadata_digest: Digest | null;
  trigger: string;
  delivery: string | null;
}

const ACTIONS = { approved: 'approve deployment', rejected: 'reject deployment', pending: 'hold deployment' } as const;

/** Builds the record (pure). Reasons are capped so the record stays far below 64 KiB. */
export function deploymentDecisionRecord(d: DeploymentDecisionInput): RecordInput {
  const subject = [...new Set<string>([...d.models.map((m) => m.digest), ...(d.metadata_digest ? [d.metadata_digest] : [])])];
  return {
    // One log per repository (DESIGN.md §7); an existing log keeps its name.
    log: d.repository,
    event_type: DEPLOYMENT_DECISION,
    component: 'github-app',
    actor: 'model-release-gate[bot]',
    action: ACTIONS[d.decision],
    subject,
    details: {
      repository: d.repository,
      environment: d.environment,
      sha: d.sha,
      ref: d.ref,
      run_id: d.run_id,
      deployment_id: d.deployment_id,
      decision: d.decision,
      reasons: d.reasons.slice(0, 20).map((r) => r.slice(0, 2000)),
      pull_request: d.pull_request,
      head_sha: d.head_sha,
      change_number: d.change_number,
      correlation_id: d.correlation_id,
      models: d.models.map((m) => ({ path: m.path, digest: m.digest })),
      metadata_digest: d.metadata_digest,
      trigger: d.trigger,
      delivery: d.delivery,
    },
    compliance_tags: ['deployment', 'model-release', 'SR-11-7'],
  };
}
