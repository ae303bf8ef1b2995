/**
 * Where a pull request's gate policy is read: the base branch's tip as GitHub
 * has it now, for the App's verdict and for the statement an approver signs
 * alike. GitHub's `base.sha` is the branch's tip when the pull request was
 * opened or last updated, so a policy tightened since would otherwise never
 * reach an open pull request, and an approver would sign under an older,
 * weaker policy than the one the gate judges by.
 */
import type { PullInfo, PullRequestSource } from './pull-request-source.js';
import { POLICY_PATH } from './types.js';

/** The policy file's text at the base branch's tip (null: no policy there) and that commit. */
export async function readBasePolicy(source: PullRequestSource, info: PullInfo): Promise<{ sha: string; text: string | null }> {
  const sha = await source.branchSha(info.base_ref);
  return { sha, text: await source.file(sha, POLICY_PATH) };
}
