/**
 * What the App asks GitHub about a repository beyond one pull request, behind
 * one interface (like PullRequestSource): which open pull requests have a
 * commit as their head (check runs belong to commits, so a verdict on a
 * commit is seen from every one of them), which are open into a branch (the
 * merge queue's candidates), and what a range of commits changes (a merge
 * group's whole diff).
 */
import { GateError, messageOf } from '../core/errors.js';
import type { ChangedFile } from '../approval/types.js';
import { nextLink, type GitHubRequester } from './github-facts.js';

/** A pull request as a list endpoint shows it. */
export interface PullSummary {
  number: number;
  state: string;
  base_ref: string;
  head_sha: string;
  head_ref: string;
}

/** GitHub's compare API lists at most this many files, for the whole comparison. */
export const MAX_COMPARE_FILES = 300;

export interface RepoSource {
  /** Open pull requests of this repository whose head is `sha` (any branch, forks included). */
  openPullsWithHead(sha: string): Promise<PullSummary[]>;
  /** Open pull requests into `base`, by number. */
  openPullsInto(base: string): Promise<PullSummary[]>;
  /** The files `base...head` changes (fails closed past GitHub's 300-file cap). */
  compareFiles(base: string, head: string): Promise<ChangedFile[]>;
}

type Json = Record<string, unknown>;

function summary(p: Json): PullSummary {
  const base = p.base as Json;
  const head = p.head as Json;
  return { number: Number(p.number), state: String(p.state), base_ref: String(base.ref), head_sha: String(head.sha), head_ref: String(head.ref) };
}

/** The GitHub-backed source, for one event (requests are logged in `log`). */
export function githubRepoSource(octokit: GitHubRequester, owner: string, repo: string, log: string[] = []): RepoSource {
  const full = `${owner}/${repo}`;
  const request = async (route: string, params: Record<string, unknown>) => {
    log.push(route);
    try {
      return await octokit.request(route, params);
    } catch (e) {
      const status = (e as { status?: number }).status;
      throw new GateError('E_GITHUB', `GitHub answered ${status ?? 'with an error'} to ${route}: ${messageOf(e)}`, { where: full, cause: e });
    }
  };
  const all = async (route: string, params: Record<string, unknown>): Promise<Json[]> => {
    let res = await request(route, { owner, repo, ...params, per_page: 100 });
    const out: Json[] = [...(res.data as Json[])];
    for (let next = nextLink(res.headers.link); next; next = nextLink(res.headers.link)) {
      res = await request(`GET ${next}`, {});
      out.push(...(res.data as Json[]));
    }
    return out;
  };
  return {
    async openPullsWithHead(sha) {
      // "If the commit is not present in the default branch, it will return
      // merged and open pull requests associated with the commit": keep the
      // open ones whose head it is.
      const rows = await all('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { commit_sha: sha });
      return rows.map(summary).filter((p) => p.state === 'open' && p.head_sha === sha);
    },
    async openPullsInto(base) {
      const rows = await all('GET /repos/{owner}/{repo}/pulls', { state: 'open', base });
      return rows.map(summary).filter((p) => p.state === 'open' && p.base_ref === base).sort((a, b) => a.number - b.number);
    },
    async compareFiles(base, head) {
      const res = await request('GET /repos/{owner}/{repo}/compare/{basehead}', { owner, repo, basehead: `${base}...${head}`, per_page: 1 });
      const d = res.data as Json;
      const files = (d.files as Json[] | undefined) ?? [];
      // The list of changed files "includes up to 300 changed files for the
      // entire comparison": at the cap, unlisted files could be protected ones.
      if (files.length >= MAX_COMPARE_FILES) {
        throw new GateError('E_GITHUB', `GitHub's compare API lists at most ${MAX_COMPARE_FILES} files and ${base.slice(0, 12)}...${head.slice(0, 12)} changes at least that many: the gate cannot see every changed path`, {
          where: full,
          hint: 'queue fewer pull requests per merge group (the merge queue setting "maximum pull requests to build"), or split them',
        });
      }
      return files.map((f) => {
        const c: ChangedFile = { filename: String(f.filename), status: f.status as ChangedFile['status'] };
        if (typeof f.previous_filename === 'string') c.previous_filename = f.previous_filename;
        return c;
      });
    },
  };
}
