/**
 * A local GitHub REST double: a real HTTP server on 127.0.0.1 (port 0) that
 * holds repository state and serves the REST endpoints the App and
 * `model-gate approve` use. GitHub itself cannot be reached from tests.
 *
 * Contract: every response it serves is validated against GitHub's published
 * OpenAPI description (`@octokit/openapi`, see github-double-contract.ts); a
 * response that does not validate fails the request with a 599 and is kept in
 * `contractErrors`, and `assertContract()` throws, so a test cannot pass on a
 * shape GitHub would never send. Response bodies start from the description's
 * own examples and are patched with the double's state.
 *
 * It records every request (`requests`) so tests can assert which were made
 * and count them. It serves both `/…` and `/api/v3/…` (GitHub Enterprise
 * Server's prefix, what Probot uses with GHE_HOST).
 *
 * This file is the core: the state, the server, routing, authentication and
 * the contract check. Each resource's routes and JSON live beside it, one
 * file each: github-double-pulls.ts, -reviews.ts, -checks.ts, -contents.ts,
 * -git.ts, -accounts.ts (users, keys, teams), -app.ts (installations,
 * webhook deliveries), -release-pulls.ts; github-double-deployments.ts is
 * installed by the tests that need it.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { exampleResponse, validateResponse } from './github-double-contract.js';
import { GitObjects } from './github-double-git.js';
import { AppDouble } from './github-double-app.js';
import { CheckRunsDouble } from './github-double-checks.js';
import { ReleasePullsDouble } from './github-double-release-pulls.js';
import { PullRequestsDouble } from './github-double-pulls.js';
import { ReviewsDouble } from './github-double-reviews.js';
import { AccountsDouble } from './github-double-accounts.js';
import { ContentsDouble } from './github-double-contents.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface UserState {
  login: string;
  id: number;
  type: 'User' | 'Bot';
  sshSigningKeys: Array<{ id: number; key: string; title: string; created_at: string }>;
  /** The public profile email (null: not public). */
  email?: string | null;
}

/** Git file modes GitHub's tree API reports (directories are `040000`). */
export type FileMode = '100644' | '100755' | '120000' | '160000';

/**
 * What a commit holds at a path: its bytes (text or binary), or an object
 * with a mode: a symbolic link (`120000`, content = the link's target), a
 * submodule (`160000`, content = the submodule commit's sha), an executable.
 */
export type FileChange = string | Buffer | { mode: FileMode; content: string | Buffer };

export interface CommitState {
  sha: string;
  parents: string[];
  /** Full tree: path → content (the bytes of a blob; a link's target; a submodule's commit sha). */
  tree: Map<string, string | Buffer>;
  /** Paths whose mode is not `100644` (absent: a regular file). */
  modes: Map<string, FileMode>;
  author: string;
  committer: string;
  message: string;
  /** The author's email (default: the login's noreply address). */
  authorEmail?: string;
  /** false: the author's email links to no account (the API's `author` is null). */
  linked?: boolean;
}

export interface DiffEntryState {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  previous_filename?: string;
}

export interface ReviewState {
  id: number;
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commit_id: string;
  body: string;
  submitted_at: string;
}

export interface PullState {
  number: number;
  id: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  author: string;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  /** Commits of the PR, oldest first. */
  commits: string[];
  /** Overrides the diff computed from the trees (e.g. a 3,000-file PR). */
  files?: DiffEntryState[];
  reviews: ReviewState[];
  /** Set once merged (github-double-deployments.ts `mergePull`). */
  merged_at?: string | null;
  merge_commit_sha?: string | null;
}

export interface CheckRunState {
  id: number;
  repo: string;
  head_sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  started_at: string;
  completed_at: string | null;
  external_id: string;
  details_url: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  actions: Array<{ label: string; description: string; identifier: string }>;
  app_id: number;
}

export interface RepoState {
  owner: string;
  name: string;
  id: number;
  private: boolean;
  default_branch: string;
  branches: Map<string, string>;
  commits: Map<string, CommitState>;
  pulls: Map<number, PullState>;
}

export interface RecordedRequest {
  method: string;
  /** Path without the `/api/v3` prefix and without the query. */
  path: string;
  query: Record<string, string>;
  /** The OpenAPI path template it matched, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`. */
  route: string | null;
  status: number;
  /** Who asked: `app`, `installation:<id>`, `user:<login>` or `anonymous`. */
  auth: string;
  body?: unknown;
}

export interface GitHubDoubleOptions {
  /** The App's id and public key: app JWTs are verified like GitHub does. */
  app?: { id: number; publicKey: KeyObject | string; slug?: string };
  /**
   * Validate responses against GitHub's OpenAPI description (default true).
   * Only the benchmark turns it off, to measure the App and not the referee.
   */
  validate?: boolean;
}

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  handler: (ctx: RequestContext) => Promise<Reply> | Reply;
  /** Endpoints anyone may call (public data). */
  public?: boolean;
}

export interface RequestContext {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Json;
  auth: string;
  baseUrl: string;
  path: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** GitHub's timestamp form (seconds, Z). */
export const ISO = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A deterministic fake git sha (40 hex) for a label. */
export function fakeSha(label: string): string {
  return createHash('sha1').update(label).digest('hex');
}

export class GitHubDouble {
  readonly users = new Map<string, UserState>();
  readonly repos = new Map<string, RepoState>();
  /** "org/slug" → team. */
  readonly teams = new Map<string, { id: number; org: string; slug: string; name: string; members: string[] }>();
  readonly installations = new Map<number, { id: number; account: string }>();
  readonly checkRuns: CheckRunState[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Responses that did not match GitHub's OpenAPI description. */
  readonly contractErrors: string[] = [];
  /** user tokens (for the CLI): token → login. */
  readonly userTokens = new Map<string, string>();
  /**
   * Bare git repositories standing in for GitHub's git storage, by "owner/name":
   * a branch pushed there with real git becomes known to the double when a
   * pull request names it (the Action's open-pr mode pushes with git, then
   * calls the REST API).
   */
  readonly gitRemotes = new Map<string, string>();
  /** Per-request hook for fault injection: return a Reply to answer instead. */
  intercept: ((req: RecordedRequest) => Reply | undefined) | null = null;
  /** Emits `completed` (a CheckRunState) whenever a check run is written completed (benchmarks wait on it). */
  readonly events = new EventEmitter();
  /** Per-request delay in ms before answering (a slow GitHub), or null. */
  latency: ((req: RecordedRequest) => number) | null = null;

  private readonly server: Server;
  private readonly routes: Route[] = [];
  private readonly installationTokens = new Map<string, number>();
  private nextId = 1000;
  private readonly appKey: Promise<KeyObject> | null;
  /** The App's id and slug as check runs show them. */
  appId: number | null;
  appSlug: string;
  private readonly validate: boolean;
  /** The Git Data API: trees with modes, blobs (github-double-git.ts). */
  readonly git: GitObjects;
  /** Installations and the App's webhook deliveries (github-double-app.ts). */
  readonly hooks: AppDouble;
  /** Check runs: create, complete, list per commit (github-double-checks.ts). */
  readonly checks: CheckRunsDouble;
  /** The repository and the pull request list, create and edit the Action's open-pr uses (github-double-release-pulls.ts). */
  readonly releasePulls: ReleasePullsDouble;
  /** A pull request, its files and commits, a commit's pull requests, compare (github-double-pulls.ts). */
  readonly pullRequests: PullRequestsDouble;
  /** Pull request reviews: list and submit (github-double-reviews.ts). */
  readonly reviews: ReviewsDouble;
  /** Users, their SSH signing keys, teams and memberships (github-double-accounts.ts). */
  readonly accounts: AccountsDouble;
  /** Repository contents and branch refs (github-double-contents.ts). */
  readonly contents: ContentsDouble;
  url = '';

  private constructor(options: GitHubDoubleOptions) {
    this.appId = options.app?.id ?? null;
    this.appSlug = options.app?.slug ?? 'model-release-gate';
    this.validate = options.validate ?? true;
    this.appKey = options.app ? Promise.resolve(toKey(options.app.publicKey)) : null;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.defineRoutes();
    this.pullRequests = new PullRequestsDouble(this);
    this.reviews = new ReviewsDouble(this);
    this.accounts = new AccountsDouble(this);
    this.contents = new ContentsDouble(this);
    this.git = new GitObjects(this);
    this.hooks = new AppDouble(this);
    this.checks = new CheckRunsDouble(this);
    this.releasePulls = new ReleasePullsDouble(this);
  }

  /** The App's id (as the installations list shows it). */
  get appIdOrDefault(): number {
    return this.appId ?? 4242;
  }

  /** Starts the double on 127.0.0.1 with a random port. */
  static async start(options: GitHubDoubleOptions = {}): Promise<GitHubDouble> {
    const d = new GitHubDouble(options);
    await new Promise<void>((resolve) => d.server.listen(0, '127.0.0.1', resolve));
    d.url = `http://127.0.0.1:${(d.server.address() as AddressInfo).port}`;
    return d;
  }

  /** The REST base URL with GitHub Enterprise Server's prefix. */
  get apiUrl(): string {
    return `${this.url}/api/v3`;
  }

  /** `host:port`, for Probot's GHE_HOST (with GHE_PROTOCOL=http). */
  get host(): string {
    return this.url.replace(/^http:\/\//, '');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Throws when any response broke GitHub's contract. */
  assertContract(): void {
    if (this.contractErrors.length > 0) {
      throw new Error(`GitHub double broke the contract:\n${this.contractErrors.join('\n')}`);
    }
  }

  id(): number {
    return this.nextId++;
  }

  // ---- state -------------------------------------------------------------

  addUser(login: string, opts: { id?: number; type?: 'User' | 'Bot' } = {}): UserState {
    const u: UserState = { login, id: opts.id ?? this.id(), type: opts.type ?? 'User', sshSigningKeys: [] };
    this.users.set(login, u);
    return u;
  }

  user(login: string): UserState {
    return this.users.get(login) ?? this.addUser(login);
  }

  addSigningKey(login: string, key: string, title = 'signing key'): void {
    this.user(login).sshSigningKeys.push({ id: this.id(), key: key.trim(), title, created_at: ISO() });
  }

  /** A token the CLI can use as GITHUB_TOKEN, acting as `login`. */
  userToken(login: string): string {
    this.user(login);
    const token = `ghp_${randomBytes(18).toString('hex')}`;
    this.userTokens.set(token, login);
    return token;
  }

  setTeam(org: string, slug: string, members: string[]): void {
    const key = `${org}/${slug}`;
    const existing = this.teams.get(key);
    members.forEach((m) => this.user(m));
    if (existing) existing.members = [...members];
    else this.teams.set(key, { id: this.id(), org, slug, name: slug, members: [...members] });
  }

  addInstallation(account: string, id = this.id()): number {
    this.installations.set(id, { id, account });
    return id;
  }

  addRepo(fullName: string, opts: { id?: number; defaultBranch?: string; private?: boolean } = {}): RepoState {
    const [owner, name] = fullName.split('/');
    this.user(owner);
    const r: RepoState = {
      owner,
      name,
      id: opts.id ?? this.id(),
      private: opts.private ?? true,
      default_branch: opts.defaultBranch ?? 'main',
      branches: new Map(),
      commits: new Map(),
      pulls: new Map(),
    };
    this.repos.set(fullName, r);
    return r;
  }

  repo(fullName: string): RepoState {
    const r = this.repos.get(fullName);
    if (!r) throw new Error(`double: no repository ${fullName}`);
    return r;
  }

  /**
   * Adds a commit whose tree is its parent's tree with `changes` applied
   * (content, or null to delete). Moves `branch` to it when given.
   */
  commit(
    fullName: string,
    opts: {
      parent?: string | null;
      changes: Record<string, FileChange | null>;
      author?: string;
      committer?: string;
      message?: string;
      branch?: string;
      sha?: string;
      /** More parents after the first (a merge commit). */
      extraParents?: string[];
      authorEmail?: string;
      linked?: boolean;
    },
  ): string {
    const r = this.repo(fullName);
    const parentSha = opts.parent === undefined ? (opts.branch ? r.branches.get(opts.branch) : undefined) : opts.parent;
    const parent = parentSha ? r.commits.get(parentSha) : undefined;
    if (parentSha && !parent) throw new Error(`double: no commit ${parentSha}`);
    const tree = new Map(parent?.tree ?? []);
    const modes = new Map(parent?.modes ?? []);
    for (const [p, c] of Object.entries(opts.changes)) {
      modes.delete(p);
      if (c === null) tree.delete(p);
      else if (typeof c === 'string' || Buffer.isBuffer(c)) tree.set(p, c);
      else {
        tree.set(p, c.content);
        if (c.mode !== '100644') modes.set(p, c.mode);
      }
    }
    const sha = opts.sha ?? fakeSha(`${fullName}:${parentSha ?? ''}:${this.id()}`);
    const author = opts.author ?? r.owner;
    this.user(author);
    const committer = opts.committer ?? author;
    this.user(committer);
    r.commits.set(sha, {
      sha,
      parents: [...(parentSha ? [parentSha] : []), ...(opts.extraParents ?? [])],
      tree,
      modes,
      ...(opts.authorEmail ? { authorEmail: opts.authorEmail } : {}),
      ...(opts.linked === false ? { linked: false } : {}),
      author,
      committer,
      message: opts.message ?? 'change',
    });
    if (opts.branch) r.branches.set(opts.branch, sha);
    return sha;
  }

  /** Opens a pull request from `head` branch into `base` branch (both must exist). */
  openPull(
    fullName: string,
    opts: { number?: number; author: string; base: string; head: string; title?: string; commits?: string[] },
  ): PullState {
    const r = this.repo(fullName);
    const baseSha = r.branches.get(opts.base);
    const headSha = r.branches.get(opts.head);
    if (!baseSha || !headSha) throw new Error('double: base and head branches must exist');
    const number = opts.number ?? r.pulls.size + 1;
    const p: PullState = {
      number,
      id: this.id(),
      title: opts.title ?? `PR ${number}`,
      body: '',
      state: 'open',
      author: opts.author,
      base: { ref: opts.base, sha: baseSha },
      head: { ref: opts.head, sha: headSha },
      commits: opts.commits ?? this.commitsBetween(r, baseSha, headSha),
      reviews: [],
    };
    this.user(opts.author);
    r.pulls.set(number, p);
    return p;
  }

  /** Pushes a commit onto a PR's head branch (a `synchronize`). Returns the new head sha. */
  pushToPull(
    fullName: string,
    number: number,
    changes: Record<string, FileChange | null>,
    author?: string,
  ): string {
    const r = this.repo(fullName);
    const p = this.pull(fullName, number);
    const sha = this.commit(fullName, { parent: p.head.sha, changes, author: author ?? p.author, branch: p.head.ref });
    p.head.sha = sha;
    p.commits.push(sha);
    void r;
    return sha;
  }

  pull(fullName: string, number: number): PullState {
    const p = this.repo(fullName).pulls.get(number);
    if (!p) throw new Error(`double: no pull ${fullName}#${number}`);
    return p;
  }

  /** Adds a review (github-double-reviews.ts). */
  addReview(fullName: string, number: number, r: { login: string; state: ReviewState['state']; body?: string; commit_id?: string }): ReviewState {
    return this.reviews.add(fullName, number, r);
  }

  /** The check runs on a sha, oldest first. */
  checkRunsFor(headSha: string, name?: string): CheckRunState[] {
    return this.checkRuns.filter((c) => c.head_sha === headSha && (!name || c.name === name));
  }

  /** The latest check run on a sha with that name, or undefined. */
  latestCheckRun(headSha: string, name = 'model-release-gate'): CheckRunState | undefined {
    const runs = this.checkRunsFor(headSha, name);
    return runs[runs.length - 1];
  }

  /** Requests matching a route template (and method), for counting. */
  requestsTo(route: string, method = 'GET'): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route && r.method === method);
  }

  /** Commits reachable from head and not from base, oldest first (first parents). */
  commitsBetween(r: RepoState, baseSha: string, headSha: string): string[] {
    const out: string[] = [];
    const baseAncestors = this.ancestors(r, baseSha);
    let cur: string | undefined = headSha;
    while (cur && !baseAncestors.has(cur)) {
      out.unshift(cur);
      cur = r.commits.get(cur)?.parents[0];
    }
    return out;
  }

  /** Every commit reachable from sha (itself included). */
  ancestors(r: RepoState, sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length) {
      const s = stack.pop() as string;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(r.commits.get(s)?.parents ?? []));
    }
    return seen;
  }

  /** A commit by sha or branch name (default: the default branch). */
  resolveRef(r: RepoState, ref: string | undefined): CommitState | undefined {
    const name = ref ?? r.default_branch;
    const sha = r.commits.has(name) ? name : r.branches.get(name.replace(/^refs\/heads\//, ''));
    return sha ? r.commits.get(sha) : undefined;
  }


  // ---- routes ------------------------------------------------------------

  /** Adds a route (other helpers' route tables, e.g. github-double-deployments.ts, use it too). */
  route(method: string, template: string, handler: Route['handler'], isPublic = false): void {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, n: string) => {
      names.push(n);
      // {path} and {basehead} may hold slashes; the rest are one segment.
      return n === 'path' ? '(.+)' : '([^/]+)';
    });
    this.routes.push({ method, template, regex: new RegExp(`^${source}$`), names, handler, public: isPublic });
  }

  /** The repository a request names, or its 404 (route tables of other files use it too). */
  repoOf(ctx: RequestContext): RepoState | Reply {
    const r = this.repos.get(`${ctx.params.owner}/${ctx.params.repo}`);
    return r ?? notFound();
  }

  /** The pull request a request names, or its 404. */
  pullOf(ctx: RequestContext): { r: RepoState; p: PullState } | Reply {
    const r = this.repoOf(ctx);
    if ('status' in r) return r;
    const p = r.pulls.get(Number(ctx.params.pull_number));
    return p ? { r, p } : notFound();
  }

  private defineRoutes(): void {
    this.route('POST', '/app/installations/{installation_id}/access_tokens', (ctx) => {
      if (ctx.auth !== 'app') return unauthorized('A JSON web token could not be decoded');
      const inst = this.installations.get(Number(ctx.params.installation_id));
      if (!inst) return notFound();
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      this.installationTokens.set(token, inst.id);
      const j = exampleResponse('/app/installations/{installation_id}/access_tokens', 'post', 201) as Json;
      j.token = token;
      j.expires_at = ISO(new Date(Date.now() + 3600_000));
      j.permissions = { checks: 'write', pull_requests: 'read', contents: 'read', members: 'read' };
      j.repository_selection = 'all';
      delete j.repositories;
      return { status: 201, body: j };
    });

  }

  // ---- HTTP --------------------------------------------------------------

  private async authOf(req: IncomingMessage): Promise<string> {
    const h = req.headers.authorization;
    if (!h) return 'anonymous';
    const [scheme, token] = h.split(/\s+/, 2);
    if (/^bearer$/i.test(scheme) && token.split('.').length === 3 && this.appKey) {
      try {
        const { payload } = await jwtVerify(token, await this.appKey, { algorithms: ['RS256'] });
        if (String(payload.iss) === String(this.appId)) return 'app';
      } catch {
        return 'invalid';
      }
      return 'invalid';
    }
    const inst = this.installationTokens.get(token ?? '');
    if (inst !== undefined) return `installation:${inst}`;
    const login = this.userTokens.get(token ?? '');
    if (login) return `user:${login}`;
    return 'invalid';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', this.url);
    const prefix = u.pathname.startsWith('/api/v3/') ? '/api/v3' : '';
    const path = u.pathname.slice(prefix.length);
    const query = Object.fromEntries(u.searchParams);
    const method = (req.method ?? 'GET').toUpperCase();
    const auth = await this.authOf(req);
    let body: Json = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Json;
      } catch {
        body = {};
      }
    }
    const rec: RecordedRequest = { method, path, query, route: null, status: 0, auth, body: raw ? body : undefined };
    this.requests.push(rec);

    let reply: Reply;
    let match: { route: Route; params: Record<string, string> } | null = null;
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (m) {
        match = { route, params: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
        break;
      }
    }
    if (match) rec.route = match.route.template;
    const wait = this.latency?.(rec) ?? 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const injected = this.intercept?.(rec);
    if (injected) {
      reply = injected;
    } else if (!match) {
      reply = notFound();
    } else if (!match.route.public && (auth === 'anonymous' || auth === 'invalid')) {
      reply = unauthorized(auth === 'invalid' ? 'Bad credentials' : 'Requires authentication');
    } else {
      try {
        reply = await match.route.handler({
          params: match.params,
          query,
          body,
          auth,
          baseUrl: `${this.url}${prefix}`,
          path,
        });
      } catch (e) {
        this.contractErrors.push(`${method} ${path}: double failed: ${(e as Error).stack}`);
        reply = { status: 500, body: basicError(String(e)) };
      }
    }

    // The contract: the response must match GitHub's description for the route.
    if (match && this.validate) {
      try {
        validateAgainstContract(match.route.template, method, reply);
      } catch (e) {
        this.contractErrors.push((e as Error).message);
        reply = { status: 599, body: { message: (e as Error).message } };
      }
    }
    rec.status = reply.status;
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      'x-github-request-id': randomBytes(8).toString('hex'),
      ...(reply.headers ?? {}),
    });
    res.end(text);
  }
}

function validateAgainstContract(template: string, method: string, reply: Reply): void {
  try {
    validateResponse(template, method, reply.status, reply.body);
  } catch (e) {
    // Error statuses GitHub sends but this operation does not declare (e.g. a
    // 404 on a team that does not exist) still carry GitHub's basic error shape.
    // Same for a declared error status without a documented body.
    if (reply.status >= 400 && /is not in GitHub's OpenAPI description|declares no JSON body/.test((e as Error).message)) {
      validateResponse('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', 404, reply.body);
      return;
    }
    throw e;
  }
}

export function pageOf(ctx: RequestContext, total: number): { start: number; end: number; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.per_page ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.page ?? 1) || 1);
  const last = Math.max(1, Math.ceil(total / perPage));
  const start = (page - 1) * perPage;
  const links: string[] = [];
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams({ ...ctx.query, per_page: String(perPage), page: String(p) });
    links.push(`<${ctx.baseUrl}${ctx.path}?${q}>; rel="${rel}"`);
  };
  if (page < last) {
    link(page + 1, 'next');
    link(last, 'last');
  }
  if (page > 1) {
    link(1, 'first');
    link(page - 1, 'prev');
  }
  return { start, end: start + perPage, headers: links.length ? { link: links.join(', ') } : {} };
}

/** One page of a list; `render` builds the JSON of the items on that page only. */
export function paginate<T>(ctx: RequestContext, items: T[], render: (item: T, index: number) => unknown = (x) => x): Reply {
  const p = pageOf(ctx, items.length);
  return { status: 200, body: items.slice(p.start, p.end).map((x, i) => render(x, p.start + i)), headers: p.headers };
}

export function basicError(message: string): Json {
  return { message, documentation_url: 'https://docs.github.com/rest' };
}

export function notFound(): Reply {
  return { status: 404, body: basicError('Not Found') };
}

export function unauthorized(message: string): Reply {
  return { status: 401, body: basicError(message) };
}

export function validationFailed(message: string): Json {
  return { message: 'Validation Failed', errors: [message], documentation_url: 'https://docs.github.com/rest' };
}

/** Git's blob id: SHA-1 over `blob <size>\0` and the bytes. */
export function gitBlobSha(buf: Buffer): string {
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

/** The bytes of a tree entry's content. */
export function bytesOf(v: string | Buffer): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
}

/** The diff of two commits' trees as GitHub lists it (sorted by path): bytes or mode changed. */
export function diffCommits(base: CommitState | undefined, head: CommitState | undefined): DiffEntryState[] {
  const out: DiffEntryState[] = [];
  const bt = base?.tree ?? new Map<string, string | Buffer>();
  const ht = head?.tree ?? new Map<string, string | Buffer>();
  const paths = new Set([...bt.keys(), ...ht.keys()]);
  for (const p of [...paths].sort()) {
    const b = bt.get(p);
    const h = ht.get(p);
    if (b !== undefined && h !== undefined && bytesOf(b).equals(bytesOf(h)) && base?.modes.get(p) === head?.modes.get(p)) continue;
    out.push({ filename: p, status: b === undefined ? 'added' : h === undefined ? 'removed' : 'modified' });
  }
  return out;
}

async function toKey(k: KeyObject | string): Promise<KeyObject> {
  const { createPublicKey } = await import('node:crypto');
  return typeof k === 'string' ? createPublicKey(k) : k;
}
