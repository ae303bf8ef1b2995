/**
 * What the App can reach: its installations (with the App's JWT) and each
 * installation's repositories (with the installation's token).
 */
import type { GitHubClient, Json } from './client.js';

/** The ids of the App's installations. */
export async function installationIds(appGh: GitHubClient): Promise<number[]> {
  return (await appGh.all('GET /app/installations')).map((i) => Number(i.id));
}

/** A repository an installation can reach. */
export interface InstalledRepo {
  owner: string;
  repo: string;
  default_branch: string;
}

/** The repositories of the installation whose token `gh` holds. */
export async function installationRepos(gh: GitHubClient): Promise<InstalledRepo[]> {
  const rows = await gh.all('GET /installation/repositories', {}, { items: (d) => (d as Json).repositories as Json[] });
  return rows.map((r) => ({ owner: String((r.owner as Json).login), repo: String(r.name), default_branch: String(r.default_branch ?? 'main') }));
}
