/**
 * Release scenarios against the running App (app-harness.ts): a repository
 * with a policy, release pull requests carrying a model and its
 * metadata.json, approval statements computed here independently of the App
 * (from the bytes the test put in the commit, or from whatever an attacker
 * chooses to sign), real ssh-keygen signatures, and deliveries that wait for
 * the App's *completed* check run (the App writes an `in_progress` run first).
 */
import { createHash } from 'node:crypto';
import { buildStatement, statementBytes } from '../../src/approval/statement.js';
import type { ArtifactFact } from '../../src/approval/types.js';
import type { Digest } from '../../src/core/digest.js';
import type { CheckRunState, FileChange } from './github-double.js';
import { appSuite, completedRun, pullRequestEvent, reviewEvent, sshKey, sshSign, type RunningApp, type SshKey } from './app-harness.js';

export { completedRun };

export const sha256 = (b: string | Buffer): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest;

export interface ReleasePull {
  number: number;
  head: string;
  modelPath: string;
  metaPath: string;
  /** SHA-256 of the model bytes in the commit. */
  model: Digest;
  /** The metadata.json bytes and their SHA-256. */
  meta: Buffer;
  metaDigest: Digest;
}

/** One repository under the App with its policy on `main`, and the people who approve. */
export class Scenario {
  readonly keys: Record<string, SshKey> = {};

  constructor(
    readonly app: RunningApp,
    readonly repo: string,
    readonly installation: number,
    readonly dir: string,
  ) {}

  /** Creates the repository, its policy on main, teams ml (alice, carol) and risk (bob), signing keys. */
  static create(app: RunningApp, opts: { repo: string; installation: number; dir: string; policy: string; extra?: Record<string, FileChange> }): Scenario {
    const s = new Scenario(app, opts.repo, opts.installation, opts.dir);
    const { gh } = app;
    gh.addRepo(opts.repo);
    if (!gh.installations.has(opts.installation)) gh.addInstallation(opts.repo.split('/')[0], opts.installation);
    gh.setTeam('acme', 'ml', ['alice', 'carol', 'dave']);
    gh.setTeam('acme', 'risk', ['bob']);
    for (const who of ['alice', 'bob', 'carol', 'dave', 'mallory']) {
      s.keys[who] = sshKey(opts.dir, `${opts.repo.replace('/', '-')}-${who}`);
      gh.addSigningKey(who, s.keys[who].publicLine);
    }
    gh.commit(opts.repo, { branch: 'main', changes: { '.github/model-release-gate.yml': opts.policy, 'README.md': '# models\n', ...(opts.extra ?? {}) } });
    return s;
  }

  /**
   * A release PR from a new branch (or `head`) into `base` (default main):
   * `models/<name>/model.onnx` and the metadata.json beside it, whose model
   * digest is `claimed` (default: the true SHA-256 of the bytes).
   */
  openRelease(
    opts: {
      base?: string;
      head?: string;
      /** The branch the head branch starts from (default: base). */
      from?: string;
      author?: string;
      name?: string;
      weights?: string | Buffer;
      model?: FileChange;
      claimed?: Digest;
      meta?: Buffer;
      extra?: Record<string, FileChange | null>;
      number?: number;
      /** The commit's message (trailers such as Co-authored-by). */
      message?: string;
      /** The commit's author email, and whether it links to an account. */
      authorEmail?: string;
      linked?: boolean;
    } = {},
  ): ReleasePull {
    const { gh } = this.app;
    const number = opts.number ?? gh.repo(this.repo).pulls.size + 1;
    const name = opts.name ?? `fraud-${number}`;
    const weights = opts.weights ?? `weights of release ${number}`;
    const modelPath = `models/${name}/model.onnx`;
    const metaPath = `models/${name}/metadata.json`;
    const meta = opts.meta ?? Buffer.from(JSON.stringify({ model: { path: 'model.onnx', digest: opts.claimed ?? sha256(weights) } }));
    const head = opts.head ?? `release-${number}`;
    const base = opts.base ?? 'main';
    const r = gh.repo(this.repo);
    if (!r.branches.has(head)) {
      gh.commit(this.repo, {
        branch: head,
        parent: r.branches.get(opts.from ?? base),
        author: opts.author ?? 'carol',
        changes: { [modelPath]: opts.model ?? weights, [metaPath]: meta, ...(opts.extra ?? {}) },
        ...(opts.message ? { message: opts.message } : {}),
        ...(opts.authorEmail ? { authorEmail: opts.authorEmail } : {}),
        ...(opts.linked === false ? { linked: false } : {}),
      });
    }
    const p = gh.openPull(this.repo, { number, author: opts.author ?? 'carol', base, head });
    return { number, head: p.head.sha, modelPath, metaPath, model: sha256(weights), meta, metaDigest: sha256(meta) };
  }

  /** The statement `login` signs for PR `number`, naming `artifacts` (default: the PR's true bytes). */
  statement(number: number, login: string, opts: { artifacts?: ArtifactFact[]; lineage?: Digest | null; release?: ReleasePull; role?: string } = {}): Buffer {
    const { gh } = this.app;
    const p = gh.pull(this.repo, number);
    const rel = opts.release;
    return statementBytes(
      buildStatement(
        {
          repository: this.repo,
          repository_id: gh.repo(this.repo).id,
          pull_request: number,
          base_sha: p.base.sha,
          head_sha: p.head.sha,
          artifacts: opts.artifacts ?? (rel ? [{ path: rel.modelPath, digest: rel.model }] : []),
          lineage_digest: opts.lineage !== undefined ? opts.lineage : (rel?.metaDigest ?? null),
        },
        { login, id: gh.user(login).id },
        opts.role,
      ),
    );
  }

  /** Adds `login`'s signed approving review of the PR's head over `statement` (no delivery). */
  approve(number: number, login: string, statement: Buffer, signer = login): void {
    this.app.gh.addReview(this.repo, number, {
      login,
      state: 'APPROVED',
      body: `Approved for release.\n${statement.toString('utf8')}\n${sshSign(this.keys[signer], statement)}`,
    });
  }

  /** Delivers an event and returns the completed check run the App wrote on `sha` (default: the PR's head). */
  async deliver(event: string, payload: Record<string, unknown>, sha: string): Promise<CheckRunState> {
    const since = this.app.gh.checkRuns.length;
    const res = await this.app.deliver(event, payload);
    if (res.status < 200 || res.status >= 300) throw new Error(`delivery answered ${res.status}: ${res.body}`);
    return completedRun(this.app, sha, since);
  }

  /** `pull_request.<action>` for PR `number`, and the completed run on its head. */
  evaluate(number: number, action = 'opened'): Promise<CheckRunState> {
    const { gh } = this.app;
    return this.deliver('pull_request', pullRequestEvent(gh, this.repo, number, action, this.installation), gh.pull(this.repo, number).head.sha);
  }

  /** `pull_request_review.submitted` for `login`'s latest review. */
  reviewed(number: number, login: string): Promise<CheckRunState> {
    const { gh } = this.app;
    return this.deliver('pull_request_review', reviewEvent(gh, this.repo, number, login, 'submitted', this.installation), gh.pull(this.repo, number).head.sha);
  }
}

/**
 * A whole test file's App and scenario: the App started before the tests on
 * one repository (its policy committed), stopped and its directory removed
 * after them, and the double's contract checked after each test.
 */
export function scenarioSuite(opts: { repo: string; installation: number; policy: string; tmpPrefix: string }): { readonly app: RunningApp; readonly s: Scenario } {
  const suite = appSuite({ tmpPrefix: opts.tmpPrefix });
  let s: Scenario | undefined;
  beforeAll(() => {
    s = Scenario.create(suite.app, { repo: opts.repo, installation: opts.installation, dir: suite.dir, policy: opts.policy });
  });
  return {
    get app() {
      return suite.app;
    },
    get s() {
      if (!s) throw new Error('scenarioSuite: read .s inside a test or hook');
      return s;
    },
  };
}
