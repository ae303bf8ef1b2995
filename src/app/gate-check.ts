/**
 * The gate's own check run on a commit (`model-release-gate`, with its
 * Re-evaluate button) over the edge's check-run calls. The previous
 * conclusion is how the App knows, without any memory of its own, whether a
 * verdict changed.
 */
import * as runs from '../github/check-runs.js';
import { githubClient } from '../github/client.js';
import type { GitHubRequester } from '../github/requester.js';
import { CHECK_NAME, type CheckRunOutput } from '../approval/check-run-text.js';

/** The commit a verdict is written on. */
export interface CheckTarget {
  owner: string;
  repo: string;
  head_sha: string;
}

const ACTIONS: runs.CheckAction[] = [{ label: 'Re-evaluate', description: 'Read approvals, teams and keys again', identifier: 're-evaluate' }];

const bind = (octokit: GitHubRequester, t: CheckTarget) =>
  [githubClient(octokit, { where: `${t.owner}/${t.repo}` }), { ...t, name: CHECK_NAME }] as const;

/** The conclusion of the latest completed gate run on the commit other than `except` (the run this evaluation started), or null. */
export function previousConclusion(octokit: GitHubRequester, t: CheckTarget, except?: number): Promise<string | null> {
  return runs.previousConclusion(...bind(octokit, t), except);
}

/** The latest gate run on the commit (any status), or null. */
export function latestGateRun(octokit: GitHubRequester, t: CheckTarget): Promise<runs.LatestRun | null> {
  return runs.latestRun(...bind(octokit, t));
}

/**
 * Starts an `in_progress` run: written before the evaluation so the gate is
 * closed (the required check is pending) while it runs, and so a crash
 * leaves a visible, recoverable trace (recovery.ts finishes it).
 */
export function startCheckRun(octokit: GitHubRequester, t: CheckTarget, now: Date, externalId: string, what: string): Promise<number> {
  return runs.startCheckRun(...bind(octokit, t), now, externalId, {
    title: 'Evaluating',
    summary: `The gate is evaluating ${what}. Until it finishes, this check is not a pass.`,
  });
}

/** Completes a run started with {@link startCheckRun} (or creates a completed one when `id` is null). */
export function completeCheckRun(octokit: GitHubRequester, t: CheckTarget, id: number | null, output: CheckRunOutput, now: Date, externalId: string): Promise<number> {
  return runs.completeCheckRun(...bind(octokit, t), id, output, now, externalId, ACTIONS);
}

/** Creates a completed gate run. */
export function writeCheckRun(octokit: GitHubRequester, t: CheckTarget, output: CheckRunOutput, now: Date, externalId: string): Promise<number> {
  return runs.writeCheckRun(...bind(octokit, t), output, now, externalId, ACTIONS);
}
