/**
 * The merge queue's check: entered only from a `merge_group` event (GitHub
 * sends it for groups its merge queue builds; a branch merely *named* like a
 * queue branch proves nothing), on the group's head commit.
 *
 * The group is judged by its whole diff, `base_sha...head_sha`, under the
 * policy at the group's base: every protected file it changes must be, at
 * the group's head, the very object a currently approved pull request into
 * that base has at its approved head (merge-group-judge.ts). The pull
 * requests are re-evaluated now (teams and keys read again: where GitHub
 * sends no event, e.g. a removed signing key, the queue still re-verifies).
 */
import { evaluate } from './evaluate.js';
import { formatProblem, validatePolicy } from './policy-parse.js';
import { POLICY_PATH, type HeadFileFact, type Policy } from './types.js';
import { messageOf } from '../core/errors.js';
import { mergeGroupVerdictRecord } from '../audit/gate-records.js';
import { appendRecord } from '../audit/append.js';
import { gatherFacts } from './gather-facts.js';
import type { PullRequestSource } from './pull-request-source.js';
import type { GatePorts } from './gate-ports.js';
import { readHeadFile, type TreeEntry } from './read-head-file.js';
import { applicableRules, factNeeds, protectedChanges } from './fact-needs.js';
import { coverGroup, sameEntry, type Candidate } from './merge-group-judge.js';
import { renderMergeGroup, type MergeGroupView } from './merge-group-text.js';
import { auditStoresFor, checkStoreUrl } from '../audit/store-choice.js';
import type { CheckRunOutput } from './check-run-text.js';

/** A `merge_group.checks_requested` event, as GitHub sent it. */
export interface MergeGroupRequest {
  owner: string;
  repo: string;
  head_sha: string;
  /** `refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>` */
  head_ref: string;
  base_sha: string;
  /** `refs/heads/<base>` */
  base_ref: string;
  default_branch: string;
  trigger: string;
  delivery_id: string;
}

/** At most this many pull requests are re-evaluated for one group (bounded work per delivery). */
export const MAX_CANDIDATES = 20;

/**
 * The pull request number in a merge group's ref, when the ref is the queue
 * ref for `baseRef` (`refs/heads/gh-readonly-queue/<base>/pr-<n>-<sha>`).
 */
export function queuePull(headRef: string, baseRef: string): number | null {
  const base = baseRef.replace(/^refs\/heads\//, '');
  const m = /^refs\/heads\/gh-readonly-queue\/(.+)\/pr-(\d+)-[0-9a-f]{40}$/.exec(headRef);
  return m && m[1] === base ? Number(m[2]) : null;
}

export interface MergeGroupOutcome {
  output: CheckRunOutput;
  view: MergeGroupView;
  check_run_id: number;
}

/** Starts the `in_progress` run on the group's head (before the delivery is answered). */
export function startMergeGroup(ports: GatePorts, req: MergeGroupRequest): Promise<number> {
  return ports.checks.start(req.head_sha, req.delivery_id, `merge group ${req.head_ref}`);
}

/** Judges the group and completes the run. */
export async function finishMergeGroup(ports: GatePorts, req: MergeGroupRequest, checkRunId: number): Promise<MergeGroupOutcome> {
  const base = req.base_ref.replace(/^refs\/heads\//, '');
  const view: MergeGroupView = {
    head_ref: req.head_ref,
    head_sha: req.head_sha,
    base_ref: base,
    base_sha: req.base_sha,
    pull_number: queuePull(req.head_ref, req.base_ref),
    files: [],
    covered: new Map(),
    uncovered: [],
    reasons: [],
    candidates: [],
  };
  let policy: Policy | null = null;
  try {
    policy = await judge(ports, req, view);
  } catch (e) {
    view.reasons.push(`the gate could not gather what it needs: ${messageOf(e)}`);
  }
  const output = renderMergeGroup(view);
  let final = output;
  try {
    await record(ports, req, policy, output, view, checkRunId);
  } catch (e) {
    view.reasons.push(`the audit store could not be written: ${messageOf(e)}`);
    final = renderMergeGroup(view);
  }
  const id = await ports.checks.complete(req.head_sha, checkRunId, final, req.delivery_id);
  return { output: final, view, check_run_id: id };
}

async function judge(ports: GatePorts, req: MergeGroupRequest, view: MergeGroupView): Promise<Policy | null> {
  if (view.pull_number === null) {
    view.reasons.push(`${req.head_ref} is not a merge queue ref for ${view.base_ref} (refs/heads/gh-readonly-queue/${view.base_ref}/pr-<number>-<sha>)`);
    return null;
  }
  // One source for the group's own reads (policy, trees, blobs at the group's commits).
  const group = ports.pull(view.pull_number);
  const text = await group.file(req.base_sha, POLICY_PATH);
  if (text === null) {
    view.reasons.push(`no ${POLICY_PATH} at the group's base ${req.base_sha.slice(0, 12)}: the gate fails closed without it`);
    return null;
  }
  const parsed = validatePolicy(text, POLICY_PATH);
  if (!parsed.policy) {
    view.reasons.push(`the policy at the group's base is not valid: ${parsed.problems.map(formatProblem).join('; ')}`);
    return null;
  }
  const policy = parsed.policy;
  const log: string[] = [];
  const repoSrc = ports.repository(log);
  const files = await repoSrc.compareFiles(req.base_sha, req.head_sha);
  const paths = protectedChanges(applicableRules(policy, files), files);
  if (paths.length === 0) return policy;

  const entries = new Map<string, TreeEntry | null>();
  const facts: HeadFileFact[] = [];
  await Promise.all(
    paths.map(async (p) => {
      entries.set(p, await group.treeEntry(req.head_sha, p));
      facts.push((await readHeadFile(group, req.head_sha, p)).fact);
    }),
  );
  view.files = facts.sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const f of view.files) {
    if (f.kind === 'unreadable') view.reasons.push(`${f.path} at the group head could not be read: ${f.reason}`);
  }

  // The pull request the group was made for first, then the others queued into the base.
  const queued = (await repoSrc.openPullsInto(view.base_ref)).map((p) => p.number).filter((n) => n !== view.pull_number);
  const order = [view.pull_number, ...queued];
  const candidates: Candidate[] = [];
  let evaluated = 0;
  for (const number of order) {
    if (coverGroup(entries, candidates).uncovered.length === 0) break;
    const src: PullRequestSource = number === view.pull_number ? group : ports.pull(number);
    const c = await candidate(src, policy, req.base_sha, entries, coverGroup(entries, candidates).uncovered, view.base_ref);
    if (c === null) continue;
    if (++evaluated > MAX_CANDIDATES) {
      view.reasons.push(`more than ${MAX_CANDIDATES} pull requests would have to be re-evaluated to judge this group: queue fewer at once`);
      break;
    }
    candidates.push(c.candidate);
    view.candidates.push({ number, note: c.note });
  }
  const cover = coverGroup(entries, candidates);
  view.covered = cover.covered;
  view.uncovered = cover.uncovered;
  return policy;
}

/** A pull request that changes some uncovered path to exactly the group's object there, re-evaluated now; null when it offers nothing. */
async function candidate(
  src: PullRequestSource,
  policy: Policy,
  policySha: string,
  group: Map<string, TreeEntry | null>,
  uncovered: string[],
  base: string,
): Promise<{ candidate: Candidate; note: string } | null> {
  const info = await src.pull();
  if (info.state !== 'open' || info.base_ref !== base) return null;
  const changed = await src.changedFiles();
  const touched = new Set(changed.flatMap((c) => (c.previous_filename ? [c.filename, c.previous_filename] : [c.filename])));
  const offered = new Map<string, TreeEntry | null>();
  for (const p of uncovered) {
    if (!touched.has(p)) continue;
    const e = await src.treeEntry(info.head_sha, p);
    if (sameEntry(e, group.get(p)!)) offered.set(p, e);
  }
  if (offered.size === 0) return null;
  const facts = await gatherFacts(src, factNeeds(policy, changed), { policySha });
  const verdict = await evaluate(policy, facts);
  const approved = verdict.passed && verdict.release;
  const note = approved
    ? `approved at ${info.head_sha.slice(0, 12)} under the policy at the group's base; signed ${[...offered.keys()].join(', ')}`
    : `carries ${[...offered.keys()].join(', ')} but is not approved: ${(verdict.rules.flatMap((r) => r.missing)[0] ?? verdict.reasons[0] ?? 'not a release').split('\n')[0]}`;
  return { candidate: { number: info.number, approved, entries: offered }, note };
}

/** A GATE_VERDICT record when the group's conclusion changed (stores from the App's configuration or the default branch's policy). */
async function record(
  ports: GatePorts,
  req: MergeGroupRequest,
  policy: Policy | null,
  output: CheckRunOutput,
  view: MergeGroupView,
  checkRunId: number,
): Promise<void> {
  const config = ports.audit.config;
  // The group's base is the queue's target branch; its policy counts for the
  // audit only when that is the default branch.
  const { stores } = auditStoresFor(config, view.base_ref === req.default_branch ? policy : null, req.default_branch);
  if (stores.length === 0) return;
  const previous = await ports.checks.previousConclusion(req.head_sha, checkRunId).catch(() => null);
  if (previous === output.conclusion) return;
  const input = mergeGroupVerdictRecord({
    repository: `${req.owner}/${req.repo}`,
    merge_group: { head_ref: req.head_ref, head_sha: req.head_sha, base_ref: view.base_ref, base_sha: req.base_sha },
    pull_request: view.pull_number,
    conclusion: output.conclusion,
    previous_conclusion: previous,
    artifacts: view.files.flatMap((f) => (f.digest ? [f.digest] : [])),
    covered_by: Object.fromEntries(view.covered),
    uncovered: view.uncovered,
    reasons: view.reasons,
    trigger: req.trigger,
    delivery_id: req.delivery_id,
  });
  const opened = await Promise.all(
    stores.map((u) => {
      checkStoreUrl(u, config);
      return ports.audit.open(u);
    }),
  );
  await appendRecord(opened, input, { now: ports.clock });
}
