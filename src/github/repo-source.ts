/**
 * What the App asks GitHub about a repository beyond one pull request, behind
 * one interface (like PullRequestSource): which open pull requests have a
 * commit as their head (check runs belong to commits, so a verdict on a
 * commit is seen from every one of them), which are open into a branch (the
 * merge queue's candidates), and what a range of commits changes (a merge
 * group's whole diff).
 */
import type { ChangedFile } from '../approval/types.js';
import { githubClient } from './client.js';
import { compareFiles } from './compare.js';
import { openPulls, openPullsWithHead, type PullSummary } from './pulls.js';
import type { GitHubRequester } from './requester.js';

export type { PullSummary };
export { MAX_COMPARE_FILES } from './compare.js';

export interface RepoSource {
  /** Open pull requests of this repository whose head is `sha` (any branch, forks included). */
  openPullsWithHead(sha: string): Promise<PullSummary[]>;
  /** Open pull requests into `base`, by number. */
  openPullsInto(base: string): Promise<PullSummary[]>;
  /** The files `base...head` changes (fails closed past GitHub's 300-file cap). */
  compareFiles(base: string, head: string): Promise<ChangedFile[]>;
}

/** The GitHub-backed source, for one event (requests are logged in `log`). */
export function githubRepoSource(octokit: GitHubRequester, owner: string, repo: string, log: string[] = []): RepoSource {
  const gh = githubClient(octokit, { where: `${owner}/${repo}`, log });
  return {
    openPullsWithHead: (sha) => openPullsWithHead(gh, owner, repo, sha),
    openPullsInto: (base) => openPulls(gh, owner, repo, base),
    compareFiles: (base, head) => compareFiles(gh, owner, repo, base, head),
  };
}
