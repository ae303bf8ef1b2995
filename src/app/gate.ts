/**
 * The App's one pipeline, for every event that can change a verdict:
 * read the policy from the base branch, gather the facts it needs, evaluate,
 * write the check run, append to the audit log. Everything it knows comes
 * from GitHub and the audit store during this call (stateless: any replica
 * can take any event, a restart loses nothing).
 *
 * Fail closed: a missing or invalid policy, an error while gathering facts or
 * a merge group that does not contain the approved head all end in a
 * failing check run that says why.
 */
import { evaluate, failClosed } from '../approval/evaluate.js';
import { formatProblem, validatePolicy } from '../approval/policy-parse.js';
import { POLICY_PATH, type Policy, type PullRequestFacts, type Verdict } from '../approval/types.js';
import { GateError, messageOf } from '../core/errors.js';
import { renderCheckRun, type CheckRunOutput, type VerdictContext } from './check-run.js';
import { gatherFacts, type GitHubRequester, type PullInfo, type PullRequestSource, type PullTarget } from './github-facts.js';
import { previousConclusion, writeCheckRun } from './github-checks.js';
import { appendGateRecords, gateRecords } from './audit.js';
import type { AuditStore } from '../audit/store.js';
import type { SigningKey } from '../audit/checkpoint.js';
import { factNeeds } from './needs.js';

/** One evaluation request, translated from a webhook by the App's router. */
export interface GateRequest {
  owner: string;
  repo: string;
  pull_number: number;
  /** Set for `merge_group`: the check goes on the group's head. */
  merge_group?: { head_sha: string; head_ref: string; base_sha: string; base_ref: string };
  /** `pull_request.synchronize`, `check_run.rerequested`, ... (audit and logs). */
  trigger: string;
  /** Who wrote the review this event is about (audit: a verified approval is recorded when it arrives). */
  review_login?: string;
  /** The webhook delivery id (check run external_id, audit details). */
  delivery_id: string;
}

/** What the gate learned and wrote. */
export interface GateOutcome {
  verdict: Verdict;
  output: CheckRunOutput;
  context: VerdictContext;
  check_run_id: number;
  /** The conclusion before this evaluation (null: no earlier run on this commit, or not read because nothing is audited). */
  previous_conclusion: string | null;
  policy: Policy | null;
  facts: PullRequestFacts | null;
  /** GitHub API requests made to gather facts (pages count one each). */
  fact_requests: readonly string[];
  /** Audit records appended (event type, seq, digest). */
  audit: Array<{ event_type: string; seq: number; digest: string }>;
}

export interface GateDeps {
  /** A facts source for this event (its cache lives as long as the event). */
  sourceFor(octokit: GitHubRequester, target: PullTarget): PullRequestSource;
  /** Opens an audit store the policy names (`file://...`, `s3://...`). */
  openAuditStore(url: string): Promise<AuditStore>;
  /** The checkpoint signing key (MODEL_GATE_CHECKPOINT_KEY): a checkpoint is signed after each append. */
  checkpointKey?: () => Promise<SigningKey>;
  clock(): Date;
}

/** Runs the gate for one pull request (or merge group) and writes the check run. */
export async function runGate(octokit: GitHubRequester, req: GateRequest, deps: GateDeps): Promise<GateOutcome> {
  const source = deps.sourceFor(octokit, { owner: req.owner, repo: req.repo, pull_number: req.pull_number });
  let info: PullInfo | null = null;
  let policy: Policy | null = null;
  let facts: PullRequestFacts | null = null;
  let verdict: Verdict;

  try {
    info = await source.pull();
    const policyBase = req.merge_group?.base_sha || info.base_sha;
    // The file list does not depend on the policy: fetch both at once (one
    // round trip less on every evaluation; wasted only when the policy is bad).
    const changedFiles = source.changedFiles();
    changedFiles.catch(() => undefined); // awaited below; a failure there is reported there
    const text = await source.file(policyBase, POLICY_PATH);
    if (text === null) {
      throw new GateError('E_CONFIG', `no ${POLICY_PATH} on the base branch ${req.merge_group?.base_ref ?? info.base_ref}`, {
        where: `${info.repository}@${policyBase.slice(0, 12)}`,
        hint: `add ${POLICY_PATH} to the base branch (docs/app.md shows one); the gate fails closed without it`,
      });
    }
    const parsed = validatePolicy(text, POLICY_PATH);
    if (!parsed.policy) {
      verdict = failClosed(partialFacts(info), [
        `the policy on the base branch is not valid:\n${parsed.problems.map(formatProblem).join('\n')}`,
      ]);
    } else {
      policy = parsed.policy;
      const changed = await changedFiles;
      facts = await gatherFacts(source, factNeeds(policy, changed));
      verdict = await evaluate(policy, facts);
      if (req.merge_group) verdict = await checkMergeGroup(source, info, req.merge_group, verdict);
    }
  } catch (e) {
    verdict = failClosed(info ? partialFacts(info) : {}, [`the gate could not gather what it needs: ${messageOf(e)}`]);
  }

  const checkSha = req.merge_group?.head_sha ?? info?.head_sha;
  if (!checkSha) throw new GateError('E_GITHUB', `cannot tell which commit to check for ${req.owner}/${req.repo}#${req.pull_number}`);
  const context: VerdictContext = {
    repository: `${req.owner}/${req.repo}`,
    pull_request: req.pull_number,
    base_ref: req.merge_group?.base_ref ?? info?.base_ref ?? '?',
    base_sha: req.merge_group?.base_sha || info?.base_sha || "?",
    check_sha: checkSha,
    head_sha: info?.head_sha ?? checkSha,
    merge_group: req.merge_group ? { head_sha: req.merge_group.head_sha, head_ref: req.merge_group.head_ref } : undefined,
  };
  let output = renderCheckRun(verdict, context, facts ?? undefined);
  const target = { owner: req.owner, repo: req.repo, head_sha: checkSha };
  // Only the audit needs the previous verdict: no request without an audit store.
  const auditing = (policy?.audit?.stores.length ?? 0) > 0;
  // Unreadable previous verdict: record the verdict anyway (a duplicate record
  // is harmless; a missing one is not).
  const previous = auditing ? await previousConclusion(octokit, target).catch(() => null) : null;

  // The audit records go in BEFORE GitHub sees the verdict: a pass that could
  // not be recorded must not reach the branch protection (fail closed).
  let audit: GateOutcome['audit'] = [];
  if (auditing && policy?.audit) {
    const records = gateRecords({
      verdict,
      conclusion: output.conclusion,
      previous_conclusion: previous,
      facts,
      context,
      trigger: req.trigger,
      delivery_id: req.delivery_id,
      review_login: req.review_login,
    });
    if (records.length > 0) {
      try {
        const stores = await Promise.all(policy.audit.stores.map((u) => deps.openAuditStore(u)));
        audit = await appendGateRecords(stores, records, deps.clock, await deps.checkpointKey?.());
      } catch (e) {
        verdict = failClosed(facts ?? {}, [`the audit store named by the policy could not be written: ${messageOf(e)}`]);
        output = renderCheckRun(verdict, context, facts ?? undefined);
      }
    }
  }

  const id = await writeCheckRun(octokit, target, output, deps.clock(), req.delivery_id);
  return {
    verdict,
    output,
    context,
    check_run_id: id,
    previous_conclusion: previous,
    policy,
    facts,
    fact_requests: source.requestLog,
    audit,
  };
}

/**
 * A merge group passes only if it contains exactly what was approved: the
 * PR's head must be in the group's history (the queue merges that head, not
 * another commit), on top of the verdict for the PR itself.
 */
async function checkMergeGroup(
  source: PullRequestSource,
  info: PullInfo,
  group: NonNullable<GateRequest['merge_group']>,
  verdict: Verdict,
): Promise<Verdict> {
  const contained = await source.contains(info.head_sha, group.head_sha);
  if (contained) return verdict;
  return {
    ...verdict,
    passed: false,
    reasons: [
      ...verdict.reasons,
      `the merge group's head ${group.head_sha.slice(0, 12)} does not contain the pull request's head ${info.head_sha.slice(0, 12)}: what would merge is not what was approved`,
    ],
  };
}

function partialFacts(info: PullInfo): Partial<PullRequestFacts> {
  return { base_ref: info.base_ref, base_sha: info.base_sha, head_sha: info.head_sha };
}
