/**
 * The audit records of the change-management and deployment steps of a
 * release: `CHANGE_REQUEST` (a change request was opened or read for a
 * release) and `DEPLOYMENT_DECISION` (the deployment gate allowed or refused
 * a deployment). Like `MODEL_RELEASE`, their subjects are the model digest
 * and the metadata.json digest, which is how the compliance report joins a
 * deployment to its release and approvals.
 *
 * Pure builders: the front that opens the change or decides the deployment
 * calls them and appends the result with `appendRecord`. Readers (the report)
 * accept any record of these event types and read the fields below tolerantly.
 */
import type { Digest } from '../core/digest.js';
import type { RecordInput } from './record.js';

/** Event type of the record written when a change request is opened (or found again) for a release. */
export const CHANGE_REQUEST = 'CHANGE_REQUEST';
/** Event type of the record written when the deployment gate decides on a deployment. */
export const DEPLOYMENT_DECISION = 'DEPLOYMENT_DECISION';

/** What the release is identified by: the same digests as its MODEL_RELEASE record's subject. */
export interface ReleaseSubject {
  modelDigest: Digest;
  /** Digest of the metadata.json file's bytes, when known. */
  metadataDigest?: Digest;
}

/** A change request as the record stores it (ServiceNow `change_request` fields). */
export interface ChangeRef {
  /** The change-management system, e.g. `servicenow`. */
  system: string;
  /** Human-readable number, e.g. `CHG0030001`. */
  number: string;
  sys_id?: string;
  url?: string;
  correlation_id?: string;
  /** State value (`-1` Implement, ...) and approval (`approved`, ...) when the record was made. */
  state?: string;
  approval?: string;
}

/** Shape of `details` in a CHANGE_REQUEST record. */
export interface ChangeRequestDetails {
  change: ChangeRef;
  /** True when this call created the change; false when an existing one was found by correlation id. */
  created: boolean;
  model: { digest: Digest };
  metadata: { digest: Digest } | null;
  repository?: string;
  run_url?: string;
}

export type DeploymentDecisionState = 'approved' | 'rejected' | 'pending';

/** Shape of `details` in a DEPLOYMENT_DECISION record. */
export interface DeploymentDecisionDetails {
  /** Target environment, e.g. `production`. */
  environment: string;
  decision: DeploymentDecisionState;
  /** One sentence: why (from the change gate or the approval gate). */
  reason: string;
  /** Null when no release was found for the deployment. */
  model: { digest: Digest } | null;
  metadata: { digest: Digest } | null;
  /** The change request the decision relied on, if any. */
  change: ChangeRef | null;
  repository?: string;
  /** GitHub deployment id, or any identifier of the deployment. */
  deployment_id?: string;
  run_url?: string;
}

/** Who recorded it: the component (`github-app`, `cli`) and the actor (login or service identity). */
export interface RecorderContext {
  component: string;
  actor: string;
  /** Log name for a new log (one log per repository, docs/design.md §7). */
  log?: string;
}

function subjectOf(s: ReleaseSubject): Digest[] {
  return s.metadataDigest ? [s.modelDigest, s.metadataDigest] : [s.modelDigest];
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The CHANGE_REQUEST record for a release's change request. */
export function changeRequestRecord(
  release: ReleaseSubject,
  change: ChangeRef,
  ctx: RecorderContext & { created: boolean; repository?: string; runUrl?: string },
): RecordInput {
  const details: ChangeRequestDetails = dropUndefined({
    change: dropUndefined({ ...change }),
    created: ctx.created,
    model: { digest: release.modelDigest },
    metadata: release.metadataDigest ? { digest: release.metadataDigest } : null,
    repository: ctx.repository,
    run_url: ctx.runUrl,
  });
  return {
    log: ctx.log,
    event_type: CHANGE_REQUEST,
    component: ctx.component,
    actor: ctx.actor,
    action: `${ctx.created ? 'open' : 'use'} change ${change.number}`,
    subject: subjectOf(release),
    details,
    // SOX IT general controls: changes to production go through change management.
    compliance_tags: ['change-management', 'SOX-ITGC'],
  };
}

/**
 * The DEPLOYMENT_DECISION record for one decision of the deployment gate.
 * `release` is null when no release was found (a deployment refused for
 * that): the same shape with `model` and `metadata` null and no subject.
 */
export function deploymentDecisionRecord(
  release: ReleaseSubject | null,
  decision: { environment: string; decision: DeploymentDecisionState; reason: string; change?: ChangeRef | null },
  ctx: RecorderContext & { repository?: string; deploymentId?: string; runUrl?: string },
): RecordInput {
  const details: DeploymentDecisionDetails = dropUndefined({
    environment: decision.environment,
    decision: decision.decision,
    reason: decision.reason,
    model: release ? { digest: release.modelDigest } : null,
    metadata: release?.metadataDigest ? { digest: release.metadataDigest } : null,
    change: decision.change ? dropUndefined({ ...decision.change }) : null,
    repository: ctx.repository,
    deployment_id: ctx.deploymentId,
    run_url: ctx.runUrl,
  });
  return {
    log: ctx.log,
    event_type: DEPLOYMENT_DECISION,
    component: ctx.component,
    actor: ctx.actor,
    action: `${decision.decision === 'approved' ? 'allow' : decision.decision === 'rejected' ? 'refuse' : 'hold'} deployment to ${decision.environment}`,
    subject: release ? subjectOf(release) : [],
    details,
    compliance_tags: ['change-management', 'SOX-ITGC'],
  };
}
