/**
 * The release pull request the Action opens (`mode: release` with
 * `open-pr`): found by its head branch, then edited or created. Needs
 * `pull-requests: write`, which the App never has.
 */
import type { GitHubClient, Json } from './client.js';

/** An open pull request from a branch, as the list shows it. */
export interface BranchPull {
  number: number;
  body: string | null;
  html_url: string;
}

/** Open pull requests from `owner:branch` into `base` (one page: a branch has one or two). */
export async function openPullsFrom(gh: GitHubClient, owner: string, repo: string, branch: string, base: string): Promise<BranchPull[]> {
  const res = await gh.request('GET /repos/{owner}/{repo}/pulls', { owner, repo, head: `${owner}:${branch}`, base, state: 'open', per_page: 100 });
  return (res.data as Json[]).map((p) => ({ number: Number(p.number), body: typeof p.body === 'string' ? p.body : null, html_url: String(p.html_url) }));
}

/** Edits a pull request's title and body; returns its URL. */
export async function updatePull(gh: GitHubClient, owner: string, repo: string, number: number, title: string, body: string): Promise<string> {
  const res = await gh.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: number, title, body });
  return String((res.data as Json).html_url);
}

/** Opens a pull request from `head` into `base`. */
export async function createPull(
  gh: GitHubClient,
  owner: string,
  repo: string,
  p: { title: string; head: string; base: string; body: string },
): Promise<{ number: number; url: string }> {
  const res = await gh.request('POST /repos/{owner}/{repo}/pulls', { owner, repo, ...p });
  const d = res.data as Json;
  return { number: Number(d.number), url: String(d.html_url) };
}
