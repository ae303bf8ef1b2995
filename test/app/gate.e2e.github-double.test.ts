/**
 * The four-eyes gate end to end: the App server as its own process, webhook
 * deliveries over HTTP signed with the webhook secret, a GitHub REST double
 * validated by GitHub's OpenAPI description, real ssh-keygen keys and
 * signatures, and a real file audit store.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStatement, statementBytes } from '../../src/approval/statement.js';
import { verifySshSig } from '../../src/approval/sshsig.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import type { CheckRunState } from '../helpers/github-double.js';
import { appSuite, completedRun, mergeGroupEvent, pullRequestEvent, rerunEvent, reviewEvent, sshKey, sshSign, type SshKey } from '../helpers/app-harness.js';
import { policyText } from '../helpers/policies.js';

const REPO = 'acme/models';
const INSTALLATION = 31;

describe('the four-eyes gate end to end, against a GitHub REST double validated by GitHub\'s OpenAPI description', () => {
  const suite = appSuite();
  const auditDir = join(suite.dir, 'audit');
  const keys: Record<string, SshKey> = {};
  const policy = policyText('developer-and-risk', `changes_requested_veto: true\naudit:\n  store: file://${auditDir}\n`);
  let n = 0;

  beforeAll(async () => {
    const { gh } = suite.app;
    gh.addRepo(REPO, { id: 8801 });
    gh.addInstallation('acme', INSTALLATION);
    gh.setTeam('acme', 'ml', ['alice', 'carol', 'erin']);
    gh.setTeam('acme', 'risk', ['bob', 'erin']);
    for (const who of ['alice', 'bob', 'carol', 'erin', 'mallory']) {
      keys[who] = sshKey(suite.dir, who);
      gh.addSigningKey(who, keys[who].publicLine);
    }
    gh.commit(REPO, { branch: 'main', changes: { '.github/model-release-gate.yml': policy, 'README.md': '# models\n' } });
  }, 60000);

  /** A PR by carol changing `changes` (plus a model and its metadata.json unless `plain`). */
  function openPull(changes: Record<string, string | null>, opts: { model?: boolean; author?: string } = {}): number {
    const { gh } = suite.app;
    const number = ++n;
    const files: Record<string, string | null> = { ...changes };
    if (opts.model !== false) {
      const model = `weights-${number}`;
      files[`models/fraud-${number}/model.onnx`] = model;
      files[`models/fraud-${number}/metadata.json`] = JSON.stringify({
        model: { path: 'model.onnx', digest: `sha256:${createHash('sha256').update(model).digest('hex')}` },
      });
    }
    gh.commit(REPO, { branch: `pr-${number}`, parent: gh.repo(REPO).branches.get('main'), changes: files, author: opts.author ?? 'carol' });
    gh.openPull(REPO, { number, author: opts.author ?? 'carol', base: 'main', head: `pr-${number}` });
    return number;
  }

  /** The statement for this PR as the approver must sign it (computed here, independently of the App). */
  function statementFor(number: number, login: string, role?: string): Buffer {
    const { gh } = suite.app;
    const p = gh.pull(REPO, number);
    const tree = gh.repo(REPO).commits.get(p.head.sha)!.tree;
    const metaPath = [...tree.keys()].find((k) => k.startsWith(`models/fraud-${number}/`) && k.endsWith('metadata.json'));
    const meta = metaPath ? String(tree.get(metaPath)!) : null;
    const artifacts = meta
      ? [{ path: `models/fraud-${number}/model.onnx`, digest: JSON.parse(meta).model.digest }]
      : [];
    return statementBytes(
      buildStatement(
        {
          repository: REPO,
          repository_id: gh.repo(REPO).id,
          pull_request: number,
          base_sha: p.base.sha,
          head_sha: p.head.sha,
          artifacts,
          lineage_digest: meta ? `sha256:${createHash('sha256').update(meta).digest('hex')}` : null,
        },
        { login, id: gh.user(login).id },
        role,
      ),
    );
  }

  /** A signed approving review by `login` (signed with `signer`'s key), delivered to the App. */
  async function approve(number: number, login: string, opts: { signer?: string; statement?: Buffer; state?: 'APPROVED' | 'CHANGES_REQUESTED' } = {}) {
    const statement = opts.statement ?? statementFor(number, login);
    const sig = sshSign(keys[opts.signer ?? login], statement);
    suite.app.gh.addReview(REPO, number, {
      login,
      state: opts.state ?? 'APPROVED',
      body: `Approved for release.\n${statement.toString('utf8')}\n${sig}`,
    });
    return deliver('pull_request_review', reviewEvent(suite.app.gh, REPO, number, login, 'submitted', INSTALLATION), number);
  }

  /** Delivers an event and returns the check run it wrote on the PR head (or `sha`). */
  async function deliver(event: string, payload: Record<string, unknown>, number: number, sha?: string): Promise<CheckRunState> {
    const { gh } = suite.app;
    const on = sha ?? gh.pull(REPO, number).head.sha;
    const since = gh.checkRuns.length;
    const res = await suite.app.deliver(event, payload);
    expect([200, 202]).toContain(res.status);
    // The App answers once its in_progress run is written; wait for the completed one.
    return completedRun(suite.app, on, since);
  }

  const opened = (number: number) => deliver('pull_request', pullRequestEvent(suite.app.gh, REPO, number, 'opened', INSTALLATION), number);

  const auditRecords = (): Array<Record<string, any>> => // eslint-disable-line @typescript-eslint/no-explicit-any
    readdirSync(join(auditDir, 'entries'))
      // A record being written is a .tmp-* file until it is linked to its name.
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(auditDir, 'entries', f), 'utf8')));

  it('a PR that touches no protected path passes without approvals', async () => {
    const number = openPull({ 'docs/usage.md': 'hello\n' }, { model: false });
    const run = await opened(number);
    expect(run.conclusion).toBe('success');
    expect(run.output.title).toMatch(/Not a model release \(base main\)/);
    // Nothing about reviews, teams or keys was asked for.
    const routes = new Set(suite.app.gh.requests.map((r) => r.route));
    expect(routes.has('/repos/{owner}/{repo}/pulls/{pull_number}/reviews')).toBe(false);
    expect(routes.has('/users/{username}/ssh_signing_keys')).toBe(false);
  });

  it('two distinct approvers from two roles pass; the audit store gets the approvals and the verdicts', async () => {
    const number = openPull({});
    let run = await opened(number);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain('**Base branch:** `main`');
    expect(run.output.summary).toContain(`model-gate approve --repo ${REPO} --pr ${number}`);
    expect(run.output.summary).toContain('ssh-keygen -Y sign -n model-release-gate@v1');

    run = await approve(number, 'alice');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/risk: 1 more approval needed/);

    run = await approve(number, 'bob');
    expect(run.conclusion).toBe('success');
    expect(run.output.title).toMatch(/^Approved/);
    expect(run.output.summary).toMatch(/\| release \| developer \| 1 \| @alice \| `SHA256:[A-Za-z0-9+/]+` \| valid \|/);
    expect(run.output.summary).toMatch(/\| release \| risk \| 1 \| @bob \| `SHA256:/);

    const records = auditRecords().filter((r) => r.details.pull_request === number);
    expect(records.map((r) => `${r.event_type}:${r.actor}:${r.action}`)).toEqual([
      'GATE_VERDICT:model-release-gate[bot]:fail',
      'APPROVAL_VERIFIED:alice:approve',
      'APPROVAL_VERIFIED:bob:approve',
      'GATE_VERDICT:model-release-gate[bot]:pass',
    ]);
    const bobs = records[2];
    expect(bobs.details.signature).toContain('-----BEGIN SSH SIGNATURE-----');
    expect(bobs.details.statement.approver.login).toBe('bob');
    expect(bobs.subject[0]).toBe(`sha256:${createHash('sha256').update(statementFor(number, 'bob')).digest('hex')}`);
    // An auditor can re-verify the approval from the record alone.
    const check = verifySshSig(bobs.details.signature, Buffer.from(canonicalJson(bobs.details.statement)), { namespace: 'model-release-gate@v1' });
    expect(check.valid && check.fingerprint).toBe(bobs.details.key_fingerprint.replace(/^.*(SHA256:)/, '$1'));
    // The chain links: every record's prev is the digest of the one before.
    const files = readdirSync(join(auditDir, 'entries')).filter((f) => f.endsWith('.json')).sort();
    for (let i = 1; i < files.length; i++) {
      const prevBytes = readFileSync(join(auditDir, 'entries', files[i - 1]));
      const rec = JSON.parse(readFileSync(join(auditDir, 'entries', files[i]), 'utf8'));
      expect(rec.prev).toBe(`sha256:${createHash('sha256').update(prevBytes).digest('hex')}`);
    }

    // Removed from the team: on a re-run bob no longer counts, and the verdict change is recorded.
    suite.app.gh.setTeam('acme', 'risk', ['erin']);
    try {
      run = await deliver('check_run', rerunEvent(suite.app.gh, REPO, number, INSTALLATION, suite.app.appId), number);
      expect(run.conclusion).toBe('failure');
      expect(run.output.summary).toMatch(/bob is in none of the roles/);
      const last = auditRecords().filter((r) => r.details.pull_request === number).pop()!;
      expect(`${last.event_type}:${last.action}`).toBe('GATE_VERDICT:fail');
    } finally {
      suite.app.gh.setTeam('acme', 'risk', ['bob', 'erin']);
    }

    // Re-run with bob back: passes again; a re-run without change appends no verdict record.
    run = await deliver('check_run', rerunEvent(suite.app.gh, REPO, number, INSTALLATION, suite.app.appId), number);
    expect(run.conclusion).toBe('success');
    const count = auditRecords().length;
    run = await deliver('check_run', rerunEvent(suite.app.gh, REPO, number, INSTALLATION, suite.app.appId), number);
    expect(run.conclusion).toBe('success');
    expect(auditRecords().length).toBe(count);
  });

  it('one person in both teams alone fails: one person fills at most one role', async () => {
    const number = openPull({});
    const run = await approve(number, 'erin');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/2 distinct approvers needed, 1 counted|1 more approval needed/);
  });

  it("the author's approval is ignored", async () => {
    const number = openPull({});
    await approve(number, 'carol');
    const run = await approve(number, 'bob');
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/carol opened the pull request; the author never counts/);
  });

  it('approvals of an older commit stop counting after a push (synchronize)', async () => {
    const number = openPull({});
    await approve(number, 'alice');
    expect((await approve(number, 'bob')).conclusion).toBe('success');
    suite.app.gh.pushToPull(REPO, number, { [`models/fraud-${number}/notes.txt`]: 'tweak' });
    const run = await deliver('pull_request', pullRequestEvent(suite.app.gh, REPO, number, 'synchronize', INSTALLATION), number);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/approval is for [0-9a-f]{7}, not the head/);
    expect(run.output.summary).toContain('(not the head)');
  });

  it('a forged signature is ignored and the reason is shown', async () => {
    const number = openPull({});
    await approve(number, 'alice');
    // Signed by mallory's key but posted as bob: bob's registered keys do not match.
    const run = await approve(number, 'bob', { signer: 'mallory' });
    expect(run.conclusion).toBe('failure');
    const bobRow = (run.output.summary ?? '').split('\n').find((l) => l.startsWith('| @bob |'));
    expect(bobRow).toMatch(/\| no \|/);
    expect(bobRow).toMatch(/key|sign/i);
    // A signature by bob over another PR's statement does not count either.
    const other = await approve(number, 'bob', { statement: statementFor(number - 1, 'bob') });
    expect(other.conclusion).toBe('failure');
  });

  it('a policy loosened inside the PR is ignored (the base branch wins) and the PR itself needs the gate', async () => {
    const loose = 'version: 1\nprotected_paths: ["nothing/**"]\nroles:\n  - name: anyone\n    users: [carol]\nsignatures:\n  required: false\n';
    const number = openPull({ '.github/model-release-gate.yml': loose });
    const run = await opened(number);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain('`.github/model-release-gate.yml`');
    // Only the policy file changes: still a release under the base policy.
    const only = openPull({ '.github/model-release-gate.yml': loose }, { model: false });
    const run2 = await opened(only);
    expect(run2.conclusion).toBe('failure');
    expect(run2.output.summary).toMatch(/developer: 1 more approval needed/);
  });

  it('a changes-requested review from a role member vetoes the release', async () => {
    const number = openPull({});
    await approve(number, 'alice');
    expect((await approve(number, 'bob')).conclusion).toBe('success');
    suite.app.gh.addReview(REPO, number, { login: 'erin', state: 'CHANGES_REQUESTED', body: 'metrics look off' });
    const run = await deliver('pull_request_review', reviewEvent(suite.app.gh, REPO, number, 'erin', 'submitted', INSTALLATION), number);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/erin \(.*\) requested changes/);
  });

  it('a 3,000-file PR is read in full (paginated) and evaluated', async () => {
    const number = openPull({});
    const p = suite.app.gh.pull(REPO, number);
    p.files = [
      { filename: `models/fraud-${number}/model.onnx`, status: 'added' },
      { filename: `models/fraud-${number}/metadata.json`, status: 'added' },
      ...Array.from({ length: 2998 }, (_, i) => ({ filename: `data/shard-${String(i).padStart(4, '0')}.csv`, status: 'added' as const })),
    ];
    await approve(number, 'alice');
    const before = suite.app.gh.requestsTo('/repos/{owner}/{repo}/pulls/{pull_number}/files').length;
    const run = await approve(number, 'bob');
    expect(run.conclusion).toBe('success');
    expect(suite.app.gh.requestsTo('/repos/{owner}/{repo}/pulls/{pull_number}/files').length - before).toBe(30);
  });

  it('merge_group: judges the group by its whole diff and puts the check on the group head; a group whose protected change no approved pull request signed fails', async () => {
    const { gh } = suite.app;
    const number = openPull({});
    await approve(number, 'alice');
    expect((await approve(number, 'bob')).conclusion).toBe('success');
    const p = gh.pull(REPO, number);
    const main = gh.repo(REPO).branches.get('main')!;
    const groupHead = gh.commit(REPO, { parent: p.head.sha, changes: {}, message: 'Merge group', author: 'bob' });
    let run = await deliver('merge_group', mergeGroupEvent(gh, REPO, number, { head_sha: groupHead, base_sha: main, base_ref: 'main' }, INSTALLATION), number, groupHead);
    expect(run.conclusion).toBe('success');
    expect(run.head_sha).toBe(groupHead);
    expect(run.output.summary).toContain('**Merge group:**');

    const stranger = gh.commit(REPO, { parent: main, changes: { 'models/evil.onnx': 'x' }, author: 'mallory' });
    run = await deliver('merge_group', mergeGroupEvent(gh, REPO, number, { head_sha: stranger, base_sha: main, base_ref: 'main' }, INSTALLATION), number, stranger);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toMatch(/\| `models\/evil\.onnx` \| blob \| `sha256:[0-9a-f]{64}` \| \*\*no approved pull request\*\* \|/);
  });
});
