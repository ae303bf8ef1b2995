/**
 * The check run's side of GitHub: write a verdict as a check run on a commit,
 * and read the previous one back. The previous conclusion is how the App
 * knows, without any memory of its own, whether a verdict changed.
 */
import { GateError, messageOf } from '../core/errors.js';
import type { GitHubRequester } from './github-facts.js';
import { CHECK_NAME, type CheckRunOutput } from './check-run.js';

export interface CheckTarget {
  owner: string;
  repo: string;
  head_sha: string;
}

/** The conclusion of the latest completed `model-release-gate` run on a commit, or null. */
export async function previousConclusion(octokit: GitHubRequester, t: CheckTarget): Promise<string | null> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      owner: t.owner,
      repo: t.repo,
      ref: t.head_sha,
      check_name: CHECK_NAME,
      filter: 'latest',
      per_page: 1,
    });
    const runs = (res.data as { check_runs: Array<{ status: string; conclusion: string | null }> }).check_runs;
    const done = runs.find((r) => r.status === 'completed');
    return done?.conclusion ?? null;
  } catch (e) {
    throw new GateError('E_GITHUB', `could not read the previous check run on ${t.head_sha.slice(0, 12)}: ${messageOf(e)}`, {
      where: `${t.owner}/${t.repo}`,
      cause: e,
    });
  }
}

/** Creates a completed check run. A new run per evaluation: GitHub shows the latest. */
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
      actions: [
        { label: 'Re-evaluate', description: 'Read approvals, teams and keys again', identifier: 're-evaluate' },
      ],
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
