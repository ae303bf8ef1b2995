/**
 * The GitHub-backed RepoSource (src/approval/repo-source.ts): the pull
 * requests of a commit or into a branch, and a range's changed files.
 */
import type { RepoSource } from '../approval/repo-source.js';
import { githubClient } from './client.js';
import { compareFiles } from './compare.js';
import { openPulls, openPullsWithHead, type PullSummary } from './pulls.js';
import type { GitHubRequester } from './requester.js';

export type { PullSummary, RepoSource };
export { MAX_COMPARE_FILES } from './compare.js';

/** The GitHub-backed source, for one event (requests are logged in `log`). */
export function githubRepoSource(octokit: GitHubRequester, owner: string, repo: string, log: string[] = []): RepoSource {
  const gh = githubClient(octokit, { where: `${owner}/${repo}`, log });
  return {
    openPullsWithHead: (sha) => openPullsWithHead(gh, owner, repo, sha),
    openPullsInto: (base) => openPulls(gh, owner, repo, base),
    compareFiles: (base, head) => compareFiles(gh, owner, repo, base, head),
  };
}
