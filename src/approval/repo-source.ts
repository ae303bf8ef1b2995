/**
 * What the gate asks about a repository beyond one pull request, behind one
 * interface (like PullRequestSource): which open pull requests have a commit
 * as their head (check runs belong to commits, so a verdict on a commit is
 * seen from every one of them), which are open into a branch (the merge
 * queue's candidates), and what a range of commits changes (a merge group's
 * whole diff). The GitHub-backed implementation is src/github/repo-source.ts.
 */
import type { ChangedFile } from './types.js';

/** A pull request as a list endpoint shows it. */
export interface PullSummary {
  number: number;
  state: string;
  base_ref: string;
  head_sha: string;
  head_ref: string;
  /** When it was merged, or null. */
  merged_at: string | null;
  merge_commit_sha: string | null;
}

export interface RepoSource {
  /** Open pull requests of this repository whose head is `sha` (any branch, forks included). */
  openPullsWithHead(sha: string): Promise<PullSummary[]>;
  /** Open pull requests into `base`, by number. */
  openPullsInto(base: string): Promise<PullSummary[]>;
  /** The files `base...head` changes (fails closed past GitHub's 300-file cap). */
  compareFiles(base: string, head: string): Promise<ChangedFile[]>;
}
