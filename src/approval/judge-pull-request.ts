/**
 * The gate's one pipeline for a pull request: read the pull request from the
 * API (never from the webhook payload: a late or redelivered payload can name
 * an old base or head), start an `in_progress` check run on its head, then
 * read the policy from the base branch, gather the facts it needs, evaluate,
 * append to the audit log, and complete the check run. Everything it knows
 * comes from GitHub and the audit store during this call (stateless: any
 * replica can take any event, a restart loses nothing).
 *
 * A check run belongs to a commit, not to a pull request: GitHub shows it on
 * every pull request with that head. So the verdict on a commit is the
 * verdict for every open pull request whose head it is, each judged by its
 * own base's policy: a pull request into a weak branch cannot turn the
 * commit green for the one into `main`.
 *
 * Fail closed: a missing or invalid policy, an error while gathering facts,
 * or another pull request with the same head that fails its policy all end
 * in a failing check run that says why.
 */
import { failClosed } from './evaluate.js';
import { formatProblem, validatePolicy } from './policy-parse.js';
import { POLICY_PATH, type Policy, type PullRequestFacts, type Verdict } from './types.js';
import { GateError, messageOf } from '../core/errors.js';
import { renderCheckRun, type CheckRunOutput, type SiblingVerdict, type VerdictContext } from './check-run-text.js';
import { evaluatePull, partialFacts } from './judge-pull.js';
import type { PullInfo, PullRequestSource } from './pull-request-source.js';
import type { GatePorts } from './gate-ports.js';
import { appendGateRecords, gateRecords } from './verdict-records.js';
import { auditStoresFor, checkStoreUrl, type AppAuditConfig } from '../audit/store-choice.js';

/** One evaluation request, translated from a webhook by the App's router. */
export interface GateRequest {
  owner: string;
  repo: string;
  pull_number: number;
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

/** The first, fast half: the pull request as GitHub has it now, and the `in_progress` run on its head. */
export interface StartedGate {
  req: GateRequest;
  source: PullRequestSource;
  info: PullInfo;
  check_run_id: number;
}

/** The pull request is not open: nothing to gate (its head's other pull requests have their own events). */
export interface SkippedGate {
  skipped: string;
  info: PullInfo;
}

/**
 * Reads the pull request and writes the `in_progress` run on its head: what
 * a delivery must do before it is answered (GitHub's 10 s deadline), so the
 * required check is pending, never a stale pass, while the evaluation runs.
 */
export async function startGate(ports: GatePorts, req: GateRequest): Promise<StartedGate | SkippedGate> {
  const source = ports.pull(req.pull_number);
  const info = await source.pull();
  if (info.state !== 'open') return { skipped: `pull request #${info.number} is ${info.state}`, info };
  // While the in_progress run is written, the evaluation's first reads start
  // (the source caches them; a failure surfaces where the evaluation awaits it).
  for (const early of [source.branchSha(info.base_ref), source.changedFiles()]) early.catch(() => undefined);
  const id = await ports.checks.start(
    info.head_sha,
    req.delivery_id,
    `pull request #${info.number} (base ${info.base_ref}, head ${info.head_sha.slice(0, 12)})`,
  );
  return { req, source, info, check_run_id: id };
}

/** Runs the gate for one pull request: {@link startGate}, then {@link finishGate}. */
export async function runGate(ports: GatePorts, req: GateRequest): Promise<GateOutcome | SkippedGate> {
  const started = await startGate(ports, req);
  if ('skipped' in started) return started;
  return finishGate(ports, started);
}

/** The second half: evaluate the pull request and every other open one with the same head, record, complete the run. */
export async function finishGate(ports: GatePorts, started: StartedGate): Promise<GateOutcome> {
  const { req, source, info } = started;
  const log: string[] = [];
  // Which other open pull requests share this head: asked at once, beside the evaluation.
  const heads = ports.repository(log).openPullsWithHead(info.head_sha);
  heads.catch(() => undefined); // awaited below; a failure there is reported there
  const own = await evaluatePull(source, info);
  let verdict = own.verdict;
  const { policy, facts } = own;

  // Every other open pull request with this head, judged by its own base.
  const siblings: SiblingVerdict[] = [];
  try {
    const others = (await heads).filter((p) => p.number !== info.number);
    for (const p of others) {
      const s = ports.pull(p.number);
      const i = await s.pull();
      if (i.state !== 'open' || i.head_sha !== info.head_sha) continue;
      const ev = await evaluatePull(s, i);
      log.push(...s.requestLog);
      siblings.push({ number: i.number, base_ref: i.base_ref, passed: ev.verdict.passed, reason: ev.verdict.passed ? '' : firstReason(ev.verdict) });
    }
  } catch (e) {
    siblings.push({ number: 0, base_ref: '?', passed: false, reason: `the other open pull requests with this head could not be listed: ${messageOf(e)}` });
  }
  const blocking = siblings.filter((s) => !s.passed);
  if (blocking.length > 0) {
    verdict = {
      ...verdict,
      passed: false,
      reasons: [
        ...verdict.reasons,
        ...blocking.map((b) =>
          b.number === 0
            ? b.reason
            : `pull request #${b.number} into ${b.base_ref} has the same head ${info.head_sha.slice(0, 12)} and fails its own base's policy (${b.reason}); a check run belongs to the commit, so this commit cannot pass while it is open`,
        ),
      ],
    };
  }

  const context: VerdictContext = {
    repository: `${req.owner}/${req.repo}`,
    pull_request: info.number,
    base_ref: info.base_ref,
    base_sha: own.policy_sha ?? info.base_sha,
    check_sha: info.head_sha,
    head_sha: info.head_sha,
    siblings,
  };
  let output = renderCheckRun(verdict, context, facts ?? undefined);

  // The audit records go in BEFORE GitHub sees the verdict: a pass that could
  // not be recorded must not reach the branch protection (fail closed).
  let audit: GateOutcome['audit'] = [];
  let previous: string | null = null;
  const auditing = await auditTarget(source, info, policy, ports.audit.config).catch((e: unknown) => ({ error: messageOf(e) }) as const);
  if ('error' in auditing) {
    verdict = failClosed(facts ?? partialFacts(info), [`the audit store could not be determined: ${auditing.error}`]);
    output = renderCheckRun(verdict, context, facts ?? undefined);
  } else if (auditing.stores.length > 0) {
    // Unreadable previous verdict: record the verdict anyway (a duplicate
    // record is harmless; a missing one is not).
    previous = await ports.checks.previousConclusion(info.head_sha, started.check_run_id).catch(() => null);
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
        const stores = await Promise.all(
          auditing.stores.map((u) => {
            checkStoreUrl(u, ports.audit.config);
            return ports.audit.open(u);
          }),
        );
        audit = await appendGateRecords(stores, records, ports.clock, await ports.audit.checkpointKey?.(), ports.audit.stream);
      } catch (e) {
        verdict = failClosed(facts ?? partialFacts(info), [`the audit store named by ${auditing.from} could not be written: ${messageOf(e)}`]);
        output = renderCheckRun(verdict, context, facts ?? undefined);
      }
    }
  }

  const id = await ports.checks.complete(info.head_sha, started.check_run_id, output, req.delivery_id);
  return {
    verdict,
    output,
    context,
    check_run_id: id,
    previous_conclusion: previous,
    policy,
    facts,
    fact_requests: [...source.requestLog, ...log],
    audit,
  };
}

/**
 * The stores the verdict is recorded in: the App's configured ones, else the
 * default branch's policy's (the base's own when the base is the default
 * branch: its base commit was on the default branch). A policy on any other
 * branch never chooses where the App writes.
 */
async function auditTarget(source: PullRequestSource, info: PullInfo, basePolicy: Policy | null, config: AppAuditConfig): Promise<{ stores: string[]; from: string }> {
  if (config.stores.length > 0 || info.base_ref === info.default_branch) return auditStoresFor(config, basePolicy, info.default_branch);
  const text = await source.file(info.default_branch, POLICY_PATH);
  if (text === null) return { stores: [], from: `the default branch ${info.default_branch}` };
  const parsed = validatePolicy(text, POLICY_PATH);
  if (!parsed.policy) {
    throw new GateError('E_CONFIG', `the policy on the default branch ${info.default_branch} is not valid: ${parsed.problems.map(formatProblem).join('; ')}`);
  }
  return auditStoresFor(config, parsed.policy, info.default_branch);
}

/**
 * The pull request a re-run of the gate's check on `sha` judges: the lowest
 * numbered open one whose head it is. A branch name proves nothing (anyone
 * can push gh-readonly-queue/...): merge groups are judged only from the
 * merge queue's own events, so a commit no open pull request has as its head
 * gets a failing run that says so, and null.
 */
export async function pullForRerun(ports: GatePorts, sha: string, delivery_id: string): Promise<number | null> {
  const heads = await ports.repository([]).openPullsWithHead(sha);
  if (heads.length > 0) return Math.min(...heads.map((h) => h.number));
  const verdict = failClosed({ head_sha: sha }, [
    'no open pull request has this commit as its head: the gate judges pull request heads, and merge groups only when the merge queue asks (merge_group events); re-queue the pull request to re-check a merge group',
  ]);
  const output = renderCheckRun(verdict, {
    repository: `${ports.owner}/${ports.repo}`,
    pull_request: 0,
    base_ref: '?',
    base_sha: '?',
    check_sha: sha,
    head_sha: sha,
  });
  await ports.checks.complete(sha, null, output, delivery_id);
  return null;
}

function firstReason(v: Verdict): string {
  const missing = v.rules.filter((r) => r.applies).flatMap((r) => r.missing)[0];
  return (missing ?? v.reasons[0] ?? 'not approved').split('\n')[0];
}
