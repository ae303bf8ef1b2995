/**
 * End-to-end harness for the App: the real server (`node lib/src/app/server.js`)
 * as a separate process, pointed at the GitHub double through Probot's
 * GHE_HOST/GHE_PROTOCOL; webhook deliveries POSTed over HTTP and signed with
 * the webhook secret (`@octokit/webhooks-methods`), payloads taken from
 * `@octokit/webhooks-examples` and adapted; real `ssh-keygen` keys and
 * signatures.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { GitHubDouble, type CheckRunState, type PullState } from './github-double.js';
import { warmContract } from './github-double-contract.js';
import { SERVER_JS, startAppProcess, type AppProcess } from './app-process.js';
import { tempDir as sharedTempDir } from './temp-dirs.js';
import { sshKeygen, sshSignWith } from './ssh-keys.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export { SERVER_JS };

export interface RunningApp {
  url: string;
  appId: number;
  secret: string;
  gh: GitHubDouble;
  /** JSON log lines the server wrote (the current process's). */
  logs: Json[];
  /**
   * Delivers an event the way GitHub does (github-double-app.ts: signed, the
   * attempt recorded, 10 s deadline); with `signature`, POSTs it directly
   * with that signature instead (a forged delivery).
   */
  deliver(event: string, payload: Json, opts?: { signature?: string }): Promise<{ status: number; body: string }>;
  /** The server process now running. */
  server(): AppProcess;
  /** SIGKILLs the server (a crash): GitHub's deliveries then fail to connect. */
  kill(): Promise<void>;
  /** Starts a new server process against the same GitHub state (after a kill). */
  restart(env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the double and the App server process pointed at it. */
export async function startApp(
  opts: { env?: Record<string, string>; validate?: boolean; nodeArgs?: string[] } = {},
): Promise<RunningApp> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appId = 4242;
  const gh = await GitHubDouble.start({ app: { id: appId, publicKey }, validate: opts.validate });
  // Parse GitHub's description now, not inside the first delivery.
  if (opts.validate !== false) warmContract();
  const secret = `secret-${randomUUID()}`;
  const launch = (env: Record<string, string> = {}) =>
    startAppProcess(gh, {
      appId,
      privateKey,
      secret,
      nodeArgs: opts.nodeArgs,
      // No rediscovery or recovery pass: these tests count GitHub requests
      // per delivery (the deployment rule's and recovery's tests turn them on).
      env: { MODEL_GATE_REDISCOVER_SECONDS: '0', MODEL_GATE_RECOVER_SECONDS: '0', ...opts.env, ...env },
    });
  let server = await launch();
  gh.hooks.secret = secret;
  gh.hooks.hookUrl = `${server.url}/api/github/webhooks`;
  const running: RunningApp = {
    url: server.url,
    appId,
    secret,
    gh,
    logs: server.logs,
    async deliver(event, payload, o = {}) {
      if (o.signature !== undefined) return server.deliver(event, payload, o);
      const d = await gh.hooks.deliver(event, payload);
      return { status: d.status_code, body: d.response ?? d.status };
    },
    server: () => server,
    async kill() {
      await server.kill();
    },
    async restart(env) {
      server = await launch(env);
      gh.hooks.hookUrl = `${server.url}/api/github/webhooks`;
      running.url = server.url;
      running.logs = server.logs;
    },
    async stop() {
      await server.stop();
      await Promise.allSettled([...gh.hooks.inFlight]);
      await gh.close();
    },
  };
  return running;
}

/**
 * Waits until `done()` holds. Probot answers 202 "still processing" when a
 * handler takes over 9 s (a loaded machine); the check run then comes later.
 */
export async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 25));
}

/**
 * Waits for a completed gate check run on `sha` created after `since` (an
 * index into gh.checkRuns; the App writes an `in_progress` run first and
 * completes it when the evaluation is done) and returns it.
 */
export async function completedRun(app: { gh: GitHubDouble }, sha: string, since: number): Promise<CheckRunState> {
  let run: CheckRunState | undefined;
  await until(() => {
    run = app.gh.checkRuns.slice(since).filter((c) => c.head_sha === sha && c.name === 'model-release-gate' && c.status === 'completed').pop();
    return run !== undefined;
  });
  return run!;
}

// ---- webhook payloads from @octokit/webhooks-examples ----------------------

const require = createRequire(import.meta.url);
const EXAMPLES = require('@octokit/webhooks-examples') as Array<{ name: string; examples: Json[] }>;

/** A deep copy of GitHub's example payload for an event and action. */
export function examplePayload(event: string, action: string): Json {
  const ex = EXAMPLES.find((e) => e.name === event)?.examples.find((x) => x.action === action);
  if (!ex) throw new Error(`no @octokit/webhooks-examples payload for ${event}.${action}`);
  return structuredClone(ex);
}

/** Adapts an example's repository, installation and sender to the double's state. */
function common(p: Json, gh: GitHubDouble, fullName: string, installationId: number, sender: string): Json {
  const r = gh.repo(fullName);
  Object.assign(p.repository, {
    id: r.id,
    name: r.name,
    full_name: fullName,
    private: r.private,
    default_branch: r.default_branch,
  });
  Object.assign(p.repository.owner, { login: r.owner, id: gh.user(r.owner).id });
  p.installation = { id: installationId, node_id: `I_${installationId}` };
  p.sender = { ...(p.sender ?? {}), login: sender, id: gh.user(sender).id, type: 'User' };
  return p;
}

function pullPayload(pr: Json, gh: GitHubDouble, fullName: string, p: PullState): void {
  const r = gh.repo(fullName);
  Object.assign(pr, {
    number: p.number,
    id: p.id,
    state: p.state,
    title: p.title,
    user: { ...(pr.user ?? {}), login: p.author, id: gh.user(p.author).id, type: 'User' },
  });
  for (const side of ['base', 'head'] as const) {
    Object.assign(pr[side], { ref: p[side].ref, sha: p[side].sha, label: `${r.owner}:${p[side].ref}` });
    if (pr[side].repo) {
      Object.assign(pr[side].repo, { id: r.id, name: r.name, full_name: fullName });
      pr[side].repo.owner = { ...(pr[side].repo.owner ?? {}), login: r.owner, id: gh.user(r.owner).id };
    }
  }
  if ('changed_files' in pr) {
    const files = p.files?.length;
    pr.changed_files = files ?? countDiff(gh, fullName, p);
    pr.commits = p.commits.length;
  }
}

function countDiff(gh: GitHubDouble, fullName: string, p: PullState): number {
  const r = gh.repo(fullName);
  const base = r.commits.get(p.base.sha)?.tree ?? new Map();
  const head = r.commits.get(p.head.sha)?.tree ?? new Map();
  let n = 0;
  for (const k of new Set([...base.keys(), ...head.keys()])) if (base.get(k) !== head.get(k)) n++;
  return n;
}

/** `pull_request.<action>` for a PR held by the double. */
export function pullRequestEvent(gh: GitHubDouble, fullName: string, number: number, action: string, installationId: number): Json {
  const p = gh.pull(fullName, number);
  const payload = examplePayload('pull_request', action === 'edited' ? 'opened' : action);
  payload.action = action;
  payload.number = number;
  pullPayload(payload.pull_request, gh, fullName, p);
  if (action === 'synchronize') {
    payload.before = p.commits[p.commits.length - 2] ?? p.base.sha;
    payload.after = p.head.sha;
  }
  return common(payload, gh, fullName, installationId, p.author);
}

/** `push` of `branch` from `before` to `after` (GitHub's example payload, adapted). */
export function pushEvent(gh: GitHubDouble, fullName: string, branch: string, before: string, after: string, installationId: number, pusher: string): Json {
  const ex = EXAMPLES.find((e) => e.name === 'push')?.examples[0];
  if (!ex) throw new Error('no push example');
  const payload = structuredClone(ex);
  Object.assign(payload, { ref: `refs/heads/${branch}`, before, after, created: false, deleted: false, forced: false, base_ref: null, commits: [], head_commit: null });
  return common(payload, gh, fullName, installationId, pusher);
}

/** `membership.<action>` of `login` in `org/slug` (an organization event: no repository). */
export function membershipEvent(gh: GitHubDouble, org: string, slug: string, login: string, action: 'added' | 'removed', installationId: number): Json {
  const payload = examplePayload('membership', action);
  const t = gh.teams.get(`${org}/${slug}`);
  payload.member = { ...payload.member, login, id: gh.user(login).id };
  payload.team = { ...payload.team, id: t?.id ?? 1, slug, name: slug };
  payload.organization = { ...payload.organization, login: org, id: gh.user(org).id };
  payload.installation = { id: installationId, node_id: `I_${installationId}` };
  payload.sender = { ...(payload.sender ?? {}), login: org, id: gh.user(org).id, type: 'User' };
  return payload;
}

/** `pull_request_review.<action>` for the latest review of `login` on a PR. */
export function reviewEvent(
  gh: GitHubDouble,
  fullName: string,
  number: number,
  login: string,
  action: 'submitted' | 'edited' | 'dismissed',
  installationId: number,
): Json {
  const p = gh.pull(fullName, number);
  const review = [...p.reviews].reverse().find((r) => r.login === login);
  if (!review) throw new Error(`no review by ${login}`);
  const payload = examplePayload('pull_request_review', 'submitted');
  payload.action = action;
  Object.assign(payload.review, {
    id: review.id,
    body: review.body,
    commit_id: review.commit_id,
    state: review.state.toLowerCase(),
    submitted_at: review.submitted_at,
    user: { ...payload.review.user, login, id: gh.user(login).id, type: 'User' },
  });
  pullPayload(payload.pull_request, gh, fullName, p);
  return common(payload, gh, fullName, installationId, login);
}

/** `check_run.rerequested` for the latest gate check run on a commit. */
export function rerunEvent(gh: GitHubDouble, fullName: string, number: number, installationId: number, appId: number): Json {
  const p = gh.pull(fullName, number);
  const payload = examplePayload('check_run', 'rerequested');
  const run = gh.latestCheckRun(p.head.sha);
  Object.assign(payload.check_run, {
    id: run?.id ?? 1,
    name: 'model-release-gate',
    head_sha: p.head.sha,
    status: 'completed',
    conclusion: run?.conclusion ?? 'failure',
  });
  payload.check_run.check_suite = { ...payload.check_run.check_suite, head_branch: p.head.ref, head_sha: p.head.sha };
  payload.check_run.app = { ...(payload.check_run.app ?? {}), id: appId };
  payload.check_run.pull_requests = [
    { url: '', id: p.id, number: p.number, head: { ref: p.head.ref, sha: p.head.sha, repo: { id: gh.repo(fullName).id, url: '', name: gh.repo(fullName).name } }, base: { ref: p.base.ref, sha: p.base.sha, repo: { id: gh.repo(fullName).id, url: '', name: gh.repo(fullName).name } } },
  ];
  return common(payload, gh, fullName, installationId, p.author);
}

/** `merge_group.checks_requested` for a group head made for PR `number`. */
export function mergeGroupEvent(
  gh: GitHubDouble,
  fullName: string,
  number: number,
  group: { head_sha: string; base_sha: string; base_ref: string },
  installationId: number,
): Json {
  const payload = examplePayload('merge_group', 'checks_requested');
  const p = gh.pull(fullName, number);
  payload.merge_group.head_sha = group.head_sha;
  payload.merge_group.head_ref = `refs/heads/gh-readonly-queue/${group.base_ref}/pr-${number}-${p.head.sha}`;
  payload.merge_group.base_sha = group.base_sha;
  payload.merge_group.base_ref = `refs/heads/${group.base_ref}`;
  payload.merge_group.head_commit.id = group.head_sha;
  return common(payload, gh, fullName, installationId, p.author);
}

// ---- real ssh-keygen -----------------------------------------------------

export interface SshKey {
  path: string;
  publicLine: string;
}

/** A test file's running App (see appSuite): read inside tests and hooks. */
export interface AppSuite {
  readonly app: RunningApp;
  /** The suite's own directory (policies, keys, audit stores), removed after the suite. */
  readonly dir: string;
}

/**
 * A whole test file's App: started before the tests (with `env`, or the env
 * `env()` resolves to), stopped and its directory removed after them, and the
 * double's contract checked after each test. A suite's own `beforeAll`,
 * declared after this call, runs once the App is up.
 */
export function appSuite(opts: { tmpPrefix?: string; env?: Record<string, string> | (() => Promise<Record<string, string>>) } = {}): AppSuite {
  const tmp = tempDir(opts.tmpPrefix);
  let app: RunningApp | undefined;
  beforeAll(async () => {
    app = await startApp({ env: typeof opts.env === 'function' ? await opts.env() : opts.env });
  }, 60000);
  afterAll(async () => {
    await app?.stop();
    tmp.cleanup();
  });
  afterEach(() => app?.gh.assertContract());
  return {
    get app(): RunningApp {
      if (!app) throw new Error('appSuite: the App is not running (read .app inside a test or hook)');
      return app;
    },
    dir: tmp.dir,
  };
}

/** A fresh directory for an App suite and its cleanup. */
export const tempDir = (prefix = 'mrg-app-'): { dir: string; cleanup: () => void } => sharedTempDir(prefix);

/** `ssh-keygen -t ed25519` into dir/name. */
export function sshKey(dir: string, name: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): SshKey {
  const path = join(dir, name);
  return { path, publicLine: sshKeygen(path, name, type) };
}

/** `ssh-keygen -Y sign -n model-release-gate@v1` over bytes; returns the armored signature. */
export function sshSign(key: SshKey, message: Buffer, namespace = 'model-release-gate@v1'): string {
  return sshSignWith(key.path, message, namespace);
}
