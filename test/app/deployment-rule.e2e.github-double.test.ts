/**
 * The deployment protection rule end to end: the App server as its own
 * process, `deployment_protection_rule.requested` deliveries over HTTP signed
 * with the webhook secret, a GitHub REST double validated by GitHub's OpenAPI
 * description (workflow runs waiting on environments, the rule's answers),
 * real ssh-keygen signatures, a real file audit store with signed
 * checkpoints, and the ServiceNow Change Management double.
 */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStatement, statementBytes } from '../../src/approval/statement.js';
import { appendRecord } from '../../src/audit/append.js';
import { appendAndCheckpoint } from '../../src/audit/append-checkpoint.js';
import { indexKey, subjectIndexName } from '../../src/audit/tlog/record-index.js';
import { generateCheckpointKeyPair, loadSigningKey } from '../../src/audit/checkpoint.js';
import { writeCheckpoint } from '../../src/audit/checkpoint-write.js';
import { openStore } from '../../src/audit/open-store.js';
import { modelReleaseRecord } from '../../src/audit/release-record.js';
import type { Digest } from '../../src/core/digest.js';
import { ServiceNowChangeManagement } from '../../src/deploy/servicenow.js';
import { sshKey, sshSign, tempDir, type SshKey } from '../helpers/app-harness.js';
import { startAppProcess, type AppProcess } from '../helpers/app-process.js';
import { GitHubDouble } from '../helpers/github-double.js';
import { warmContract } from '../helpers/github-double-contract.js';
import { DeploymentsDouble, mergePull, protectionRuleEvent, type RuleAnswer } from '../helpers/github-double-deployments.js';
import { ServiceNowDouble } from '../helpers/servicenow-double.js';
import { SignJWT } from 'jose';
import { runDeploymentRule } from '../../src/app/deployment-rule.js';
import { githubPullRequestSource } from '../../src/github/pull-request-source.js';
import type { GitHubRequester } from '../../src/github/requester.js';
import { serviceNowFromEnv } from '../../src/app/servicenow-env.js';
import { policyText } from '../helpers/policies.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const INSTALLATION = 41;
const APP_ID = 4343;
const sha256 = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}` as Digest;

describe('the deployment protection rule end to end, against GitHub and ServiceNow doubles checked against their published contracts', () => {
  const tmp = tempDir('mrg-deploy-');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const secret = `secret-${randomUUID()}`;
  let gh: GitHubDouble;
  let runs: DeploymentsDouble;
  let snow: ServiceNowDouble;
  let server: AppProcess;
  let checkpointPrivate: string;
  let checkpointPublic: string;
  const keys: Record<string, SshKey> = {};
  let repoCount = 0;

  const env = () => ({
    SERVICENOW_INSTANCE: snow.url,
    SERVICENOW_USERNAME: 'svc-model-gate',
    SERVICENOW_PASSWORD: 'correct horse',
    // Only the startup pass in these tests: each later pass is asked for explicitly by a restart.
    MODEL_GATE_REDISCOVER_SECONDS: '3600',
  });

  beforeAll(async () => {
    gh = await GitHubDouble.start({ app: { id: APP_ID, publicKey } });
    runs = new DeploymentsDouble(gh);
    snow = await ServiceNowDouble.start();
    gh.addInstallation('acme', INSTALLATION);
    gh.setTeam('acme', 'ml', ['alice', 'carol']);
    gh.setTeam('acme', 'risk', ['bob']);
    for (const who of ['alice', 'bob', 'carol']) {
      keys[who] = sshKey(tmp.dir, who);
      gh.addSigningKey(who, keys[who].publicLine);
    }
    const pair = await generateCheckpointKeyPair();
    checkpointPrivate = JSON.stringify(pair.privateJwk);
    checkpointPublic = JSON.stringify(pair.publicJwk);
    // Parse GitHub's description now: a slow first response would let the
    // startup rediscovery pass race the first test's delivery for the same run.
    warmContract();
    server = await startAppProcess(gh, { appId: APP_ID, privateKey, secret, env: env() });
    // The startup pass must be over before a test adds a waiting run, or both would decide it.
    await server.waitForLog((l) => l.msg === 'deployment rediscovery pass done');
  }, 60000);
  afterAll(async () => {
    await server?.stop();
    await gh?.close();
    await snow?.close();
    tmp.cleanup();
  });
  afterEach(() => gh.assertContract());

  /** A repository of its own (policy, audit store) per test, so tests cannot disturb each other. */
  function newRepo(opts: { changeRequest?: boolean } = {}) {
    const repo = `acme/models-${++repoCount}`;
    const auditDir = join(tmp.dir, `audit-${repoCount}`);
    const policy = policyText('developer-and-risk', `audit:
  store: file://${auditDir}
deployment:
  checkpoint_key: .github/audit-checkpoint.jwk
  environments:
    - name: production
      change_request: ${opts.changeRequest ?? true}
    - name: scratch
      release: false
  servicenow:
    correlation_id: "github:{repository}:pr:{pull_request}"
`);
    gh.addRepo(repo);
    gh.commit(repo, {
      branch: 'main',
      changes: { '.github/model-release-gate.yml': policy, '.github/audit-checkpoint.jwk': checkpointPublic, 'README.md': '# models\n' },
    });
    return { repo, auditDir };
  }

  /** A release PR by carol adding a model and its metadata.json. */
  function openRelease(repo: string, weights = `weights-${randomUUID()}`) {
    const model = sha256(weights);
    const meta = JSON.stringify({ model: { path: 'model.onnx', digest: model } });
    const number = gh.repo(repo).pulls.size + 1;
    gh.commit(repo, {
      branch: `release-${number}`,
      parent: gh.repo(repo).branches.get('main'),
      changes: { 'models/fraud/model.onnx': weights, 'models/fraud/metadata.json': meta },
      author: 'carol',
    });
    gh.openPull(repo, { number, author: 'carol', base: 'main', head: `release-${number}` });
    return { number, model, meta, metaDigest: sha256(meta) };
  }

  /** A signed approving review of the PR's current head (the statement computed here, independently of the App). */
  function approve(repo: string, number: number, login: string) {
    const p = gh.pull(repo, number);
    const tree = gh.repo(repo).commits.get(p.head.sha)!.tree;
    const meta = String(tree.get('models/fraud/metadata.json')!);
    const statement = statementBytes(
      buildStatement(
        {
          repository: repo,
          repository_id: gh.repo(repo).id,
          pull_request: number,
          base_sha: p.base.sha,
          head_sha: p.head.sha,
          artifacts: [{ path: 'models/fraud/model.onnx', digest: JSON.parse(meta).model.digest }],
          lineage_digest: sha256(meta),
        },
        { login, id: gh.user(login).id },
      ),
    );
    gh.addReview(repo, number, { login, state: 'APPROVED', body: `Approved.\n${statement.toString('utf8')}\n${sshSign(keys[login], statement)}` });
  }

  /** What the release workflow does: the MODEL_RELEASE record, then a signed checkpoint. */
  async function recordRelease(repo: string, auditDir: string, model: Digest, metaDigest: Digest) {
    const store = await openStore(`file://${auditDir}`, { env: {} });
    await appendRecord(
      [store],
      modelReleaseRecord(
        {
          modelPath: 'models/fraud/model.onnx',
          modelDigest: model,
          metadataPath: 'models/fraud/metadata.json',
          metadataDigest: metaDigest,
          reproducibilityDigest: sha256('repro'),
          datasets: [],
        },
        { repository: repo, actor: 'release-bot', component: 'action' },
      ),
    );
    await writeCheckpoint(store, await loadSigningKey(checkpointPrivate, 'test key'));
  }

  /** What the Action's release mode does: the record, its tiles, the signed checkpoints (JWS and note) and the record index. */
  async function recordReleaseAsAction(repo: string, auditDir: string, model: Digest, metaDigest: Digest) {
    const store = await openStore(`file://${auditDir}`, { env: {} });
    const input = modelReleaseRecord(
      { modelPath: 'models/fraud/model.onnx', modelDigest: model, metadataPath: 'models/fraud/metadata.json', metadataDigest: metaDigest, reproducibilityDigest: sha256('repro'), datasets: [] },
      { repository: repo, actor: 'release-bot', component: 'action' },
    );
    const { records: [r] } = await appendAndCheckpoint([store], [input], { signingKey: await loadSigningKey(checkpointPrivate, 'test key') });
    return r.seq;
  }

  async function openChange(repo: string, number: number): Promise<string> {
    const cm = new ServiceNowChangeManagement({ instance: snow.url, auth: { username: 'svc-model-gate', password: 'correct horse' } });
    const c = await cm.openChange({ short_description: `Release ${repo}#${number}`, correlation_id: `github:${repo}:pr:${number}` });
    return c.number;
  }

  /** A repository of its own with a release pull request that alice and bob approved. */
  function approvedRelease(opts: { changeRequest?: boolean } = {}) {
    const { repo, auditDir } = newRepo(opts);
    const r = openRelease(repo);
    approve(repo, r.number, 'alice');
    approve(repo, r.number, 'bob');
    return { repo, auditDir, r };
  }

  /** A full release: PR, two signed approvals, merge, audit record and checkpoint, change opened. */
  async function release(opts: { changeRequest?: boolean; asAction?: boolean } = {}) {
    const { repo, auditDir, r } = approvedRelease(opts);
    const merge = mergePull(gh, repo, r.number, { by: 'carol' });
    if (opts.asAction) await recordReleaseAsAction(repo, auditDir, r.model, r.metaDigest);
    else await recordRelease(repo, auditDir, r.model, r.metaDigest);
    const change = opts.changeRequest === false ? null : await openChange(repo, r.number);
    return { repo, auditDir, merge, change, ...r };
  }

  /**
   * Delivers the same production event for a pending run again: the App must
   * decide it pending, post nothing (one status report in all) and record
   * nothing (one decision in the log).
   */
  async function askedAgainStillPending(runId: number, auditDir: string): Promise<void> {
    const again = await server.deliver('deployment_protection_rule', protectionRuleEvent(gh, runs, runId, 'production', INSTALLATION));
    expect([200, 202]).toContain(again.status);
    const quiet = await server.waitForLog((l) => l.msg === 'deployment decided' && l.run_id === runId && l.posted === 'none');
    expect(quiet.state).toBe('pending');
    expect(runs.run(runId).answers).toHaveLength(1);
    expect(decisions(auditDir)).toHaveLength(1);
  }

  /** Delivers the event for a run waiting on `environment` and returns the App's answer. */
  async function deploy(repo: string, sha: string, environment = 'production', runId?: number): Promise<{ runId: number; answer: RuleAnswer }> {
    const run = runId ? runs.run(runId) : runs.addRun(repo, { head_sha: sha, environments: [environment] });
    const before = run.answers.length;
    const res = await server.deliver('deployment_protection_rule', protectionRuleEvent(gh, runs, run.id, environment, INSTALLATION));
    expect([200, 202]).toContain(res.status);
    while (run.answers.length === before) await new Promise((r) => setTimeout(r, 50));
    return { runId: run.id, answer: run.answers[run.answers.length - 1] };
  }

  const records = (auditDir: string): Json[] =>
    readdirSync(join(auditDir, 'entries'))
      // A record being written is a .tmp-* file until it is linked to its name.
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(auditDir, 'entries', f), 'utf8')));
  const decisions = (auditDir: string) => records(auditDir).filter((r) => r.event_type === 'DEPLOYMENT_DECISION');

  it('approves when everything matches, and records the decision in the audit log', async () => {
    const r = await release();
    snow.approve(r.change!);
    const { answer, runId } = await deploy(r.repo, r.merge);
    expect(answer).toMatchObject({ environment_name: 'production', state: 'approved', auth: `installation:${INSTALLATION}` });
    expect(answer.comment).toMatch(/release pull request #1 \(base main/);
    expect(answer.comment).toMatch(/by alice \(developer, signed\), bob \(risk, signed\)/);
    expect(answer.comment).toMatch(/names exactly the signed artifacts/);
    expect(answer.comment).toMatch(/holds the MODEL_RELEASE record 0/);
    expect(answer.comment).toContain(`${r.change} is approved`);
    const [rec] = decisions(r.auditDir);
    expect(rec.subject).toEqual([r.model, r.metaDigest]);
    expect(rec.action).toBe('allow deployment to production');
    // The fields the compliance report reads ...
    expect(rec.details).toMatchObject({
      environment: 'production',
      decision: 'approved',
      model: { digest: r.model },
      metadata: { digest: r.metaDigest },
      change: { system: 'servicenow', number: r.change, correlation_id: `github:${r.repo}:pr:${r.number}`, approval: 'approved' },
      repository: r.repo,
      run_url: expect.stringMatching(new RegExp(`/actions/runs/${runId}$`)),
    });
    expect(rec.details.reason).toContain(`${r.change} is approved`);
    // ... and what replays the decision.
    expect(rec.details).toMatchObject({
      sha: r.merge,
      run_id: runId,
      pull_request: r.number,
      correlation_id: `github:${r.repo}:pr:${r.number}`,
      models: [{ path: 'models/fraud/model.onnx', digest: r.model }],
      trigger: 'deployment_protection_rule.requested',
    });
    // The rule asked for what it needs, and only through the App's installation.
    expect(gh.requestsTo('/repos/{owner}/{repo}/commits/{commit_sha}/pulls').length).toBeGreaterThan(0);
    expect(snow.requests.some((q) => q.query.sysparm_query?.includes(`github:${r.repo}:pr:${r.number}`))).toBe(true);
  });

  it('rejects a deployed model digest the approvers did not sign', async () => {
    const { repo, auditDir, r } = approvedRelease({ changeRequest: false });
    const swapped = JSON.stringify({ model: { path: 'model.onnx', digest: sha256('other weights') } });
    const merge = mergePull(gh, repo, r.number, { extra: { 'models/fraud/metadata.json': swapped } });
    await recordRelease(repo, auditDir, r.model, r.metaDigest);
    const { answer } = await deploy(repo, merge);
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(/names model sha256:[0-9a-f]{64}, which the approvers did not sign/);
    expect(decisions(auditDir)[0].details.decision).toBe('rejected');
  });

  it('attack: the merge commit holds other model bytes than the approved head (metadata.json unchanged): rejected, the bytes are hashed from the deployed commit', async () => {
    const { repo, auditDir, r } = approvedRelease({ changeRequest: false });
    const merge = mergePull(gh, repo, r.number, { extra: { 'models/fraud/model.onnx': 'weights nobody approved' } });
    await recordRelease(repo, auditDir, r.model, r.metaDigest);
    const { answer } = await deploy(repo, merge);
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toContain(`models/fraud/model.onnx in the deployed commit is ${sha256('weights nobody approved')}, not the ${r.model} the approvers signed`);
    // And a symbolic link in its place is no model at all.
    const r2 = openRelease(repo);
    approve(repo, r2.number, 'alice');
    approve(repo, r2.number, 'bob');
    const merge2 = mergePull(gh, repo, r2.number, { extra: { 'models/fraud/model.onnx': { mode: '120000', content: '../../README.md' } } });
    await recordRelease(repo, auditDir, r2.model, r2.metaDigest);
    const second = await deploy(repo, merge2);
    expect(second.answer.state).toBe('rejected');
    expect(second.answer.comment).toMatch(/model\.onnx in the deployed commit cannot be the signed artifact: .*symbolic link \(mode 120000\)/);
  });

  it('attack: a release merged into evil-base, whose own policy says "production: release: false" and names an audit store of its choosing: rejected, recorded where the default branch says', async () => {
    const { repo, auditDir } = newRepo({ changeRequest: false });
    const evilDir = join(tmp.dir, `evil-${repoCount}`);
    const evil = policyText('mallory-alone', `audit:
  store: file://${evilDir}
deployment:
  environments:
    - name: production
      release: false
`);
    gh.commit(repo, { branch: 'evil-base', parent: gh.repo(repo).branches.get('main'), changes: { '.github/model-release-gate.yml': evil }, author: 'mallory' });
    const number = gh.repo(repo).pulls.size + 1;
    gh.commit(repo, { branch: 'feature', parent: gh.repo(repo).branches.get('evil-base'), changes: { 'models/fraud/model.onnx': 'weights nobody approved' }, author: 'mallory' });
    gh.openPull(repo, { number, author: 'mallory', base: 'evil-base', head: 'feature' });
    const merge = mergePull(gh, repo, number, { by: 'mallory' });
    const { answer } = await deploy(repo, merge);
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(new RegExp(`release pull request #${number} was merged into evil-base, which is not a release branch for production \\(main;`));
    // The decision is in the default branch's audit log, and nothing was written where evil-base pointed.
    expect(decisions(auditDir).map((d) => d.details.decision)).toEqual(['rejected']);
    expect(existsSync(evilDir)).toBe(false);
  });

  it('rejects when approvals are missing or stale', async () => {
    const { repo, auditDir } = newRepo({ changeRequest: false });
    const one = openRelease(repo);
    approve(repo, one.number, 'alice');
    const merged1 = mergePull(gh, repo, one.number);
    await recordRelease(repo, auditDir, one.model, one.metaDigest);
    let { answer } = await deploy(repo, merged1);
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(/no longer pass the policy of its base branch: .*risk/);

    // Both approved an older head; a later push (nobody re-approved) was merged.
    const two = openRelease(repo);
    approve(repo, two.number, 'alice');
    approve(repo, two.number, 'bob');
    gh.pushToPull(repo, two.number, { 'models/fraud/notes.txt': 'late change' });
    const merged2 = mergePull(gh, repo, two.number);
    await recordRelease(repo, auditDir, two.model, two.metaDigest);
    ({ answer } = await deploy(repo, merged2));
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(/no longer pass/);
  });

  it('rejects a commit pushed straight to the branch (no release PR), but lets an environment that needs none through', async () => {
    const { repo } = newRepo({ changeRequest: false });
    const pushed = gh.commit(repo, { branch: 'main', changes: { 'models/fraud/model.onnx': 'admin weights' }, author: 'carol' });
    let { answer } = await deploy(repo, pushed);
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(/no merged pull request has [0-9a-f]{12} as its merge commit \(GitHub associates no pull request with it\)/);
    ({ answer } = await deploy(repo, pushed, 'scratch'));
    expect(answer.state).toBe('approved');
    ({ answer } = await deploy(repo, pushed, 'staging'));
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(/does not list the environment "staging"/);
  });

  it('rejects when the MODEL_RELEASE record is missing, and when the log does not verify', async () => {
    const { repo, auditDir, r } = approvedRelease({ changeRequest: false });
    const merge = mergePull(gh, repo, r.number);
    // Another model's release is recorded, not this one.
    await recordRelease(repo, auditDir, sha256('some other model'), r.metaDigest);
    let { answer } = await deploy(repo, merge);
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(/holds no MODEL_RELEASE record for models\/fraud\/model\.onnx/);

    // Now recorded, but someone edits record 0 (covered by a signed checkpoint).
    await recordRelease(repo, auditDir, r.model, r.metaDigest);
    const first = join(auditDir, 'entries', readdirSync(join(auditDir, 'entries')).sort()[0]);
    writeFileSync(first, readFileSync(first, 'utf8').replace('release-bot', 'someone-else'));
    ({ answer } = await deploy(repo, merge));
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(/does not verify: record 0: modified/);
  });

  it('a release recorded the way the Action does (tiles, signed note, record index): approved by its inclusion proof, not by reading the whole log', async () => {
    const { repo, auditDir, r } = approvedRelease({ changeRequest: false });
    const merge = mergePull(gh, repo, r.number);
    const seq = await recordReleaseAsAction(repo, auditDir, r.model, r.metaDigest);
    const { answer } = await deploy(repo, merge);
    expect(answer.state).toBe('approved');
    expect(answer.comment).toContain(`holds the MODEL_RELEASE record ${seq}, proven included in the tree of ${seq + 1} records its newest signed checkpoint signs`);
    // The rule's own decision went in the same way, so the next look at this run finds it by the index too.
    expect(readdirSync(join(auditDir, 'index')).length).toBeGreaterThanOrEqual(3);
  });

  it('attack: an index slot planted for a model never released, pointing at another model\'s release record: not taken, rejected', async () => {
    const { repo, auditDir, r } = approvedRelease({ changeRequest: false });
    const merge = mergePull(gh, repo, r.number);
    const decoy = await recordReleaseAsAction(repo, auditDir, sha256('another model'), r.metaDigest);
    const store = await openStore(`file://${auditDir}`, { env: {} });
    expect((await store.create(indexKey(subjectIndexName(r.model), 0), Buffer.from(`${decoy}\n`))).created).toBe(true);
    const { answer } = await deploy(repo, merge);
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(/holds no MODEL_RELEASE record for models\/fraud\/model\.onnx/);
  });

  it('attack: the release record edited on disk after it was logged: its proof fails, the whole log is verified, rejected', async () => {
    const { repo, auditDir, r } = approvedRelease({ changeRequest: false });
    const merge = mergePull(gh, repo, r.number);
    const seq = await recordReleaseAsAction(repo, auditDir, r.model, r.metaDigest);
    const file = join(auditDir, 'entries', `${String(seq).padStart(20, '0')}.json`);
    chmodSync(file, 0o644);
    writeFileSync(file, readFileSync(file, 'utf8').replace('release-bot', 'someone-else'));
    const { answer } = await deploy(repo, merge);
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toMatch(/does not verify: record 0: modified/);
  });

  it('rejects when the change request is rejected', async () => {
    const r = await release();
    snow.reject(r.change!);
    const { answer } = await deploy(r.repo, r.merge);
    expect(answer.state).toBe('rejected');
    expect(answer.comment).toContain(`${r.change} was rejected in change management`);
  });

  it('an audit store that cannot be opened rejects, even where no release is needed (nothing passes unrecorded)', async () => {
    const { repo } = newRepo({ changeRequest: false });
    const pushed = gh.commit(repo, { branch: 'main', changes: { 'notes.txt': 'x' } });
    const run = runs.addRun(repo, { head_sha: pushed, environments: ['scratch'] });
    // In process, with the App's own installation token and a store that fails to open.
    const jwt = await new SignJWT({ iss: String(APP_ID) })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const tokenRes = await fetch(`${gh.apiUrl}/app/installations/${INSTALLATION}/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } });
    const token = ((await tokenRes.json()) as Json).token as string;
    const octokit: GitHubRequester = {
      async request(route, params = {}) {
        const [method, template] = route.split(' ');
        const rest = { ...params };
        const path = template.replace(/\{(\w+)\}/g, (_m, k: string) => {
          const v = String(rest[k]);
          delete rest[k];
          return k === 'path' ? v : encodeURIComponent(v);
        });
        const url = new URL(`${gh.apiUrl}${path}`);
        const init: RequestInit = { method, headers: { authorization: `token ${token}`, 'content-type': 'application/json' } };
        if (method === 'GET') for (const [k, v] of Object.entries(rest)) url.searchParams.set(k, String(v));
        else init.body = JSON.stringify(rest);
        const res = await fetch(url, init);
        const text = await res.text();
        if (res.status >= 400) throw Object.assign(new Error(text), { status: res.status });
        return { status: res.status, data: text ? JSON.parse(text) : null, headers: Object.fromEntries(res.headers) };
      },
    };
    const outcome = await runDeploymentRule(
      octokit,
      { owner: 'acme', repo: repo.split('/')[1], environment: 'scratch', sha: pushed, ref: 'main', run_id: run.id, deployment_id: null, default_branch: 'main', run_url: null, trigger: 'test', delivery_id: null },
      {
        sourceFor: githubPullRequestSource,
        openAuditStore: async () => {
          throw new Error('store unreachable');
        },
        clock: () => new Date(),
        changeManagementFor: serviceNowFromEnv({}),
      },
    );
    expect(outcome.decision.state).toBe('rejected');
    expect(run.answers[0]).toMatchObject({ state: 'rejected', environment_name: 'scratch' });
    expect(run.answers[0].comment).toMatch(/could not be recorded: the audit store could not be opened \(store unreachable\)/);
  });

  it('a pending change: a status report (no rejection), then approval on the next delivery once the board approves', async () => {
    const r = await release();
    snow.request(r.change!);
    const first = await deploy(r.repo, r.merge);
    expect(first.answer.state).toBeUndefined();
    expect(first.answer.comment).toMatch(new RegExp(`waiting before deploying to production:\\n- ${r.change} is awaiting approval`));
    expect(runs.run(first.runId).status).toBe('waiting');
    expect(decisions(r.auditDir).map((d) => d.details.decision)).toEqual(['pending']);

    // Asked again with nothing new: no second status report, no second record
    // (what was said is read back from the audit log, not from memory).
    await askedAgainStillPending(first.runId, r.auditDir);

    snow.approve(r.change!);
    const second = await deploy(r.repo, r.merge, 'production', first.runId);
    expect(second.answer.state).toBe('approved');
    expect(runs.run(first.runId).status).toBe('in_progress');
    expect(decisions(r.auditDir).map((d) => d.details.decision)).toEqual(['pending', 'approved']);
  });

  it('a pending change, the release recorded the Action\'s way: the earlier status report is found through the record index (no second one), then approval by the proof', async () => {
    const r = await release({ asAction: true });
    snow.request(r.change!);
    const first = await deploy(r.repo, r.merge);
    expect(first.answer.comment).toMatch(new RegExp(`waiting before deploying to production:\\n- ${r.change} is awaiting approval`));
    await askedAgainStillPending(first.runId, r.auditDir);
    snow.approve(r.change!);
    const second = await deploy(r.repo, r.merge, 'production', first.runId);
    expect(second.answer.state).toBe('approved');
    expect(second.answer.comment).toMatch(/holds the MODEL_RELEASE record 0, proven included in the tree/);
    expect(decisions(r.auditDir).map((d) => d.details.decision)).toEqual(['pending', 'approved']);
  });

  it('the App restarted while a change was pending: the new process rediscovers the waiting run and decides it', async () => {
    const r = await release();
    snow.request(r.change!);
    const first = await deploy(r.repo, r.merge);
    expect(first.answer.state).toBeUndefined();

    await server.kill();
    snow.approve(r.change!);
    server = await startAppProcess(gh, { appId: APP_ID, privateKey, secret, env: env() });
    const run = runs.run(first.runId);
    while (run.answers.length === 1) await new Promise((res) => setTimeout(res, 50));
    expect(run.answers[1]).toMatchObject({ environment_name: 'production', state: 'approved', auth: `installation:${INSTALLATION}` });
    const recs = decisions(r.auditDir);
    expect(recs.map((d) => `${d.details.decision}:${d.details.trigger}`)).toEqual([
      'pending:deployment_protection_rule.requested',
      'approved:rediscovery',
    ]);
    // It found the run through GitHub's listings, not through memory.
    expect(gh.requestsTo('/repos/{owner}/{repo}/actions/runs').some((q) => q.query.status === 'waiting')).toBe(true);
    expect(gh.requestsTo('/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments').length).toBeGreaterThan(0);
  });
});
