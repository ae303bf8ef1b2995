/**
 * The check run's side of GitHub: write a verdict as a check run on a commit,
 * and read the previous one back. The previous conclusion is how the App
 * knows, without any memory of its own, whether a verdict changed.
 */
import { GateError, messageOf } from '../core/errors.js';
import { nextLink, type GitHubRequester } from './github-facts.js';
import { CHECK_NAME, type CheckRunOutput } from './check-run.js';

export interface CheckTarget {
  owner: string;
  repo: string;
  head_sha: string;
}

/**
 * The conclusion of the latest completed `model-release-gate` run on a commit
 * other than `except` (the run this evaluation started), or null. Runs are
 * ordered by their own `completed_at`, not by the listing's order.
 */
export async function previousConclusion(octokit: GitHubRequester, t: CheckTarget, except?: number): Promise<string | null> {
  try {
    const runs: Array<{ id: number; status: string; conclusion: string | null; completed_at: string | null }> = [];
    let res = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      owner: t.owner,
      repo: t.repo,
      ref: t.head_sha,
      check_name: CHECK_NAME,
      filter: 'all',
      per_page: 100,
    });
    for (;;) {
      runs.push(...(res.data as { check_runs: typeof runs }).check_runs);
      const next = nextLink(res.headers.link);
      if (!next) break;
      res = await octokit.request(`GET ${next}`);
    }
    const done = runs
      .filter((r) => r.id !== except && r.status === 'completed' && r.completed_at)
      .sort((a, b) => Date.parse(b.completed_at!) - Date.parse(a.completed_at!) || b.id - a.id);
    return done[0]?.conclusion ?? null;
  } catch (e) {
    throw new GateError('E_GITHUB', `could not read the previous check run on ${t.head_sha.slice(0, 12)}: ${messageOf(e)}`, {
      where: `${t.owner}/${t.repo}`,
      cause: e,
    });
  }
}

const ACTIONS = [{ label: 'Re-evaluate', description: 'Read approvals, teams and keys again', identifier: 're-evaluate' }];

/**
 * Starts an `in_progress` run on the commit: written before the evaluation so
 * the gate is closed (the required check is pending) while it runs, and so a
 * crash leaves a visible, recoverable trace (recovery.ts finishes it).
 */
export async function startCheckRun(octokit: GitHubRequester, t: CheckTarget, now: Date, externalId: string, what: string): Promise<number> {
  try {
    const res = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: t.owner,
      repo: t.repo,
      name: CHECK_NAME,
      head_sha: t.head_sha,
      status: 'in_progress',
      started_at: now.toISOString(),
      external_id: externalId,
      output: { title: 'Evaluating', summary: `The gate is evaluating ${what}. Until it finishes, this check is not a pass.` },
    });
    return Number((res.data as { id: number }).id);
  } catch (e) {
    throw new GateError('E_GITHUB', `could not start the check run on ${t.head_sha.slice(0, 12)}: ${messageOf(e)}`, {
      where: `${t.owner}/${t.repo}`,
      cause: e,
      hint: 'the App needs checks: write',
    });
  }
}

/** Completes a run started with {@link startCheckRun} (or creates a completed one when `id` is null). */
export async function completeCheckRun(
  octokit: GitHubRequester,
  t: CheckTarget,
  id: number | null,
  output: CheckRunOutput,
  now: Date,
  externalId: string,
): Promise<number> {
  if (id === null) return writeCheckRun(octokit, t, output, now, externalId);
  try {
    await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: t.owner,
      repo: t.repo,
      check_run_id: id,
      status: 'completed',
      conclusion: output.conclusion,
      completed_at: now.toISOString(),
      output: { title: output.title, summary: output.summary, ...(output.text ? { text: output.text } : {}) },
      actions: ACTIONS,
    });
    return id;
  } catch (e) {
    throw new GateError('E_GITHUB', `could not complete the check run ${id} on ${t.head_sha.slice(0, 12)}: ${messageOf(e)}`, {
      where: `${t.owner}/${t.repo}`,
      cause: e,
      hint: 'the App needs checks: write',
    });
  }
}

/** Creates a completed check run. */
export async function writeCheckRun(
  octokit: GitHubRequester,
  t: CheckTarget,
  output: CheckRunOutput,
  now: Date,
  externalId: string,
): Promise<number> {
  try {
    const res = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: t.owner,
      repo: t.repo,
      name: CHECK_NAME,
      head_sha: t.head_sha,
      status: 'completed',
      conclusion: output.conclusion,
      completed_at: now.toISOString(),
      external_id: externalId,
      output: { title: output.title, summary: output.summary, ...(output.text ? { text: output.text } : {}) },
      actions: ACTIONS,
    });
    return Number((res.data as { id: number }).id);
  } catch (e) {
    throw new GateError('E_GITHUB', `could not write the check run on ${t.head_sha.slice(0, 12)}: ${messageOf(e)}`, {
      where: `${t.owner}/${t.repo}`,
      cause: e,
      hint: 'the App needs checks: write',
    });
  }
}
