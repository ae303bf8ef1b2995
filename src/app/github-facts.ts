/**
 * What the App needs to know about a pull request, behind one interface
 * (STYLE.md example 2), and its GitHub-backed implementation: lazy (nothing is
 * fetched until asked), paginated, and cached for the life of one event, so
 * one evaluation never asks GitHub the same thing twice. A request counter
 * and log make that checkable (tests, bench/app.mjs).
 *
 * Everything fails closed: a list GitHub truncates (3,000 files, 250
 * commits) or an answer we cannot read raises a GateError, which the App
 * turns into a failing check run.
 */
import { GateError, messageOf } from '../core/errors.js';
import type { ChangedFile, CoAuthorFact, PullRequestFacts, ReviewFact, UnlinkedAuthorFact } from '../approval/types.js';
import { coAuthorTrailers, noreplyLogin, uniqueByEmail, type Trailer } from './co-authors.js';
import { githubGitObjects } from './git-objects.js';
import type { GitObjectSource } from './head-files.js';
import { readHeadEvidence } from './lineage-facts.js';

/** The slice of Octokit the gatherer uses: `octokit.request` fits. */
export interface GitHubRequester {
  request(
    route: string,
    params?: Record<string, unknown>,
  ): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }>;
}

/** Which pull request. */
export interface PullTarget {
  owner: string;
  repo: string;
  pull_number: number;
}

/** The pull request itself, as the gate needs it. */
export interface PullInfo {
  repository: string;
  repository_id: number;
  number: number;
  author: string;
  state: string;
  /** The repository's default branch (where the audit store and deployment rules are read). */
  default_branch: string;
  base_ref: string;
  base_sha: string;
  head_ref: string;
  head_sha: string;
  /** GitHub's count of changed files (to detect the 3,000-file listing cap). */
  changed_files: number;
  /** GitHub's count of commits (to detect the 250-commit listing cap). */
  commits: number;
}

/**
 * What the App needs to know about a pull request (one event's view),
 * including the git objects of its commits (tree entries with their modes,
 * blobs), from which the gate hashes the bytes it judges.
 */
export interface PullRequestSource extends GitObjectSource {
  pull(): Promise<PullInfo>;
  changedFiles(): Promise<ChangedFile[]>;
  /** The latest state-changing review per user (see {@link latestPerUser}). */
  reviews(): Promise<ReviewFact[]>;
  /** Members of `org/slug` among `candidates` (only they can matter). */
  teamMembers(team: string, candidates: string[]): Promise<string[]>;
  signingKeys(login: string): Promise<string[]>;
  /** Logins of the authors and committers of the PR's commits. */
  commitAuthors(): Promise<string[]>;
  /** The commits' `Co-authored-by:` trailers, and the commits whose author email links to no account. */
  commitPeople(): Promise<{ co_authors: Trailer[]; unlinked: UnlinkedAuthorFact[] }>;
  /** A user's public profile email, or null (what the API exposes of an approver). */
  publicEmail(login: string): Promise<string | null>;
  /** Who triggered a workflow run of this repository, or null when there is no such run. */
  workflowRunActor(runId: number): Promise<string | null>;
  /** The commit a branch points to now (the policy is read there: a pull request's base.sha can be stale). */
  branchSha(branch: string): Promise<string>;
  /** A file's text at a commit, or null when it does not exist there (policy and key files on the base). */
  file(ref: string, path: string): Promise<string | null>;
  /** Whether `descendant`'s history contains `ancestor` (equal counts). */
  contains(ancestor: string, descendant: string): Promise<boolean>;
  /** Requests made so far (pages count one each). */
  readonly requestCount: number;
  /** `GET /repos/{owner}/{repo}/...` per request made, in order. */
  readonly requestLog: readonly string[];
}

/** What the policy asks the gatherer to fetch (nothing else is fetched). */
export interface FactNeeds {
  /** The PR touches protected paths: reviews and approvers matter at all. */
  release: boolean;
  /** Teams named by the applicable rules' roles ("org/slug"). */
  teams: string[];
  /** Approvers' SSH signing keys registered on GitHub. */
  githubKeys: boolean;
  /** allowed-signers files (paths on the base branch). */
  allowedSigners: string[];
  /** JWKS files (paths on the base branch). */
  jwks: string[];
  /** Commit authors and committers (excluded from approving unless allowed). */
  commitAuthors: boolean;
  /** Artifacts and lineage digest from the head's metadata.json files. */
  artifacts: boolean;
  /** Git LFS pointer oids of the artifacts. */
  lfs: boolean;
  /** Globs naming model files: the `metadata.json` beside each changed one is read too. */
  modelGlobs: string[];
  /** Changed paths the applicable rules protect: each is hashed from the head commit. */
  protectedPaths: string[];
}

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;
/** GitHub lists at most this many commits of a pull request. */
export const MAX_LISTED_COMMITS = 250;

const PER_PAGE = 100;

type Json = Record<string, unknown>;

/**
 * The GitHub-backed source for one event. Create one per webhook delivery:
 * its cache is the event's, so a later event sees GitHub's new state.
 */
export function githubPullRequestSource(octokit: GitHubRequester, target: PullTarget): PullRequestSource {
  const log: string[] = [];
  const cache = new Map<string, Promise<unknown>>();
  const { owner, repo, pull_number } = target;
  const full = `${owner}/${repo}`;

  const once = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      cache.set(key, p);
    }
    return p;
  };

  const call = async (route: string, params: Record<string, unknown> = {}) => {
    log.push(route);
    try {
      return await octokit.request(route, params);
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status === 404) return { status: 404, data: null, headers: {} };
      throw new GateError('E_GITHUB', `GitHub answered ${status ?? 'with an error'} to ${route}: ${messageOf(e)}`, {
        where: full,
        cause: e,
        hint: 'check the App installation and its permissions (checks: write, pull_requests: read, contents: read, members: read)',
      });
    }
  };

  /** All pages of a list endpoint, following GitHub's Link header. */
  const all = async (route: string, params: Record<string, unknown>): Promise<Json[]> => {
    const out: Json[] = [];
    let res = await call(route, { ...params, per_page: PER_PAGE });
    for (;;) {
      if (res.status === 404) {
        throw new GateError('E_GITHUB', `GitHub answered 404 to ${route}`, { where: full });
      }
      out.push(...(res.data as Json[]));
      const next = nextLink(res.headers.link);
      if (!next) return out;
      // Same route label in the log: one list, several pages.
      log.push(route);
      res = await octokit.request(`GET ${next}`).catch((e: unknown) => {
        throw new GateError('E_GITHUB', `GitHub failed on a later page of ${route}: ${messageOf(e)}`, { where: full, cause: e });
      });
    }
  };

  // Base, head and state come from the API on every event, never from the
  // webhook payload: a late or redelivered payload can name an old base.
  const pull = (): Promise<PullInfo> =>
    once('pull', async () => {
      const res = await call('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number });
      if (res.status === 404) {
        throw new GateError('E_GITHUB', `pull request ${full}#${pull_number} not found`, { where: full });
      }
      return pullInfo(res.data as Json);
    });

  const git = githubGitObjects({ owner, repo, call, once });

  const commitRows = (): Promise<Json[]> =>
    once('commits', async () => {
      const [info, rows] = await Promise.all([pull(), all('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', { owner, repo, pull_number })]);
      if (rows.length < info.commits) {
        throw new GateError(
          'E_GITHUB',
          `GitHub listed ${rows.length} of the ${info.commits} commits of this pull request (the list API stops at ${MAX_LISTED_COMMITS}); the gate cannot see every commit author`,
          { where: `${full}#${pull_number}`, hint: 'squash or split the pull request' },
        );
      }
      return rows;
    });

  const source: PullRequestSource = {
    pull,
    treeEntry: git.treeEntry,
    blob: git.blob,

    changedFiles: () =>
      once('files', async () => {
        const [info, rows] = await Promise.all([
          pull(),
          all('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner, repo, pull_number }),
        ]);
        // GitHub stops listing at 3,000 files. Unlisted files could be
        // protected ones, so a truncated list fails the gate (fail closed).
        if (rows.length < info.changed_files || rows.length > MAX_LISTED_FILES) {
          throw new GateError(
            'E_GITHUB',
            `GitHub listed ${rows.length} of the ${info.changed_files} files this pull request changes (the list API stops at ${MAX_LISTED_FILES}); the gate cannot see every changed path`,
            { where: `${full}#${pull_number}`, hint: 'split the pull request so that it changes at most 3,000 files' },
          );
        }
        return rows.map((f) => {
          const c: ChangedFile = { filename: String(f.filename), status: f.status as ChangedFile['status'] };
          if (typeof f.previous_filename === 'string') c.previous_filename = f.previous_filename;
          return c;
        });
      }),

    reviews: () =>
      once('reviews', async () => {
        const rows = await all('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { owner, repo, pull_number });
        return latestPerUser(
          rows
            .filter((r) => r.user && typeof (r.user as Json).login === 'string')
            .map((r) => {
              const u = r.user as Json;
              const f: ReviewFact = {
                login: String(u.login),
                user_id: Number(u.id),
                state: r.state as ReviewFact['state'],
                commit_id: String(r.commit_id ?? ''),
                body: typeof r.body === 'string' ? r.body : '',
              };
              if (typeof r.submitted_at === 'string') f.submitted_at = r.submitted_at;
              if (u.type === 'Bot') f.is_bot = true;
              return f;
            }),
        );
      }),

    teamMembers: (team, candidates) => {
      const [org, slug] = splitTeam(team);
      const wanted = [...new Set(candidates)].sort();
      if (wanted.length === 0) return Promise.resolve([]);
      // Fewer requests: one membership lookup for a single candidate, else one
      // listing (one page for teams up to 100 members) for all of them.
      if (wanted.length === 1) {
        const login = wanted[0];
        return once(`membership:${team}:${login}`, async () => {
          const res = await call('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', {
            org,
            team_slug: slug,
            username: login,
          });
          // A pending invitation is not membership.
          return res.status === 200 && (res.data as Json).state === 'active' ? [login] : [];
        });
      }
      return once(`members:${team}`, async () => {
        const res = await call('GET /orgs/{org}/teams/{team_slug}/members', { org, team_slug: slug, per_page: PER_PAGE });
        if (res.status === 404) {
          throw new GateError('E_GITHUB', `team ${team} not found (or the App cannot read its members)`, {
            where: full,
            hint: 'check the team slug in the policy and that the App has members: read on the organization',
          });
        }
        const rows = [...(res.data as Json[])];
        let next = nextLink(res.headers.link);
        while (next) {
          log.push('GET /orgs/{org}/teams/{team_slug}/members');
          const page = await octokit.request(`GET ${next}`);
          rows.push(...(page.data as Json[]));
          next = nextLink(page.headers.link);
        }
        return rows.map((u) => String(u.login));
      }).then((members) => members.filter((m) => wanted.some((w) => w.toLowerCase() === m.toLowerCase())));
    },

    signingKeys: (login) =>
      once(`keys:${login}`, async () => {
        const res = await call('GET /users/{username}/ssh_signing_keys', { username: login, per_page: PER_PAGE });
        if (res.status === 404) return [];
        return (res.data as Json[]).map((k) => String(k.key));
      }),

    commitAuthors: async () => {
      const logins = new Set<string>();
      for (const c of await commitRows()) {
        for (const who of [c.author, c.committer] as Array<Json | null>) {
          if (who && typeof who.login === 'string') logins.add(who.login);
        }
      }
      return [...logins].sort();
    },

    commitPeople: async () => {
      const trailers: Trailer[] = [];
      const unlinked: UnlinkedAuthorFact[] = [];
      for (const c of await commitRows()) {
        const commit = (c.commit ?? {}) as Json;
        trailers.push(...coAuthorTrailers(typeof commit.message === 'string' ? commit.message : ''));
        // `author` is the account GitHub linked the author's email to; null when none.
        if (!c.author) {
          const a = (commit.author ?? {}) as Json;
          unlinked.push({ sha: String(c.sha), name: String(a.name ?? ''), email: String(a.email ?? '') });
        }
      }
      return { co_authors: uniqueByEmail(trailers), unlinked };
    },

    publicEmail: (login) =>
      once(`user:${login}`, async () => {
        const res = await call('GET /users/{username}', { username: login });
        const email = (res.data as Json | null)?.email;
        return typeof email === 'string' && email !== '' ? email : null;
      }),

    workflowRunActor: (runId) =>
      once(`run:${runId}`, async () => {
        const res = await call('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { owner, repo, run_id: runId });
        if (res.status === 404) return null;
        const d = res.data as Json;
        const who = (d.triggering_actor ?? d.actor) as Json | null;
        return who && typeof who.login === 'string' ? who.login : null;
      }),

    branchSha: (branch) =>
      once(`branch:${branch}`, async () => {
        const res = await call('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `heads/${branch}` });
        const sha = (res.data as { object?: { sha?: unknown } } | null)?.object?.sha;
        if (res.status === 404 || typeof sha !== 'string') {
          throw new GateError('E_GITHUB', `branch ${branch} does not exist in ${full}`, { where: full });
        }
        return sha;
      }),

    file: (ref, path) =>
      once(`file:${ref}:${path}`, async () => {
        const res = await call('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ref });
        if (res.status === 404) return null;
        const d = res.data as Json;
        if (Array.isArray(d) || d.type !== 'file') {
          throw new GateError('E_GITHUB', `${path} at ${ref.slice(0, 12)} is not a file`, { where: full });
        }
        if (d.encoding !== 'base64' || typeof d.content !== 'string') {
          // The contents API stops inlining files above 1 MB.
          throw new GateError('E_GITHUB', `${path} at ${ref.slice(0, 12)} is too large to read through the contents API`, {
            where: full,
            hint: 'keep policy, metadata.json and key files under 1 MB',
          });
        }
        return Buffer.from(d.content, 'base64').toString('utf8');
      }),

    contains: (ancestor, descendant) =>
      once(`contains:${ancestor}:${descendant}`, async () => {
        if (ancestor === descendant) return true;
        const res = await call('GET /repos/{owner}/{repo}/compare/{basehead}', {
          owner,
          repo,
          basehead: `${ancestor}...${descendant}`,
          per_page: 1,
        });
        if (res.status === 404) return false;
        const status = (res.data as Json).status;
        return status === 'ahead' || status === 'identical';
      }),

    get requestCount() {
      return log.length;
    },
    get requestLog() {
      return log;
    },
  };
  return source;
}

/**
 * Builds the facts the evaluator needs from a source, fetching only what
 * `needs` names: a PR that touches no protected path costs no review, team,
 * key or commit request.
 */
export async function gatherFacts(
  source: PullRequestSource,
  needs: FactNeeds,
  opts: { /** The commit the policy was read from: key files come from there too (default: the PR's base.sha). */ policySha?: string } = {},
): Promise<PullRequestFacts> {
  const info = await source.pull();
  const changed = await source.changedFiles();
  const facts: PullRequestFacts = {
    repository: info.repository,
    repository_id: info.repository_id,
    pull_request: info.number,
    base_ref: info.base_ref,
    base_sha: info.base_sha,
    head_sha: info.head_sha,
    author: info.author,
    commit_authors: [],
    changed_files: changed,
    artifacts: [],
    lineage_digest: null,
    teams: {},
    reviews: [],
    signing_keys: {},
  };
  if (!needs.release) return facts;

  // The bytes are read from the head commit for every release, whatever the
  // policy checks: the gate judges the commit, not what metadata.json says.
  const [reviews, commitAuthors, evidence] = await Promise.all([
    source.reviews(),
    needs.commitAuthors ? source.commitAuthors() : Promise.resolve([]),
    readHeadEvidence(source, info.head_sha, changed, {
      protectedPaths: needs.protectedPaths,
      modelGlobs: needs.artifacts ? needs.modelGlobs : [],
    }),
  ]);
  facts.reviews = reviews;
  facts.commit_authors = commitAuthors;
  if (needs.commitAuthors) Object.assign(facts, await authorsBesides(source, info, reviews, evidence.metadata));
  facts.head_files = evidence.head_files;
  facts.artifacts = evidence.artifacts;
  facts.lineage_digest = evidence.lineage_digest;
  facts.metadata = evidence.metadata;
  if (needs.lfs) facts.lfs_oids = evidence.lfs_oids;

  // Only people who approved the head can fill a role, and only role members
  // who requested changes can veto: their memberships are all that matter,
  // and only approvers' keys, so nobody else's are fetched.
  const approvers = reviews
    .filter((r) => r.state === 'APPROVED' && r.commit_id === info.head_sha && !r.is_bot && r.login !== info.author)
    .map((r) => r.login);
  const objectors = reviews.filter((r) => r.state === 'CHANGES_REQUESTED' && !r.is_bot).map((r) => r.login);
  const candidates = [...approvers, ...objectors];
  const tasks: Array<Promise<void>> = [];
  for (const team of [...new Set(needs.teams)]) {
    tasks.push(source.teamMembers(team, candidates).then((m) => void (facts.teams[team] = m)));
  }
  if (needs.githubKeys) {
    for (const login of approvers) {
      tasks.push(source.signingKeys(login).then((k) => void (facts.signing_keys[login] = k)));
    }
  }
  if (needs.allowedSigners.length > 0) facts.allowed_signers = {};
  for (const p of needs.allowedSigners) {
    tasks.push(
      source.file(opts.policySha ?? info.base_sha, p).then((text) => {
        if (text === null) throw missingKeyFile(p, info);
        (facts.allowed_signers as Record<string, string>)[p] = text;
      }),
    );
  }
  if (needs.jwks.length > 0) facts.jwks = {};
  for (const p of needs.jwks) {
    tasks.push(
      source.file(opts.policySha ?? info.base_sha, p).then((text) => {
        if (text === null) throw missingKeyFile(p, info);
        try {
          (facts.jwks as Record<string, unknown>)[p] = JSON.parse(text);
        } catch (e) {
          throw new GateError('E_CONFIG', `${p} on the base branch is not valid JSON: ${messageOf(e)}`, { where: p });
        }
      }),
    );
  }
  await Promise.all(tasks);
  return facts;
}

/**
 * The people a release excludes besides the commit authors (issue 10, item
 * 9): co-authors named by trailers (with their login when GitHub tells it: a
 * noreply address, or an approver whose public email it is), commits whose
 * author email links to no account, and, for a pull request a bot opened
 * (the Action's release PR), the person who triggered the workflow run
 * metadata.json names, read from GitHub's record of that run.
 */
async function authorsBesides(
  source: PullRequestSource,
  info: PullInfo,
  reviews: ReviewFact[],
  metadata: Record<string, unknown>,
): Promise<Pick<PullRequestFacts, 'co_authors' | 'unlinked_commit_authors' | 'release_actor'>> {
  const people = await source.commitPeople();
  const approvers = [...new Set(reviews.filter((r) => r.state === 'APPROVED' && !r.is_bot).map((r) => r.login))];
  const others = people.co_authors.filter((t) => noreplyLogin(t.email) === null);
  const emails = others.length > 0 ? await Promise.all(approvers.map(async (l) => [l, await source.publicEmail(l)] as const)) : [];
  const co_authors: CoAuthorFact[] = people.co_authors.map((t) => {
    const login = noreplyLogin(t.email) ?? emails.find(([, e]) => e !== null && e.toLowerCase() === t.email.toLowerCase())?.[0];
    return { name: t.name, email: t.email, ...(login ? { login } : {}) };
  });
  const out: Pick<PullRequestFacts, 'co_authors' | 'unlinked_commit_authors' | 'release_actor'> = {
    co_authors,
    unlinked_commit_authors: people.unlinked,
  };
  if (/\[bot\]$/i.test(info.author)) {
    const actor = await releaseActor(source, info, metadata);
    if (actor) out.release_actor = actor;
  }
  return out;
}

/** The login that triggered the workflow run a head metadata.json names (`source.run_id` of this repository), or undefined. */
async function releaseActor(source: PullRequestSource, info: PullInfo, metadata: Record<string, unknown>): Promise<string | undefined> {
  for (const m of Object.values(metadata)) {
    const src = (m && typeof m === 'object' ? (m as Json).source : undefined) as Json | undefined;
    const runId = Number(src?.run_id);
    if (!Number.isSafeInteger(runId) || runId <= 0) continue;
    // A run of another repository says nothing about who released this one.
    if (typeof src?.repository === 'string' && src.repository.toLowerCase() !== info.repository.toLowerCase()) continue;
    const actor = await source.workflowRunActor(runId);
    if (actor) return actor;
  }
  return undefined;
}

function missingKeyFile(path: string, info: PullInfo): GateError {
  return new GateError('E_CONFIG', `the policy names ${path}, which does not exist on ${info.base_ref}`, {
    where: `${info.repository}@${info.base_sha.slice(0, 12)}:${path}`,
    hint: 'add the file to the base branch or remove it from signatures.keys',
  });
}

/**
 * GitHub keeps every review; a user's standing is their latest review that
 * changes state (a later plain comment does not withdraw an approval, as on
 * GitHub's own pull request page). Users with only comments keep the latest.
 */
export function latestPerUser(reviews: ReviewFact[]): ReviewFact[] {
  const byUser = new Map<string, ReviewFact>();
  for (const r of reviews) {
    if (r.state === 'PENDING') continue;
    const key = r.login.toLowerCase();
    const prev = byUser.get(key);
    if (!prev || r.state !== 'COMMENTED' || prev.state === 'COMMENTED') byUser.set(key, r);
  }
  return [...byUser.values()];
}

function pullInfo(d: Json): PullInfo {
  const base = d.base as Json;
  const head = d.head as Json;
  const repo = base.repo as Json;
  return {
    repository: String(repo.full_name),
    repository_id: Number(repo.id),
    number: Number(d.number),
    author: String((d.user as Json).login),
    state: String(d.state),
    default_branch: String(repo.default_branch),
    base_ref: String(base.ref),
    base_sha: String(base.sha),
    head_ref: String(head.ref),
    head_sha: String(head.sha),
    changed_files: Number(d.changed_files ?? 0),
    commits: Number(d.commits ?? 0),
  };
}

function splitTeam(team: string): [string, string] {
  const i = team.indexOf('/');
  if (i <= 0) throw new GateError('E_CONFIG', `team ${JSON.stringify(team)} must be "org/team-slug"`);
  return [team.slice(0, i), team.slice(i + 1)];
}

/** The `rel="next"` URL of a Link header. */
export function nextLink(link: unknown): string | null {
  if (typeof link !== 'string') return null;
  const m = /<([^>]+)>;\s*rel="next"/.exec(link);
  return m ? m[1] : null;
}
