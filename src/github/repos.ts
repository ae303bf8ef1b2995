/** A repository as GitHub has it now. */
import type { GitHubClient, Json } from './client.js';

/** The repository's default branch (`GET /repos/{owner}/{repo}`), or `fallback` when GitHub names none. */
export async function defaultBranch(gh: GitHubClient, owner: string, repo: string, fallback: string): Promise<string> {
  const d = (await gh.request('GET /repos/{owner}/{repo}', { owner, repo })).data as Json;
  return typeof d.default_branch === 'string' ? d.default_branch : fallback;
}
