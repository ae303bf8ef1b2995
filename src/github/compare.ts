/** Comparing two commits (`GET /repos/{owner}/{repo}/compare/{basehead}`). */
import { GateError } from '../core/errors.js';
import type { ChangedFile } from '../approval/types.js';
import type { GitHubClient, Json } from './client.js';
import { changedFile } from './pulls.js';

/** GitHub's compare API lists at most this many files, for the whole comparison. */
export const MAX_COMPARE_FILES = 300;

const compare = (gh: GitHubClient, owner: string, repo: string, base: string, head: string, allow404 = false) =>
  gh.request('GET /repos/{owner}/{repo}/compare/{basehead}', { owner, repo, basehead: `${base}...${head}`, per_page: 1 }, { allow404 });

/** The files `base...head` changes (fails closed past GitHub's 300-file cap). */
export async function compareFiles(gh: GitHubClient, owner: string, repo: string, base: string, head: string): Promise<ChangedFile[]> {
  const d = (await compare(gh, owner, repo, base, head)).data as Json;
  const files = (d.files as Json[] | undefined) ?? [];
  // The list of changed files "includes up to 300 changed files for the
  // entire comparison": at the cap, unlisted files could be protected ones.
  if (files.length >= MAX_COMPARE_FILES) {
    throw new GateError('E_GITHUB', `GitHub's compare API lists at most ${MAX_COMPARE_FILES} files and ${base.slice(0, 12)}...${head.slice(0, 12)} changes at least that many: the gate cannot see every changed path`, {
      where: gh.where,
      hint: 'queue fewer pull requests per merge group (the merge queue setting "maximum pull requests to build"), or split them',
    });
  }
  return files.map(changedFile);
}

/** Whether `descendant`'s history contains `ancestor` (equal counts; unknown commits do not). */
export async function contains(gh: GitHubClient, owner: string, repo: string, ancestor: string, descendant: string): Promise<boolean> {
  if (ancestor === descendant) return true;
  const res = await compare(gh, owner, repo, ancestor, descendant, true);
  if (res.status === 404) return false;
  const status = (res.data as Json).status;
  return status === 'ahead' || status === 'identical';
}
