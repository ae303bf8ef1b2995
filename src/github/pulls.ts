/**
 * Pull requests: one pull request as the gate needs it, its files and
 * commits (fail closed past GitHub's listing caps), and the pull requests of
 * a commit or into a branch.
 */
import { GateError } from '../core/errors.js';
import type { ChangedFile } from '../approval/types.js';
import type { PullInfo, PullTarget } from '../approval/pull-request-source.js';
import type { PullSummary } from '../approval/repo-source.js';
import type { GitHubClient, Json } from './client.js';

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;
/** GitHub lists at most this many commits of a pull request. */
export const MAX_LISTED_COMMITS = 250;

export type { PullSummary };

/** The fields a pull request's list and single views share. */
function common(p: Json) {
  const base = p.base as Json;
  const head = p.head as Json;
  return { number: Number(p.number), state: String(p.state), base_ref: String(base.ref), head_ref: String(head.ref), head_sha: String(head.sha), base, head };
}

function summary(p: Json): PullSummary {
  const { number, state, base_ref, head_sha, head_ref } = common(p);
  return {
    number,
    state,
    base_ref,
    head_sha,
    head_ref,
    merged_at: typeof p.merged_at === 'string' ? p.merged_at : null,
    merge_commit_sha: typeof p.merge_commit_sha === 'string' ? p.merge_commit_sha : null,
  };
}

function pullInfo(d: Json): PullInfo {
  const { number, state, base_ref, head_sha, head_ref, base } = common(d);
  const repo = base.repo as Json;
  return {
    repository: String(repo.full_name),
    repository_id: Number(repo.id),
    number,
    author: String((d.user as Json).login),
    state,
    default_branch: String(repo.default_branch),
    base_ref,
    base_sha: String(base.sha),
    head_ref,
    head_sha,
    changed_files: Number(d.changed_files ?? 0),
    commits: Number(d.commits ?? 0),
  };
}

/** A changed file as the files and compare APIs list it. */
export function changedFile(f: Json): ChangedFile {
  const c: ChangedFile = { filename: String(f.filename), status: f.status as ChangedFile['status'] };
  if (typeof f.previous_filename === 'string') c.previous_filename = f.previous_filename;
  return c;
}

/** The pull request as GitHub has it now (base, head and state never come from a webhook payload). */
export async function getPull(gh: GitHubClient, t: PullTarget): Promise<PullInfo> {
  const res = await gh.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...t }, { allow404: true });
  if (res.status === 404) {
    throw new GateError('E_GITHUB', `pull request ${t.owner}/${t.repo}#${t.pull_number} not found`, { where: gh.where });
  }
  return pullInfo(res.data as Json);
}

/**
 * Every file the pull request changes. GitHub stops listing at 3,000 files;
 * unlisted files could be protected ones, so a short list fails (fail closed).
 */
export async function pullFiles(gh: GitHubClient, t: PullTarget, info: PullInfo): Promise<ChangedFile[]> {
  const rows = await gh.all('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { ...t });
  if (rows.length < info.changed_files || rows.length > MAX_LISTED_FILES) {
    throw new GateError(
      'E_GITHUB',
      `GitHub listed ${rows.length} of the ${info.changed_files} files this pull request changes (the list API stops at ${MAX_LISTED_FILES}); the gate cannot see every changed path`,
      { where: `${t.owner}/${t.repo}#${t.pull_number}`, hint: 'split the pull request so that it changes at most 3,000 files' },
    );
  }
  return rows.map(changedFile);
}

/** Every commit of the pull request (GitHub lists at most 250: more fails closed). */
export async function pullCommits(gh: GitHubClient, t: PullTarget, info: PullInfo): Promise<Json[]> {
  const rows = await gh.all('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', { ...t });
  if (rows.length < info.commits) {
    throw new GateError(
      'E_GITHUB',
      `GitHub listed ${rows.length} of the ${info.commits} commits of this pull request (the list API stops at ${MAX_LISTED_COMMITS}); the gate cannot see every commit author`,
      { where: `${t.owner}/${t.repo}#${t.pull_number}`, hint: 'squash or split the pull request' },
    );
  }
  return rows;
}

/**
 * The pull requests GitHub associates with a commit: "If the commit is not
 * present in the default branch, it will return merged and open pull
 * requests associated with the commit"; on the default branch, the one that
 * merged it.
 */
export async function pullsOfCommit(gh: GitHubClient, owner: string, repo: string, sha: string): Promise<PullSummary[]> {
  return (await gh.all('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { owner, repo, commit_sha: sha })).map(summary);
}

/** Open pull requests of the repository whose head is `sha` (any branch, forks included). */
export async function openPullsWithHead(gh: GitHubClient, owner: string, repo: string, sha: string): Promise<PullSummary[]> {
  return (await pullsOfCommit(gh, owner, repo, sha)).filter((p) => p.state === 'open' && p.head_sha === sha);
}

/** Open pull requests into `base`, by number (`base` omitted: every open one). */
export async function openPulls(gh: GitHubClient, owner: string, repo: string, base?: string): Promise<PullSummary[]> {
  const rows = await gh.all('GET /repos/{owner}/{repo}/pulls', { owner, repo, state: 'open', ...(base === undefined ? {} : { base }) });
  return rows
    .map(summary)
    .filter((p) => p.state === 'open' && (base === undefined || p.base_ref === base))
    .sort((a, b) => a.number - b.number);
}
