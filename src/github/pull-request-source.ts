/**
 * The GitHub-backed {@link PullRequestSource}: lazy (nothing is fetched until
 * asked), paginated, and cached for the life of one event, so one evaluation
 * never asks GitHub the same thing twice. The request log makes that
 * checkable (tests, bench/app.mjs).
 */
import type { PullRequestSource, PullTarget } from '../approval/pull-request-source.js';
import { githubClient } from './client.js';
import { commitLogins, commitPeople } from './commits.js';
import { contains } from './compare.js';
import { fileText } from './contents.js';
import { branchSha, githubGitObjects, type Once } from './git-data.js';
import { getPull, pullCommits, pullFiles } from './pulls.js';
import type { GitHubRequester } from './requester.js';
import { listReviews } from './reviews.js';
import { checkTeamName, isActiveMember, teamMembers } from './teams.js';
import { publicEmail, signingKeys } from './users.js';
import { workflowRunActor } from './actions.js';

const HINT = 'check the App installation and its permissions (checks: write, pull_requests: read, contents: read, members: read)';

/**
 * The GitHub-backed source for one event. Create one per webhook delivery:
 * its cache is the event's, so a later event sees GitHub's new state.
 */
export function githubPullRequestSource(octokit: GitHubRequester, target: PullTarget): PullRequestSource {
  const { owner, repo } = target;
  const gh = githubClient(octokit, { where: `${owner}/${repo}`, hint: HINT });
  const cache = new Map<string, Promise<unknown>>();
  const once: Once = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      cache.set(key, p);
    }
    return p;
  };

  // Base, head and state come from the API on every event, never from the
  // webhook payload: a late or redelivered payload can name an old base.
  const pull = () => once('pull', () => getPull(gh, target));
  const commitRows = () => once('commits', async () => pullCommits(gh, target, await pull()));
  const git = githubGitObjects(gh, owner, repo, once);

  return {
    pull,
    treeEntry: git.treeEntry,
    blob: git.blob,
    changedFiles: () => once('files', async () => pullFiles(gh, target, await pull())),
    reviews: () => once('reviews', () => listReviews(gh, target)),

    teamMembers: (team, candidates) => {
      checkTeamName(team);
      const wanted = [...new Set(candidates)].sort();
      if (wanted.length === 0) return Promise.resolve([]);
      // Fewer requests: one membership lookup for a single candidate, else one
      // listing (one page for teams up to 100 members) for all of them.
      if (wanted.length === 1) {
        const login = wanted[0];
        return once(`membership:${team}:${login}`, async () => ((await isActiveMember(gh, team, login)) ? [login] : []));
      }
      return once(`members:${team}`, () => teamMembers(gh, team)).then((members) =>
        members.filter((m) => wanted.some((w) => w.toLowerCase() === m.toLowerCase())),
      );
    },

    signingKeys: (login) => once(`keys:${login}`, () => signingKeys(gh, login)),
    commitAuthors: async () => commitLogins(await commitRows()),
    commitPeople: async () => commitPeople(await commitRows()),
    publicEmail: (login) => once(`user:${login}`, () => publicEmail(gh, login)),
    workflowRunActor: (runId) => once(`run:${runId}`, () => workflowRunActor(gh, owner, repo, runId)),
    branchSha: (branch) => once(`branch:${branch}`, () => branchSha(gh, owner, repo, branch)),
    file: (ref, path) => once(`file:${ref}:${path}`, () => fileText(gh, owner, repo, ref, path)),
    contains: (ancestor, descendant) => once(`contains:${ancestor}:${descendant}`, () => contains(gh, owner, repo, ancestor, descendant)),

    get requestCount() {
      return gh.log.length;
    },
    get requestLog() {
      return gh.log;
    },
  };
}
