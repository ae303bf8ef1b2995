/**
 * The gate's own check run on a commit (`model-release-gate`, with its
 * Re-evaluate button) over the edge's check-run calls: the GitHub side of
 * the gate's `GateCheckRuns` port. The previous conclusion is how the gate
 * knows, without any memory of its own, whether a verdict changed.
 */
import * as runs from './check-runs.js';
import { githubClient } from './client.js';
import type { GitHubRequester } from './requester.js';
import { CHECK_NAME } from '../approval/check-run-text.js';
import type { GateCheckRuns } from '../approval/gate-ports.js';

/** The commit a verdict is written on. */
export interface CheckTarget {
  owner: string;
  repo: string;
  head_sha: string;
}

const ACTIONS: runs.CheckAction[] = [{ label: 'Re-evaluate', description: 'Read approvals, teams and keys again', identifier: 're-evaluate' }];

const bind = (octokit: GitHubRequester, t: CheckTarget) =>
  [githubClient(octokit, { where: `${t.owner}/${t.repo}` }), { ...t, name: CHECK_NAME }] as const;

/**
 * The gate's check runs in one repository. `start` writes an `in_progress`
 * run before the evaluation so the gate is closed (the required check is
 * pending) while it runs, and so a crash leaves a visible, recoverable trace
 * (the App's recovery pass finishes it).
 */
export function githubGateCheckRuns(octokit: GitHubRequester, owner: string, repo: string, clock: () => Date): GateCheckRuns {
  const at = (head_sha: string) => bind(octokit, { owner, repo, head_sha });
  return {
    start: (head_sha, externalId, what) =>
      runs.startCheckRun(...at(head_sha), clock(), externalId, {
        title: 'Evaluating',
        summary: `The gate is evaluating ${what}. Until it finishes, this check is not a pass.`,
      }),
    complete: (head_sha, id, output, externalId) => runs.completeCheckRun(...at(head_sha), id, output, clock(), externalId, ACTIONS),
    previousConclusion: (head_sha, except) => runs.previousConclusion(...at(head_sha), except),
  };
}

/** The latest gate run on the commit (any status), or null. */
export function latestGateRun(octokit: GitHubRequester, t: CheckTarget): Promise<runs.LatestRun | null> {
  return runs.latestRun(...bind(octokit, t));
}
