/**
 * What an approver's own token does (`model-gate approve`): who the token
 * belongs to, and posting the approving review. The App never calls these:
 * they need the person's token, not the installation's.
 */
import { GateError, messageOf } from '../core/errors.js';
import type { PullTarget } from '../approval/pull-request-source.js';
import type { GitHubRequester } from './requester.js';

/** The signed-in user (`GET /user`). */
export async function authenticatedUser(gh: GitHubRequester): Promise<{ login: string; id: number }> {
  try {
    return (await gh.request('GET /user')).data as { login: string; id: number };
  } catch (e) {
    throw new GateError('E_GITHUB', `cannot tell who you are on GitHub: ${messageOf(e)}`, {
      hint: 'set GITHUB_TOKEN (or log in with `gh auth login`) to a token of the approver',
      cause: e,
    });
  }
}

/** Posts an APPROVING review on `commit_id` (the statement's head); returns its URL. */
export async function postApprovingReview(gh: GitHubRequester, t: PullTarget, commitId: string, body: string): Promise<string> {
  try {
    const res = await gh.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      owner: t.owner,
      repo: t.repo,
      pull_number: t.pull_number,
      commit_id: commitId,
      body,
      event: 'APPROVE',
    });
    return String((res.data as { html_url?: string }).html_url ?? '');
  } catch (e) {
    throw new GateError('E_GITHUB', `GitHub refused the approving review: ${messageOf(e)}`, {
      where: `${t.owner}/${t.repo}#${t.pull_number}`,
      hint: 'you cannot approve your own pull request; the token needs pull requests: write',
      cause: e,
    });
  }
}
