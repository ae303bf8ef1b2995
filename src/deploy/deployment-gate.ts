/**
 * The deployment protection rule's decision: may this deployment to this
 * environment go ahead? Pure (facts in, decision out; the time is in the
 * facts), so the App's handler only gathers facts and posts, and tests can
 * try every case without GitHub, an audit store or ServiceNow.
 *
 * A merge-time check alone does not satisfy a regulator: an admin can bypass
 * branch protection, or deploy a commit nobody reviewed. So at deployment
 * time the rule re-checks, from GitHub's state and the audit log, that:
 * 1. the deployed commit is the merge commit of a release pull request;
 * 2. that PR's signed approvals still pass the policy of its base branch
 *    (bound to the PR's head at merge time: the same `evaluate` as the check run);
 * 3. the deployed commit's metadata.json names exactly the artifact digests
 *    the approvers signed;
 * 4. the audit log holds the MODEL_RELEASE record of each artifact, the log
 *    verifies, and (with a checkpoint key) a signed checkpoint covers it;
 * 5. when the environment needs one, the change request is approved.
 *
 * Any failed check rejects (fail closed), with every reason. Only the change
 * request can make a deployment wait (`pending`): the board may still decide,
 * and ServiceNow may be briefly unreachable; waiting never approves.
 */
import type { Digest } from '../core/digest.js';
import type { ArtifactFact, HeadFileFact, Verdict } from '../approval/types.js';
import { isReleaseBranch, type DeploymentEnvironment } from '../approval/deployment-policy.js';
import { changeGateDecision, type ChangeFacts, type ChangeGateSettings } from './change-gate.js';

export type DeploymentState = 'approved' | 'rejected' | 'pending';

/** A metadata.json as found in the deployed commit. */
export interface DeployedMetadata {
  /** Its path (the same path the release PR changed). */
  path: string;
  /** SHA-256 of its bytes, or null when the deployed commit has no such file. */
  digest: Digest | null;
  /** Its `model.digest`, or null when absent or unreadable. */
  model_digest: Digest | null;
  model_path: string | null;
  /** Why the file could not be read as a regular file (a symlink, an error), when it exists but is not one. */
  problem?: string;
}

/** A MODEL_RELEASE record found in the audit log. */
export interface ReleaseRecordFact {
  seq: number;
  digest: Digest;
  subject: string[];
}

/** What the audit log said. */
export interface AuditFacts {
  /** The stores read (display URLs, secrets removed). */
  stores: string[];
  /** Reading failed: nothing else here is known. */
  error?: string;
  /** No verification findings in any store. */
  verified: boolean;
  /** Up to a few findings, one sentence each. */
  findings: string[];
  size: number;
  /** Whether the policy names a checkpoint key (then checkpoints count). */
  checkpoint_key: boolean;
  /** Size of the newest checkpoint whose signature verifies, or null. */
  newest_checkpoint: number | null;
  release_records: ReleaseRecordFact[];
  /**
   * The records were proven included under the newest signed note (found
   * through the record index, O(log n) reads) instead of read from a verify
   * of the whole log: `verified` then speaks for those records and that note.
   */
  proven?: boolean;
  /** Why the proof path could not show everything (the whole log was verified instead). */
  not_proven?: string;
}

/** What change management said. */
export interface ChangeFactsForDeployment {
  /** The correlation id looked up, or null when it could not be derived. */
  correlation_id: string | null;
  /** The change found, or null when none has that correlation id. */
  record: ChangeFacts | null;
  /** The service could not be asked (a reason; waiting may help). */
  error?: string;
  settings: ChangeGateSettings;
}

/** The release pull request found for the deployed commit. */
export interface ReleaseFacts {
  pull_request: number;
  base_ref: string;
  base_sha: string;
  head_sha: string;
  /** `evaluate(policy of the base branch, facts of the PR)`. */
  verdict: Verdict;
  /** What the approvers signed (the statement's artifacts and lineage digest). */
  artifacts: ArtifactFact[];
  lineage_digest: Digest | null;
  /** The metadata.json files the release changed, as the deployed commit has them. */
  deployed: DeployedMetadata[];
  /** Each signed artifact's path as the deployed commit holds it, hashed from the commit. */
  deployed_artifacts?: HeadFileFact[];
}

/** Everything the decision reads. */
export interface DeploymentFacts {
  repository: string;
  /** The repository's default branch: its policy alone decides deployments. */
  default_branch?: string;
  environment: string;
  sha: string;
  /** When the facts were gathered (the change window is checked against it). */
  now: string;
  /** The policy could not be read or is invalid: the reason. */
  policy_problem?: string;
  /** The environment's entry in the policy, or null when the policy does not guard it. */
  environment_policy: DeploymentEnvironment | null;
  /** The release PR, or null when no merged PR has the deployed commit as its merge commit. */
  release: ReleaseFacts | null;
  /** Why no release PR was found (shown when `release` is null). */
  release_search?: string;
  /** Null when the environment needs no release (nothing was read). */
  audit: AuditFacts | null;
  /** Null when the environment needs no change request. */
  change: ChangeFactsForDeployment | null;
  /** Errors while gathering facts other than the change's (fail closed). */
  errors?: string[];
}

export interface DeploymentDecision {
  state: DeploymentState;
  /** Why, one sentence each: the failing checks when rejected, the waits when pending, what was verified when approved. */
  reasons: string[];
  /** The change request's number, when one was found. */
  change_number: string | null;
}

const short = (sha: string) => sha.slice(0, 12);

/** Decides a deployment from its facts (pure). */
export function decideDeployment(f: DeploymentFacts): DeploymentDecision {
  const rejected: string[] = [];
  const pending: string[] = [];
  const verified: string[] = [];
  let changeNumber: string | null = null;

  const done = (): DeploymentDecision => {
    if (rejected.length > 0) return { state: 'rejected', reasons: rejected, change_number: changeNumber };
    if (pending.length > 0) return { state: 'pending', reasons: pending, change_number: changeNumber };
    return { state: 'approved', reasons: verified, change_number: changeNumber };
  };

  for (const e of f.errors ?? []) rejected.push(`the gate could not gather what it needs: ${e}`);
  if (f.policy_problem) {
    rejected.push(f.policy_problem);
    return done();
  }
  const env = f.environment_policy;
  if (!env) {
    rejected.push(
      `the policy's deployment.environments does not list the environment "${f.environment}": add it there, or remove this App from the environment's protection rules`,
    );
    return done();
  }

  if (env.release) {
    const r = f.release;
    if (!r) {
      rejected.push(
        `no merged pull request has ${short(f.sha)} as its merge commit${f.release_search ? ` (${f.release_search})` : ''}: only a release pull request's merge commit may be deployed to ${env.name}`,
      );
    } else if (!isReleaseBranch(env, r.base_ref, f.default_branch ?? 'main')) {
      // A release merged into another branch is judged by nothing the default
      // branch's policy trusts (that branch may carry a policy of its own choosing).
      rejected.push(
        `release pull request #${r.pull_request} was merged into ${r.base_ref}, which is not a release branch for ${env.name} (${(env.release_branches ?? [f.default_branch ?? 'main']).join(', ')}; deployment.environments[].release_branches on the default branch)`,
      );
    } else {
      checkApprovals(r, rejected, verified);
      checkArtifacts(r, rejected, verified);
      checkAudit(r, f.audit, rejected, verified);
    }
  } else {
    verified.push(`the policy lets ${env.name} take deployments without a release pull request`);
  }

  if (env.change_request) {
    const c = f.change;
    if (!c) {
      rejected.push(`${env.name} needs an approved change request, but change management was not consulted`);
    } else if (c.correlation_id === null) {
      rejected.push(
        `${env.name} needs an approved change request, but its correlation id cannot be derived without a release pull request`,
      );
    } else if (c.error) {
      pending.push(`change management could not be asked about ${c.correlation_id} (${c.error}); asking again later`);
    } else if (!c.record) {
      rejected.push(
        `no change request has correlation id ${c.correlation_id}: open one for this release (model-gate change open --correlation-id ${c.correlation_id}) and re-run the deployment`,
      );
    } else {
      changeNumber = c.record.number;
      const d = changeGateDecision(c.record, new Date(f.now), c.settings);
      if (d.state === 'approved') verified.push(d.reason);
      else if (d.state === 'pending') pending.push(d.reason);
      else rejected.push(d.reason);
    }
  }
  return done();
}

function checkApprovals(r: ReleaseFacts, rejected: string[], verified: string[]): void {
  const pr = `release pull request #${r.pull_request} (base ${r.base_ref}, head ${short(r.head_sha)})`;
  if (!r.verdict.passed) {
    const why = r.verdict.reasons.length ? r.verdict.reasons.join('; ') : 'the policy is not met';
    rejected.push(`${pr}: its approvals no longer pass the policy of its base branch: ${why}`);
    return;
  }
  if (!r.verdict.release) {
    rejected.push(`${pr} touches no protected path: it is not a model release`);
    return;
  }
  const who = r.verdict.roles
    .flatMap((role) => role.filled_by.map((x) => `${x.login} (${role.role}${x.signature === 'valid' ? ', signed' : ''})`))
    .join(', ');
  verified.push(`${pr} is approved under the policy of its base branch${who ? ` by ${who}` : ''}`);
}

function checkArtifacts(r: ReleaseFacts, rejected: string[], verified: string[]): void {
  if (r.artifacts.length === 0) {
    rejected.push(
      `release pull request #${r.pull_request} carries no model artifact (no metadata.json with a model digest among its changes): there is nothing signed to compare the deployment with`,
    );
    return;
  }
  const before = rejected.length;
  const signed = new Set(r.artifacts.map((a) => a.digest));
  const deployedDigests = new Set<string>();
  // The bytes first: each signed artifact, hashed from the deployed commit.
  for (const a of r.artifacts) {
    const f = r.deployed_artifacts?.find((x) => x.path === a.path);
    if (!f) {
      rejected.push(`${a.path} was not hashed in the deployed commit: the gate cannot tell what would be deployed`);
    } else if (f.kind === 'blob' || f.kind === 'lfs') {
      if (f.digest !== a.digest) {
        rejected.push(`${a.path} in the deployed commit is ${f.digest}${f.kind === 'lfs' ? ' (Git LFS oid)' : ''}, not the ${a.digest} the approvers signed`);
      }
    } else if (f.kind === 'absent') {
      rejected.push(`${a.path} is missing from the deployed commit`);
    } else {
      rejected.push(`${a.path} in the deployed commit cannot be the signed artifact: ${f.reason ?? f.kind}`);
    }
  }
  for (const m of r.deployed) {
    if (m.digest === null) {
      rejected.push(
        m.problem
          ? `${m.path} in the deployed commit cannot be read as the release's lineage: ${m.problem}`
          : `${m.path} is missing from the deployed commit: the release's lineage is not what is deployed`,
      );
      continue;
    }
    if (m.model_digest === null) {
      rejected.push(`${m.path} in the deployed commit names no model digest`);
      continue;
    }
    deployedDigests.add(m.model_digest);
    if (!signed.has(m.model_digest)) {
      rejected.push(
        `${m.path} in the deployed commit names model ${m.model_digest}, which the approvers did not sign (they signed ${[...signed].join(', ')})`,
      );
    }
  }
  for (const a of r.artifacts) {
    if (!deployedDigests.has(a.digest)) {
      rejected.push(`the approvers signed ${a.path} ${a.digest}, but the deployed commit's metadata.json does not name it`);
    }
  }
  const lineage = [...r.deployed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))[0];
  if (r.lineage_digest && lineage && lineage.digest !== null && lineage.digest !== r.lineage_digest) {
    rejected.push(
      `${lineage.path} in the deployed commit is ${lineage.digest}, not the lineage record the approvers signed (${r.lineage_digest})`,
    );
  }
  if (rejected.length === before) {
    verified.push(
      `the deployed commit's metadata.json names exactly the signed artifacts, and the commit holds those bytes: ${r.artifacts.map((a) => `${a.path} ${a.digest}`).join(', ')}`,
    );
  }
}

function checkAudit(r: ReleaseFacts, a: AuditFacts | null, rejected: string[], verified: string[]): void {
  if (!a) {
    rejected.push('the audit log was not read');
    return;
  }
  const where = a.stores.join(', ');
  if (a.error) {
    rejected.push(`the audit log ${where} could not be read: ${a.error}`);
    return;
  }
  if (!a.verified) {
    rejected.push(`the audit log ${where} does not verify: ${a.findings.slice(0, 3).join('; ')}${a.findings.length > 3 ? ` (and ${a.findings.length - 3} more)` : ''}`);
  }
  if (a.checkpoint_key && a.newest_checkpoint === null) {
    rejected.push(`the audit log ${where} has no checkpoint signed by the policy's checkpoint key: its length cannot be trusted`);
  }
  let ok = a.verified && !(a.checkpoint_key && a.newest_checkpoint === null);
  const seqs: number[] = [];
  for (const art of r.artifacts) {
    const recs = a.release_records.filter((x) => x.subject.includes(art.digest));
    if (recs.length === 0) {
      rejected.push(`the audit log ${where} holds no MODEL_RELEASE record for ${art.path} ${art.digest}`);
      ok = false;
      continue;
    }
    const rec = recs[0];
    if (a.checkpoint_key && a.newest_checkpoint !== null && rec.seq >= a.newest_checkpoint) {
      rejected.push(
        `the MODEL_RELEASE record of ${art.digest} (record ${rec.seq}) is not yet covered by a signed checkpoint (newest covers ${a.newest_checkpoint} records)`,
      );
      ok = false;
      continue;
    }
    seqs.push(rec.seq);
  }
  if (ok) {
    const plural = seqs.length > 1 ? 's' : '';
    verified.push(
      a.proven
        ? `the audit log ${where} holds the MODEL_RELEASE record${plural} ${seqs.join(', ')}, proven included in the tree of ${a.size} records its newest signed checkpoint signs`
        : `the audit log ${where} verifies (${a.size} records${a.checkpoint_key ? `, newest signed checkpoint at ${a.newest_checkpoint}` : ', no checkpoint key in the policy'}) and holds the MODEL_RELEASE record${plural} ${seqs.join(', ')}`,
    );
  }
}

/** The most GitHub takes in a deployment protection rule comment. */
export const MAX_COMMENT = 1024;

/** The comment posted to GitHub: the state and the reasons, cut to 1,024 characters. */
export function decisionComment(d: DeploymentDecision, environment: string): string {
  const head =
    d.state === 'approved'
      ? `model-release-gate approved the deployment to ${environment}:`
      : d.state === 'rejected'
        ? `model-release-gate rejected the deployment to ${environment}:`
        : `model-release-gate is waiting before deploying to ${environment}:`;
  const text = [head, ...d.reasons.map((r) => `- ${r}`)].join('\n');
  const tail = '\n… (full reasons in the audit log)';
  return text.length <= MAX_COMMENT ? text : `${text.slice(0, MAX_COMMENT - tail.length)}${tail}`;
}
