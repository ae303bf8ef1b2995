/**
 * Gathers the facts `decideDeployment` needs for one waiting deployment, from
 * GitHub (the release PR, the policy on its base branch, the deployed
 * commit's metadata.json), the audit log the policy names, and the change
 * management system. Everything is read during this call: the App keeps no
 * state, so a restarted or different replica decides the same way.
 *
 * Which pull request is the release: GitHub's `GET .../commits/{sha}/pulls`
 * lists the pull requests associated with the deployed commit; the release
 * PR is the MERGED one whose `merge_commit_sha` is exactly the deployed
 * commit. A later commit on the branch is not accepted even if it contains
 * the release: it would ship changes the approvers did not see.
 *
 * Which policy: only the one on the repository's default branch (at its tip
 * now, the default branch itself read from the API): its rules re-judge the
 * approvals, it names the audit store (unless the App's configuration does)
 * and the checkpoint key, and its `release_branches` say which bases a
 * release may have been merged into. A policy on any other branch, e.g. the
 * base an attacker merged a release into, decides nothing here.
 */
import { evaluate } from '../approval/evaluate.js';
import { correlationId, environmentPolicy, type ServiceNowPolicy } from '../approval/deployment-policy.js';
import { formatProblem, validatePolicy } from '../approval/policy-parse.js';
import { POLICY_PATH, type Policy } from '../approval/types.js';
import { loadVerifyKey, type VerifyKey } from '../audit/checkpoint.js';
import { DEPLOYMENT_DECISION } from '../audit/deployment-record.js';
import { MODEL_RELEASE } from '../audit/release-record.js';
import { readReleaseEvidence, type EvidenceRecord, type ReleaseEvidence } from '../audit/release-evidence.js';
import { ed25519KeysOfJwk, isValidKeyName, logVkeys } from '../audit/tlog/ed25519-keys.js';
import { releaseEvidenceByProof } from '../audit/tlog/release-inclusion.js';
import type { AuditStore } from '../audit/store.js';
import type { Digest } from '../core/digest.js';
import { isGateError, messageOf } from '../core/errors.js';
import type { ChangeManagement } from './change-management.js';
import type { AuditFacts, DeployedMetadata, DeploymentFacts, ReleaseFacts } from './deployment-gate.js';
import { gatherFacts } from '../approval/gather-facts.js';
import type { PullRequestSource, PullTarget } from '../approval/pull-request-source.js';
import { githubClient } from '../github/client.js';
import { pullsOfCommit } from '../github/pulls.js';
import { defaultBranch as repoDefaultBranch } from '../github/repos.js';
import type { GitHubRequester } from '../github/requester.js';
import { factNeeds } from '../approval/fact-needs.js';
import { readHeadFile } from '../approval/read-head-file.js';
import { auditStoresFor, checkStoreUrl, NO_AUDIT_CONFIG, type AppAuditConfig } from '../audit/store-choice.js';

/** One deployment waiting on an environment, as the webhook or the rediscovery pass saw it. */
export interface DeploymentRequest {
  owner: string;
  repo: string;
  environment: string;
  /** The commit being deployed. */
  sha: string;
  ref: string | null;
  /** The workflow run waiting on the environment (from `deployment_callback_url`). */
  run_id: number;
  deployment_id: number | null;
  /** The repository's default branch (the policy's home when no release PR is found). */
  default_branch: string;
  /** Link to the waiting workflow run, for the audit record. */
  run_url: string | null;
  /** `deployment_protection_rule.requested` or `rediscovery`. */
  trigger: string;
  delivery_id: string | null;
}

/** What gathering needs from its caller (the App passes its own dependencies). */
export interface DeploymentFactsDeps {
  /** A facts source for this event (its cache lives as long as the event). */
  sourceFor(octokit: GitHubRequester, target: PullTarget): PullRequestSource;
  /** Opens an audit store (`file://...`, `s3://...`). */
  openAuditStore(url: string): Promise<AuditStore>;
  /** The App's own audit stores and allowed S3 endpoints; none: the default branch's policy decides. */
  audit?: AppAuditConfig;
  clock(): Date;
  /** The change-management system the policy's `deployment.servicenow` describes (credentials from the App's environment). */
  changeManagementFor(settings: ServiceNowPolicy): ChangeManagement;
}

/** The facts, plus what the handler needs to record and post the decision. */
export interface GatheredDeployment {
  facts: DeploymentFacts;
  policy: Policy | null;
  /** The audit stores the decision is recorded in (opened), or empty. */
  stores: AuditStore[];
  /** Their URLs: the App's configured stores, else the default branch policy's. */
  store_urls: string[];
  /** Earlier DEPLOYMENT_DECISION records of the log (the rule's memory). */
  decisions: EvidenceRecord[];
  correlation_id: string | null;
}

type Json = Record<string, unknown>;

/** Gathers everything; errors end up in the facts (fail closed), never thrown. */
export async function gatherDeploymentFacts(
  octokit: GitHubRequester,
  req: DeploymentRequest,
  deps: DeploymentFactsDeps,
): Promise<GatheredDeployment> {
  const facts: DeploymentFacts = {
    repository: `${req.owner}/${req.repo}`,
    environment: req.environment,
    sha: req.sha,
    now: deps.clock().toISOString(),
    environment_policy: null,
    release: null,
    audit: null,
    change: null,
    errors: [],
  };
  const out: GatheredDeployment = { facts, policy: null, stores: [], store_urls: [], decisions: [], correlation_id: null };
  const errors = facts.errors as string[];

  // 1. The release pull request.
  let pullNumber: number | null = null;
  try {
    const found = await findReleasePull(octokit, req);
    pullNumber = found.number;
    if (found.number === null) facts.release_search = found.why;
  } catch (e) {
    errors.push(`listing the pull requests of ${req.sha.slice(0, 12)}: ${messageOf(e)}`);
    return out;
  }
  const source: PullRequestSource = deps.sourceFor(octokit, { owner: req.owner, repo: req.repo, pull_number: pullNumber ?? 0 });

  // 2. The policy: the default branch's, at its tip now.
  let policyRef = req.default_branch;
  try {
    const defaultBranch = await repoDefaultBranch(githubClient(octokit, { where: `${req.owner}/${req.repo}` }), req.owner, req.repo, req.default_branch);
    facts.default_branch = defaultBranch;
    policyRef = await source.branchSha(defaultBranch);
    const text = await source.file(policyRef, POLICY_PATH);
    if (text === null) {
      facts.policy_problem = `no ${POLICY_PATH} on the default branch ${defaultBranch} (${policyRef.slice(0, 12)}): the deployment rule fails closed without a policy`;
      return out;
    }
    const parsed = validatePolicy(text, POLICY_PATH);
    if (!parsed.policy) {
      facts.policy_problem = `the policy on the default branch (${policyRef.slice(0, 12)}) is not valid: ${parsed.problems.map(formatProblem).join('; ')}`;
      return out;
    }
    out.policy = parsed.policy;
  } catch (e) {
    errors.push(`reading the policy: ${messageOf(e)}`);
    return out;
  }
  const policy = out.policy;
  const env = environmentPolicy(policy.deployment, req.environment) ?? null;
  facts.environment_policy = env;

  // 3. The release: approvals re-verified, deployed metadata.json compared
  // (first: the audit log is then searched for exactly its artifacts).
  if (env?.release && pullNumber !== null) {
    try {
      facts.release = await releaseFacts(source, policy, policyRef, req.sha);
    } catch (e) {
      errors.push(`re-verifying release pull request #${pullNumber}: ${messageOf(e)}`);
    }
  }

  // 4. The audit log (always read when named: the decision is recorded there,
  // and earlier decisions are the rule's memory).
  let evidence: Awaited<ReturnType<typeof auditEvidence>> | null = null;
  const storeUrls = auditStoresFor(deps.audit ?? NO_AUDIT_CONFIG, policy, facts.default_branch ?? req.default_branch).stores;
  out.store_urls = storeUrls;
  if (storeUrls.length > 0) {
    const audit: AuditFacts = {
      stores: storeUrls,
      verified: false,
      findings: [],
      size: 0,
      checkpoint_key: Boolean(policy.deployment?.checkpoint_key),
      newest_checkpoint: null,
      release_records: [],
    };
    try {
      out.stores = await Promise.all(
        storeUrls.map((u) => {
          checkStoreUrl(u, deps.audit ?? NO_AUDIT_CONFIG);
          return deps.openAuditStore(u);
        }),
      );
      audit.stores = out.stores.map((s) => s.displayUrl);
      let key: VerifyKey | undefined;
      let keyText: string | undefined;
      const keyPath = policy.deployment?.checkpoint_key;
      if (keyPath) {
        const text = await source.file(policyRef, keyPath);
        if (text === null) throw new Error(`the policy names the checkpoint key ${keyPath}, which does not exist at ${policyRef.slice(0, 12)}`);
        key = await loadVerifyKey(text, keyPath);
        keyText = text;
      }
      evidence = await auditEvidence(out.stores, {
        keyText,
        checkpointKey: key,
        origin: facts.repository,
        digests: (facts.release?.artifacts ?? []).map((a) => a.digest),
        run: { id: req.run_id, environment: req.environment },
      });
      if (evidence.proven) audit.proven = true;
      else if (evidence.why_not_proven) audit.not_proven = evidence.why_not_proven;
      Object.assign(audit, {
        verified: evidence.verified,
        findings: evidence.findings.map((f) => `record ${f.seq}: ${f.kind}: ${f.message}`),
        size: evidence.size,
        newest_checkpoint: evidence.newest_checkpoint,
        release_records: evidence.records
          .filter((r) => r.record.event_type === MODEL_RELEASE)
          .map((r) => ({ seq: r.seq, digest: r.digest, subject: r.record.subject })),
      });
      out.decisions = evidence.records.filter((r) => r.record.event_type === DEPLOYMENT_DECISION);
    } catch (e) {
      audit.error = messageOf(e);
    }
    facts.audit = audit;
  } else if (env?.release) {
    errors.push(`neither the App's configuration (MODEL_GATE_AUDIT_STORE) nor the policy on the default branch names an audit store: the MODEL_RELEASE record cannot be checked`);
  }
  if (!env) return out;

  // 5. The change request.
  if (env.change_request && policy.deployment?.servicenow) {
    const sn = policy.deployment.servicenow;
    const id = correlationId(sn.correlation_id, {
      repository: facts.repository,
      pull_request: pullNumber,
      model_digest: facts.release?.artifacts[0]?.digest ?? null,
      environment: req.environment,
    });
    out.correlation_id = id;
    facts.change = {
      correlation_id: id,
      record: null,
      settings: {
        ...(sn.approved_states ? { approvedStates: sn.approved_states } : {}),
        enforceWindow: sn.enforce_window,
      },
    };
    if (id !== null) {
      try {
        facts.change.record = await deps.changeManagementFor(sn).findChange(id);
      } catch (e) {
        // An unreachable service may come back: wait. A configuration or
        // credential problem will not: fail closed.
        if (isGateError(e) && e.code === 'E_SERVICENOW') facts.change.error = messageOf(e);
        else errors.push(`asking change management: ${messageOf(e)}`);
      }
    }
  }
  return out;
}

/**
 * The audit log's evidence for one deployment: by inclusion proof through
 * the record index when the policy's key signs notes (O(log n) reads;
 * docs/transparency-log.md, "The deployment rule"), else, or when that
 * cannot show everything, by verifying the whole log as before.
 */
async function auditEvidence(
  stores: AuditStore[],
  o: { keyText?: string; checkpointKey?: VerifyKey; origin: string; digests: Digest[]; run: { id: number; environment: string } },
): Promise<ReleaseEvidence & { why_not_proven?: string }> {
  let why: string | undefined;
  const publicKeys = o.keyText ? ed25519KeysOfJwk(o.keyText) : [];
  if (publicKeys.length > 0 && isValidKeyName(o.origin)) {
    const proven = await releaseEvidenceByProof(stores, { logKeys: logVkeys(o.origin, publicKeys), origin: o.origin, digests: o.digests, run: o.run });
    if (proven.ok) return proven.evidence;
    why = proven.why;
  }
  const full = await readReleaseEvidence(stores, { checkpointKey: o.checkpointKey, eventTypes: [MODEL_RELEASE, DEPLOYMENT_DECISION] });
  return why ? { ...full, why_not_proven: why } : full;
}

/** The merged PR whose merge commit is `sha`, or why there is none. */
async function findReleasePull(octokit: GitHubRequester, req: DeploymentRequest): Promise<{ number: number | null; why: string }> {
  const pulls = await pullsOfCommit(githubClient(octokit, { where: `${req.owner}/${req.repo}` }), req.owner, req.repo, req.sha);
  const merged = pulls.find((p) => p.merged_at && p.merge_commit_sha === req.sha);
  if (merged) return { number: merged.number, why: '' };
  if (pulls.length === 0) return { number: null, why: 'GitHub associates no pull request with it' };
  const list = pulls
    .slice(0, 5)
    .map((p) => `#${p.number} ${p.merged_at ? `merged as ${(p.merge_commit_sha ?? '?').slice(0, 12)}` : p.state}`)
    .join(', ');
  return { number: null, why: `associated pull requests: ${list}` };
}

async function releaseFacts(source: PullRequestSource, policy: Policy, policySha: string, sha: string): Promise<ReleaseFacts> {
  const info = await source.pull();
  const changed = await source.changedFiles();
  // The default branch's rules and key files judge the approvals (the policy on the release's own base does not).
  const prFacts = await gatherFacts(source, factNeeds(policy, changed), { policySha });
  const verdict = await evaluate(policy, prFacts);
  const paths = Object.keys(prFacts.metadata ?? {}).filter((p) => p === 'metadata.json' || p.endsWith('/metadata.json'));
  // The deployed commit's own bytes: its metadata.json files, and every
  // artifact the approvers signed, hashed from the commit (a merge commit can
  // hold other bytes than the head that was approved).
  const [deployed, deployedArtifacts] = await Promise.all([
    Promise.all(
      paths.sort().map(async (path): Promise<DeployedMetadata> => {
        const r = await readHeadFile(source, sha, path);
        if (r.fact.kind !== 'blob' || !r.bytes) {
          return { path, digest: null, model_digest: null, model_path: null, ...(r.fact.kind === 'absent' ? {} : { problem: r.fact.reason ?? r.fact.kind }) };
        }
        let model: Json | undefined;
        try {
          model = (JSON.parse(r.bytes.toString('utf8')) as Json).model as Json | undefined;
        } catch {
          model = undefined;
        }
        return {
          path,
          digest: r.fact.digest ?? null,
          model_digest: typeof model?.digest === 'string' ? (model.digest as Digest) : null,
          model_path: typeof model?.path === 'string' ? model.path : null,
        };
      }),
    ),
    Promise.all(prFacts.artifacts.map(async (a) => (await readHeadFile(source, sha, a.path)).fact)),
  ]);
  return {
    pull_request: info.number,
    base_ref: info.base_ref,
    base_sha: info.base_sha,
    head_sha: info.head_sha,
    verdict,
    artifacts: prFacts.artifacts,
    lineage_digest: prFacts.lineage_digest,
    deployed,
    deployed_artifacts: deployedArtifacts,
  };
}
