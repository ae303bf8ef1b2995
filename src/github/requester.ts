/**
 * The one method of a GitHub REST client the project uses: Octokit's
 * `request(route, params)`. Probot's and @actions/github's clients fit it as
 * they are; the CLI uses {@link fetchRequester} (fetch-requester.ts) so a
 * command-line tool does not load Octokit.
 */

/** What a request returns (Octokit's response shape). */
export interface GitHubResponse {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

/** `octokit.request` fits. A failed request throws an error with the HTTP `status`. */
export interface GitHubRequester {
  request(route: string, params?: Record<string, unknown>): Promise<GitHubResponse>;
}
