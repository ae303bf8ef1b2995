/**
 * A small world for the insider attacks against the running App (issue 10):
 * one repository with a policy on `main`, teams, people with real ssh-keygen
 * keys, and pull requests opened by an insider. Approvals are signed over the
 * statement the App itself publishes in its failing check run (the "How to
 * approve" block), so these tests do not depend on how the gatherer computes
 * artifacts: whatever the App will check is what gets signed.
 */
import type { CheckRunState } from './github-double.js';
import { completedRun, pullRequestEvent, reviewEvent, sshKey, sshSign, startApp, tempDir, type RunningApp, type SshKey } from './app-harness.js';

export const REPO = 'acme/models';
export const INSTALLATION = 31;

export interface GateWorld {
  app: RunningApp;
  keys: Record<string, SshKey>;
  dir: string;
  /** Opens PR `number` by `author` (default mallory) from a branch off main applying `changes`. */
  openPull(changes: Record<string, string | null>, author?: string): number;
  /** Delivers `pull_request.opened` and returns the check run it wrote on the head. */
  opened(number: number): Promise<CheckRunState>;
  /** `login` approves, signing (with `signer`'s key) the statement the App published for this head. */
  approve(number: number, login: string, opts?: { signer?: string }): Promise<CheckRunState>;
  stop(): Promise<void>;
}

/** The statement bytes for `login` from the App's own "How to approve" block on the head's latest check run. */
export function publishedStatement(run: CheckRunState, login: string, id: number): Buffer {
  const m = /```json\n(\{"approver":\{"id":0,"login":"YOUR-LOGIN"\}.*\})\n```/.exec(run.output.summary ?? '');
  if (!m) throw new Error(`the check run publishes no statement to sign:\n${run.output.summary}`);
  return Buffer.from(m[1].replace('{"approver":{"id":0,"login":"YOUR-LOGIN"}', `{"approver":${JSON.stringify({ id, login })}`), 'utf8');
}

/** What startGateWorld needs to know about the world it sets up. */
export interface GateWorldOptions {
  /** The policy text, or a function of the world's temporary directory (for an audit store inside it). */
  policy: string | ((dir: string) => string);
  files?: Record<string, string>;
  teams: Record<string, string[]>;
  people: string[];
  registerKeys?: boolean;
}

/**
 * Starts the App against the double with `policy` (and `files`) on main,
 * `teams` ("org/slug" → members), and an ed25519 key for each of `people`
 * registered as their GitHub signing key unless `registerKeys` is false.
 */
export async function startGateWorld(opts: GateWorldOptions): Promise<GateWorld> {
  const tmp = tempDir('mrg-attack-');
  const app = await startApp();
  const { gh } = app;
  gh.addRepo(REPO, { id: 8801 });
  gh.addInstallation('acme', INSTALLATION);
  for (const [team, members] of Object.entries(opts.teams)) {
    const [org, slug] = team.split('/');
    gh.setTeam(org, slug, members);
  }
  const keys: Record<string, SshKey> = {};
  for (const who of opts.people) {
    keys[who] = sshKey(tmp.dir, who);
    if (opts.registerKeys !== false) gh.addSigningKey(who, keys[who].publicLine);
  }
  const policy = typeof opts.policy === 'string' ? opts.policy : opts.policy(tmp.dir);
  gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': policy, 'README.md': '# models\n', ...opts.files } });
  let n = 0;

  const deliver = async (event: string, payload: Record<string, unknown>, number: number): Promise<CheckRunState> => {
    const on = gh.pull(REPO, number).head.sha;
    const since = gh.checkRuns.length;
    const res = await app.deliver(event, payload);
    if (![200, 202].includes(res.status)) throw new Error(`delivery answered ${res.status}: ${res.body}`);
    // The App writes an in_progress run first: wait for the completed one.
    return completedRun(app, on, since);
  };

  return {
    app,
    keys,
    dir: tmp.dir,
    openPull(changes, author = 'mallory') {
      const number = ++n;
      gh.commit(REPO, { branch: `pr-${number}`, parent: gh.repo(REPO).branches.get('main'), changes, author });
      gh.openPull(REPO, { number, author, base: 'main', head: `pr-${number}` });
      return number;
    },
    opened: (number) => deliver('pull_request', pullRequestEvent(gh, REPO, number, 'opened', INSTALLATION), number),
    async approve(number, login, o = {}) {
      const head = gh.pull(REPO, number).head.sha;
      const latest = gh.latestCheckRun(head);
      if (!latest) throw new Error('deliver pull_request.opened first: the statement comes from the check run');
      const statement = publishedStatement(latest, login, gh.user(login).id);
      const sig = sshSign(keys[o.signer ?? login], statement);
      gh.addReview(REPO, number, { login, state: 'APPROVED', body: `Approved.\n${statement.toString('utf8')}\n${sig}` });
      return deliver('pull_request_review', reviewEvent(gh, REPO, number, login, 'submitted', INSTALLATION), number);
    },
    async stop() {
      await app.stop();
      tmp.cleanup();
    },
  };
}

/**
 * A whole suite's world: started before its tests (then `setup` runs on it),
 * stopped after them, and the double's contract checked after each test. The
 * returned world is usable inside tests and hooks.
 */
export function gateWorldSuite(opts: GateWorldOptions, setup?: (w: GateWorld) => void): GateWorld {
  let world: GateWorld | undefined;
  const started = (): GateWorld => {
    if (!world) throw new Error('gateWorldSuite: the world is not running (use it inside a test or hook)');
    return world;
  };
  beforeAll(async () => {
    world = await startGateWorld(opts);
    setup?.(world);
  }, 60000);
  afterAll(() => world?.stop());
  afterEach(() => world?.app.gh.assertContract());
  return {
    get app() {
      return started().app;
    },
    get keys() {
      return started().keys;
    },
    get dir() {
      return started().dir;
    },
    openPull: (changes, author) => started().openPull(changes, author),
    opened: (number) => started().opened(number),
    approve: (number, login, o) => started().approve(number, login, o),
    stop: () => started().stop(),
  };
}
