import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PullRequestFacts, ReviewFact } from '../../src/approval/types.js';
import { baseFacts, KeyRing, OLD_HEAD, review, sshSign, USER_IDS } from '../approval/helpers.js';
import { sampleMetadata } from '../lineage/sample-metadata.js';
import { policyText, productionAndResearch } from '../helpers/policies.js';
import { modelGate } from '../helpers/cli-harness.js';

const POLICY = policyText('four-eyes-signed');

const dir = mkdtempSync(join(tmpdir(), 'mrg-cli-approval-'));
const ring = new KeyRing();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  ring.cleanup();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await modelGate(argv, { cwd: dir, env: {} });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

function write(name: string, content: string | object): string {
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return name;
}

function facts(reviews: ReviewFact[] = []): PullRequestFacts {
  return baseFacts({
    reviews,
    signing_keys: { alice: [ring.key('alice').pub], carol: [ring.key('carol', 'ecdsa').pub] },
    user_ids: { alice: USER_IDS.alice, carol: USER_IDS.carol },
  });
}

/** The approver's own workflow: print the statement, sign the file with ssh-keygen, paste both. */
async function approveWithCli(login: string, extra: string[] = []): Promise<ReviewFact> {
  const factsFile = write('facts-now.json', facts());
  const { code, out } = await cli('approval', 'statement', '--facts', factsFile, '--login', login, ...extra);
  expect(code).toBe(0);
  const stmtPath = join(dir, `${login}.statement.json`);
  writeFileSync(stmtPath, out);
  execFileSync('ssh-keygen', ['-q', '-Y', 'sign', '-f', ring.key(login).path, '-n', 'model-release-gate@v1', stmtPath]);
  const sig = readFileSync(`${stmtPath}.sig`, 'utf8');
  return review(login, { body: `${out}\n${sig}` });
}

describe('model-gate approval statement', () => {
  it('prints the canonical statement bytes and nothing else (no trailing newline), which ssh-keygen signs and verifies', async () => {
    const factsFile = write('facts.json', facts());
    const { code, out, err } = await cli('approval', 'statement', '--facts', factsFile, '--login', 'alice');
    expect([code, err]).toEqual([0, '']);
    expect(out.endsWith('}')).toBe(true);
    expect(JSON.parse(out)).toEqual({
      v: 1,
      type: 'model-release-approval',
      repository: 'acme/models',
      repository_id: 4242,
      pull_request: 12,
      base_sha: facts().base_sha,
      head_sha: facts().head_sha,
      artifacts: facts().artifacts,
      lineage_digest: facts().lineage_digest,
      approver: { login: 'alice', id: 101 },
      decision: 'approve',
    });
    const stmt = join(dir, 'stmt.json');
    writeFileSync(stmt, out);
    const sig = sshSign(ring.key('alice'), out);
    writeFileSync(`${stmt}.sig`, sig);
    // OpenSSH itself agrees the signature covers the file the CLI printed.
    const check = execFileSync('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'model-release-gate@v1', '-s', `${stmt}.sig`], { input: out });
    expect(check.toString()).toMatch(/Good "model-release-gate@v1" signature/);
  });

  it('binds a role, and needs a user id it can find', async () => {
    const factsFile = write('facts.json', facts());
    const withRole = await cli('approval', 'statement', '--facts', factsFile, '--login', 'carol', '--role', 'risk-manager');
    expect(JSON.parse(withRole.out).role).toBe('risk-manager');
    const unknown = await cli('approval', 'statement', '--facts', factsFile, '--login', 'zed');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no GitHub user id known for zed[\s\S]*--user-id/);
    const given = await cli('approval', 'statement', '--facts', factsFile, '--login', 'zed', '--user-id', '77');
    expect(JSON.parse(given.out).approver).toEqual({ login: 'zed', id: 77 });
  });
});

describe('model-gate simulate', () => {
  const policy = write('policy.yml', POLICY);

  it('exits 0 and prints the verdict as JSON when two signed approvals from two roles fill the gate', async () => {
    const f = write('pass.json', facts([await approveWithCli('alice'), await approveWithCli('carol')]));
    const { code, out } = await cli('simulate', '--policy', policy, '--facts', f, '--json');
    expect(code).toBe(0);
    const v = JSON.parse(out);
    expect(Object.keys(v).slice(0, 2)).toEqual(['passed', 'release']);
    expect(v).toMatchObject({ passed: true, release: true, reasons: [expect.stringMatching(/satisfied/)] });
    expect(v.roles.map((r: { role: string; filled_by: Array<{ login: string }> }) => [r.role, r.filled_by.map((x) => x.login)])).toEqual([
      ['senior-developer', ['alice']],
      ['risk-manager', ['carol']],
    ]);
  });

  it('exits 1 with a table per rule and every review with why it did not count', async () => {
    const stale = { ...(await approveWithCli('carol')), commit_id: OLD_HEAD };
    const f = write('fail.json', facts([await approveWithCli('alice'), stale, review('bob', { body: 'LGTM' })]));
    const { code, out } = await cli('simulate', '--policy', policy, '--facts', f);
    expect(code).toBe(1);
    expect(out).toMatch(/^model-release-gate: FAILED · base main · head 4d5e6f7/);
    expect(out).toMatch(/role\s+required\s+filled by\n\s+senior-developer\s+1\s+alice \[SHA256:/);
    expect(out).toMatch(/risk-manager\s+1\s+—/);
    expect(out).toMatch(/carol\s+ignored\s+carol's approval is for 1a2b3c4, not the head 4d5e6f7/);
    expect(out).toMatch(/bob\s+ignored\s+bob's approval is not signed/);
  });

  it('a role-bound approval from the CLI fills that role', async () => {
    const f = write('role.json', facts([await approveWithCli('alice'), await approveWithCli('carol', ['--role', 'risk-manager'])]));
    expect((await cli('simulate', '--policy', policy, '--facts', f)).code).toBe(0);
  });

  it('requirement sets and automated checks: each touched rule is shown, a just-missed threshold fails with exit 1', async () => {
    const rules = write('rules.yml', productionAndResearch({ production: ['checks: {metadata: true, metrics: ["accuracy >= 0.9"]}'] }));
    const meta = (accuracy: number) => ({ ...sampleMetadata(), model: { path: 'models/prod/fraud/model.pt', type: 'file', digest: facts().artifacts[0].digest, size: 1 }, metrics: { accuracy } });
    const base = { ...facts([review('alice'), review('carol'), review('erin')]), changed_files: ['models/prod/fraud/model.pt', 'models/research/x/notes.md'] };
    const ok = write('rules-ok.json', { ...base, metadata: { 'models/prod/fraud/metadata.json': meta(0.9) } });
    const good = await cli('simulate', '--policy', rules, '--facts', ok);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/rule production: satisfied/);
    expect(good.out).toMatch(/rule research: satisfied/);
    expect(good.out).toMatch(/check ok   metric accuracy >= 0.9 \(models\/prod\/fraud\/metadata.json\): accuracy = 0.9 meets accuracy >= 0.9/);
    const missed = write('rules-missed.json', { ...base, metadata: { 'models/prod/fraud/metadata.json': meta(0.8999) } });
    const bad = await cli('simulate', '--policy', rules, '--facts', missed, '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).reasons).toEqual(['production: check failed: accuracy = 0.8999 does not meet accuracy >= 0.9', 'research: satisfied']);
  });

  it('a pull request that touches no protected path passes and says so', async () => {
    const f = write('docs.json', { ...facts(), changed_files: ['README.md'] });
    const { code, out } = await cli('simulate', '--policy', policy, '--facts', f, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ passed: true, release: false });
  });

  it('exits 2 naming the field when the facts are not valid, and the file when it is missing or not JSON', async () => {
    const bad = write('bad.json', { ...facts(), head_sha: 'HEAD', reviews: [{ login: 'alice', state: 'LGTM' }] });
    const r = await cli('simulate', '--policy', policy, '--facts', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.json: pull request facts are not valid/);
    expect(r.err).toMatch(/head_sha: must be a full commit SHA/);
    expect(r.err).toMatch(/reviews\[0\]\.user_id: must be a positive integer/);
    expect(r.err).toMatch(/reviews\[0\]\.state: must be one of APPROVED/);
    expect((await cli('simulate', '--policy', policy, '--facts', 'nope.json')).err).toMatch(/nope\.json: cannot read the facts file/);
    const notJson = write('x.json', '{"a":');
    expect((await cli('simulate', '--policy', policy, '--facts', notJson)).err).toMatch(/x\.json: the facts file is not JSON/);
  });

  it('exits 2 naming the field when a head_files entry is malformed (a blob without its digest)', async () => {
    const bad = write('bad-head.json', { ...facts(), head_files: [{ path: 'models/fraud/model.pt', kind: 'blob' }] });
    const r = await cli('simulate', '--policy', policy, '--facts', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/head_files\[0\]\.digest: is required for kind blob/);
  });

  it('exits 2 with line and column when the policy is not valid', async () => {
    const badPolicy = write('bad-policy.yml', POLICY.replace('count: 1', 'count: 0'));
    const f = write('ok.json', facts());
    const r = await cli('simulate', '--policy', badPolicy, '--facts', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-policy\.yml:6:12: roles\[0\]\.count: must be an integer >= 1/);
  });
});

describe('model-gate policy check', () => {
  it('exits 0 with a one-line summary', async () => {
    const file = write('ok-policy.yml', POLICY);
    const { code, out } = await cli('policy', 'check', file);
    expect(code).toBe(0);
    expect(out).toBe('ok-policy.yml: valid; 1 rule: release: senior-developer×1 + risk-manager×1, 2 distinct approvers, signed (github)\n');
  });

  it('names the files the policy protects besides its globs (key files, the checkpoint key)', async () => {
    const file = write('keyed-policy.yml', POLICY.replace('keys: [github]', 'keys: [github, "allowed-signers:./.github/allowed_signers"]'));
    const { code, out } = await cli('policy', 'check', file);
    expect(code).toBe(0);
    expect(out).toBe(
      'keyed-policy.yml: valid; 1 rule: release: senior-developer×1 + risk-manager×1, 2 distinct approvers, signed (github, allowed-signers:.github/allowed_signers); also protected: .github/allowed_signers\n',
    );
  });

  it('exits 2 listing every problem with its line and column', async () => {
    const file = write('bad-policy2.yml', `${POLICY.replace('count: 1', 'count: one')}colour: blue\n`);
    const { code, err } = await cli('policy', 'check', file);
    expect(code).toBe(2);
    expect(err).toMatch(/bad-policy2\.yml:6:12: roles\[0\]\.count: must be an integer >= 1/);
    expect(err).toMatch(/bad-policy2\.yml:13:1: colour: unknown key/);
  });

  it('--json prints the normalised policy', async () => {
    const file = write('ok-policy.yml', POLICY);
    const { out } = await cli('policy', 'check', file, '--json');
    expect(JSON.parse(out).rules[0]).toMatchObject({ name: 'release', minimum_approvers: 2 });
  });
});
