import { generateKeyPair, exportJWK, CompactSign } from 'jose';
import { evaluate, evaluatePolicyText } from '../../src/approval/evaluate.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import { buildStatement, statementBytes } from '../../src/approval/statement.js';
import type { PullRequestFacts, Verdict } from '../../src/approval/types.js';
import { baseFacts, HEAD, KeyRing, OLD_HEAD, review, signedReview, sshSign, USER_IDS, type TestKey } from './helpers.js';
import { policyText, productionAndResearch } from '../helpers/policies.js';

const POLICY = policyText('four-eyes-signed');
const UNSIGNED = POLICY.replace('required: true', 'required: false');

const ring = new KeyRing();
afterAll(() => ring.cleanup());
const keyOf = (login: string): TestKey => ring.key(login, 'ed25519');
/** GitHub signing keys of everyone, as the gatherer would fetch them. */
const keysFor = (...logins: string[]): Record<string, string[]> =>
  Object.fromEntries(logins.map((l) => [l, [keyOf(l).pub]]));

function facts(over: Partial<PullRequestFacts> = {}): PullRequestFacts {
  return baseFacts({ signing_keys: keysFor('alice', 'bob', 'carol', 'dave', 'erin', 'aaron', 'zoe'), ...over });
}
const signed = (f: PullRequestFacts, login: string, opts: Parameters<typeof signedReview>[3] = {}) =>
  signedReview(f, login, keyOf(login), opts);
const approvalOf = (v: Verdict, login: string) => v.approvals.find((a) => a.login === login)!;
const filled = (v: Verdict) => Object.fromEntries(v.roles.map((r) => [r.role, r.filled_by.map((f) => f.login)]));

describe('evaluate: four eyes, two roles, signed', () => {
  const policy = parsePolicy(POLICY);

  it('passes with two distinct approvers from the two roles, each signature valid', async () => {
    const f = facts();
    f.reviews = [signed(f, 'alice'), signed(f, 'carol')];
    const v = await evaluate(policy, f);
    expect(v).toMatchObject({ passed: true, release: true, head_sha: HEAD, base_ref: 'main' });
    expect(filled(v)).toEqual({ 'senior-developer': ['alice'], 'risk-manager': ['carol'] });
    expect(v.roles[0].filled_by[0]).toMatchObject({ signature: 'valid', key_fingerprint: expect.stringMatching(/^SHA256:/) });
    expect(approvalOf(v, 'alice')).toMatchObject({ counted: true });
  });

  it('fails when one person in both teams approves alone', async () => {
    const f = facts();
    f.reviews = [signed(f, 'bob')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(v.rules[0].missing.join('\n')).toMatch(/1 more approval needed/);
    expect(v.rules[0].missing.join('\n')).toMatch(/2 distinct approvers needed, 1 counted/);
  });

  it('solves the assignment: {alice: senior, bob: senior+risk} passes, bob taking the risk slot', async () => {
    const f = facts();
    f.reviews = [signed(f, 'bob'), signed(f, 'alice')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(true);
    expect(filled(v)).toEqual({ 'senior-developer': ['alice'], 'risk-manager': ['bob'] });
  });

  it('moves an earlier assignment along an augmenting path (aaron, in both roles, sorts first)', async () => {
    const f = facts({ teams: { 'acme/senior-developers': ['aaron', 'zoe'], 'acme/risk-managers': ['aaron'] } });
    f.reviews = [signed(f, 'zoe'), signed(f, 'aaron')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(true);
    expect(filled(v)).toEqual({ 'senior-developer': ['zoe'], 'risk-manager': ['aaron'] });
  });

  it("ignores the pull request author's approval, even signed and in a role", async () => {
    const f = facts({ teams: { 'acme/senior-developers': ['dave', 'alice'], 'acme/risk-managers': ['carol'] } });
    f.reviews = [signed(f, 'dave'), signed(f, 'carol')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'dave')).toMatchObject({ counted: false, reason: expect.stringContaining('opened the pull request') });
  });

  it('ignores an approval of an older commit and says which commit it was for', async () => {
    const f = facts();
    f.reviews = [signed(f, 'alice'), signed(f, 'carol', { over: { commit_id: OLD_HEAD } })];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'carol').reason).toBe("carol's approval is for 1a2b3c4, not the head 4d5e6f7");
  });

  it('ignores a signature made with another user\'s key, naming the key', async () => {
    const f = facts();
    const carolWithBobsKey = signedReview(f, 'carol', keyOf('bob'));
    f.reviews = [signed(f, 'alice'), carolWithBobsKey];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'carol').reason).toMatch(/made with key SHA256:\S+, which is not one of carol's keys \(github: 1 usable signing key\)/);
  });

  it('ignores a forged signature (a byte of it changed)', async () => {
    const f = facts();
    const genuine = signed(f, 'carol', { withStatement: false });
    const lines = genuine.body.split('\n');
    // Change one base64 character inside the signature part of the armored block.
    const i = lines.length - 3;
    lines[i] = lines[i].slice(0, 10) + (lines[i][10] === 'A' ? 'B' : 'A') + lines[i].slice(11);
    f.reviews = [signed(f, 'alice'), { ...genuine, body: lines.join('\n') }];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'carol')).toMatchObject({ counted: false, reason: expect.stringMatching(/carol's (signature|SSH signature)/) });
  });

  it('ignores a signature in the wrong namespace (e.g. a git commit signature)', async () => {
    const f = facts();
    f.reviews = [signed(f, 'alice'), signed(f, 'carol', { namespace: 'git' })];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'carol').reason).toBe(`carol's signature is in namespace "git", not "model-release-gate@v1"`);
  });

  it('ignores a signature over the statement for another pull request, naming it', async () => {
    const f = facts();
    f.reviews = [signed(f, 'alice'), signed(f, 'carol', { statementFacts: { pull_request: 11 } })];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'carol').reason).toMatch(/valid but the signed statement is for pull request #11, not #12/);
  });

  it('ignores a signature over the statement for another head (even when the review is on the head)', async () => {
    const f = facts();
    f.reviews = [signed(f, 'alice'), signed(f, 'carol', { statementFacts: { head_sha: OLD_HEAD } })];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'carol').reason).toMatch(/the signed statement is for 1a2b3c4, not the head 4d5e6f7/);
  });

  it('ignores a signature over other artifacts, and one without the statement in the body still says why', async () => {
    const f = facts();
    const other = signed(f, 'carol', { statementFacts: { artifacts: [{ path: 'models/fraud/model.pt', digest: `sha256:${'c'.repeat(64)}` }] } });
    f.reviews = [signed(f, 'alice'), other];
    let v = await evaluate(policy, f);
    expect(approvalOf(v, 'carol').reason).toMatch(/other artifacts/);
    f.reviews = [signed(f, 'alice'), signed(f, 'carol', { statementFacts: { head_sha: OLD_HEAD }, withStatement: false })];
    v = await evaluate(policy, f);
    expect(approvalOf(v, 'carol').reason).toMatch(/does not verify over the statement for acme\/models#12 at head 4d5e6f7/);
  });

  it('ignores unsigned approvals when signatures are required, and counts them when not', async () => {
    const f = facts();
    f.reviews = [review('alice'), review('carol')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'alice').reason).toMatch(/not signed/);
    const u = await evaluate(parsePolicy(UNSIGNED), f);
    expect(u.passed).toBe(true);
    expect(u.roles[0].filled_by[0]).toEqual({ login: 'alice', signature: 'not-required' });
  });

  it('the verdict carries the exact statement each counted signature verified over (role-bound when signed for a role), and none for an uncounted one', async () => {
    const f = facts();
    // bob's body claims an unscoped statement line but signs the role-bound one:
    // the verdict must name the bytes the signature is over, not the claim.
    const bound = statementBytes(buildStatement(f, { login: 'bob', id: USER_IDS.bob }, 'risk-manager'));
    const claim = statementBytes(buildStatement(f, { login: 'bob', id: USER_IDS.bob })).toString('utf8');
    f.reviews = [signed(f, 'alice'), review('bob', { body: `${claim}\n${sshSign(keyOf('bob'), bound)}` }), signed(f, 'erin', { role: 'risk-manager' })];
    const v = await evaluate(policy, f);
    expect(approvalOf(v, 'alice').statement).toBe(statementBytes(buildStatement(f, { login: 'alice', id: USER_IDS.alice })).toString('utf8'));
    expect(approvalOf(v, 'bob').counted).toBe(true);
    expect(approvalOf(v, 'bob').statement).toBe(bound.toString('utf8'));
    // erin is in no role: her valid signature counts for nothing, so the verdict carries no statement of hers.
    expect(approvalOf(v, 'erin').counted).toBe(false);
    expect(approvalOf(v, 'erin').statement).toBeUndefined();
  });

  it('a role-bound statement fills only that role', async () => {
    const f = facts();
    // bob signs as senior-developer only: with alice (senior only) the risk slot stays empty.
    f.reviews = [signed(f, 'alice'), signed(f, 'bob', { role: 'senior-developer' })];
    let v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(v.rules[0].missing.join()).toMatch(/risk-manager: 1 more approval/);
    // bound to risk-manager, it fills that role.
    f.reviews = [signed(f, 'alice'), signed(f, 'bob', { role: 'risk-manager' })];
    v = await evaluate(policy, f);
    expect(v.passed).toBe(true);
    expect(filled(v)).toEqual({ 'senior-developer': ['alice'], 'risk-manager': ['bob'] });
    // alice signing for a role she is not in does not count.
    f.reviews = [signed(f, 'alice', { role: 'risk-manager' }), signed(f, 'carol')];
    v = await evaluate(policy, f);
    expect(approvalOf(v, 'alice').reason).toMatch(/signed for role risk-manager but is not a member/);
  });

  it('a role-bound signature without the statement in the body is still found', async () => {
    const f = facts();
    f.reviews = [signed(f, 'alice'), signed(f, 'bob', { role: 'risk-manager', withStatement: false })];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(true);
  });

  it('ignores bots', async () => {
    const f = facts({ teams: { 'acme/senior-developers': ['alice'], 'acme/risk-managers': ['renovate[bot]', 'carol'] } });
    f.reviews = [signed(f, 'alice'), review('renovate[bot]'), review('carol', { is_bot: true, body: signed(f, 'carol').body })];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'renovate[bot]').reason).toMatch(/is a bot/);
    expect(approvalOf(v, 'carol').reason).toMatch(/is a bot/);
  });

  it('does not count commit authors unless allow_commit_authors is set', async () => {
    const f = facts({ commit_authors: ['dave', 'carol'] });
    f.reviews = [signed(f, 'alice'), signed(f, 'carol')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'carol').reason).toMatch(/authored or committed commits/);
    const relaxed = await evaluate(parsePolicy(`${POLICY}allow_commit_authors: true\n`), f);
    expect(relaxed.passed).toBe(true);
  });

  it('vetoes on changes requested by anyone in a role when changes_requested_veto is set', async () => {
    const f = facts({ teams: { 'acme/senior-developers': ['alice', 'erin'], 'acme/risk-managers': ['carol'] } });
    f.reviews = [signed(f, 'alice'), signed(f, 'carol'), review('erin', { state: 'CHANGES_REQUESTED', commit_id: OLD_HEAD })];
    expect((await evaluate(policy, f)).passed).toBe(true);
    const v = await evaluate(parsePolicy(`${POLICY}changes_requested_veto: true\n`), f);
    expect(v.passed).toBe(false);
    expect(v.reasons.join()).toMatch(/erin \(senior-developer\) requested changes on 1a2b3c4: vetoed/);
  });

  it('takes the latest standing review: a later comment keeps an approval, a later change request replaces it', async () => {
    const f = facts();
    const a = signed(f, 'alice');
    f.reviews = [a, signed(f, 'carol'), review('alice', { state: 'COMMENTED', body: 'one more thing' })];
    expect((await evaluate(policy, f)).passed).toBe(true);
    f.reviews = [a, signed(f, 'carol'), review('alice', { state: 'CHANGES_REQUESTED' })];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'alice').reason).toMatch(/latest review is CHANGES_REQUESTED/);
  });

  it('compares logins case-insensitively, as GitHub does', async () => {
    const f = facts({ teams: { 'acme/senior-developers': ['Alice'], 'acme/risk-managers': ['CAROL'] }, author: 'Dave' });
    f.reviews = [signed(f, 'alice'), signed(f, 'carol')];
    expect((await evaluate(policy, f)).passed).toBe(true);
  });

  it('handles a 3,000-file pull request', async () => {
    const files = Array.from({ length: 3000 }, (_, i) => `src/module${i % 40}/file${i}.py`);
    files[2999] = 'models/fraud/model.pt';
    const f = facts({ changed_files: files });
    f.reviews = [signed(f, 'alice'), signed(f, 'carol')];
    const v = await evaluate(policy, f);
    expect(v).toMatchObject({ passed: true, release: true });
    expect(v.rules[0].touched).toEqual(['models/fraud/model.pt']);
  });

  it('passes a pull request that touches no protected path, and says it is not a release', async () => {
    const f = facts({ changed_files: ['README.md', 'src/train.py'] });
    const v = await evaluate(policy, f);
    expect(v).toMatchObject({ passed: true, release: false });
    expect(v.reasons[0]).toMatch(/not a model release/);
  });

  it('counts both sides of a rename, and the policy file itself is always protected', async () => {
    const renamed = facts({ changed_files: [{ filename: 'archive/old.bin', previous_filename: 'models/old.bin', status: 'renamed' }] });
    expect((await evaluate(policy, renamed)).release).toBe(true);
    const policyChange = facts({ changed_files: ['.github/model-release-gate.yml'] });
    const v = await evaluate(policy, policyChange);
    expect(v).toMatchObject({ release: true, passed: false });
  });

  it('fails closed when a team named by the policy was not gathered', async () => {
    const f = facts({ teams: { 'acme/senior-developers': ['alice'] } });
    f.reviews = [signed(f, 'alice'), signed(f, 'carol')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(v.reasons.join()).toMatch(/membership of team acme\/risk-managers \(role risk-manager\) was not gathered/);
  });

  it('fails closed on missing facts and on an invalid policy, with the reason', async () => {
    const f = facts();
    const broken = { ...f, head_sha: undefined } as unknown as PullRequestFacts;
    const v = await evaluate(policy, broken);
    expect(v).toMatchObject({ passed: false });
    expect(v.reasons[0]).toMatch(/head_sha: must be a non-empty string/);
    const p = await evaluatePolicyText(POLICY.replace('count: 1', 'count: none'), f);
    expect(p.passed).toBe(false);
    expect(p.reasons[0]).toMatch(/model-release-gate.yml:6:12: roles\[0\].count: must be an integer >= 1/);
  });
});

describe('evaluate: key sources', () => {
  it('accepts keys pinned in an allowed-signers file and only those when github is not listed', async () => {
    const policy = parsePolicy(POLICY.replace('keys: [github]', 'keys: ["allowed-signers:.github/allowed_signers"]'));
    const f = facts();
    f.allowed_signers = {
      '.github/allowed_signers': `# pinned approver keys\nalice ${keyOf('alice').pub}\ncarol,erin namespaces="model-release-gate@v1" ${keyOf('carol').pub}\nbob namespaces="git" ${keyOf('bob').pub}\n`,
    };
    f.reviews = [signed(f, 'alice'), signed(f, 'carol')];
    expect((await evaluate(policy, f)).passed).toBe(true);
    // bob's entry is for git only.
    f.reviews = [signed(f, 'alice'), signed(f, 'bob')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(approvalOf(v, 'bob').reason).toMatch(/not allowed for namespace model-release-gate@v1/);
    // The file not gathered: no key counts.
    delete f.allowed_signers;
    f.reviews = [signed(f, 'alice'), signed(f, 'carol')];
    const missing = await evaluate(policy, f);
    expect(approvalOf(missing, 'alice').reason).toMatch(/allowed-signers:.github\/allowed_signers was not provided/);
  });

  it('accepts a JWS whose payload is exactly the statement bytes, signed by a key of the approver in the JWKS', async () => {
    const policy = parsePolicy(POLICY.replace('keys: [github]', 'keys: [github, "jwks:.github/approvers.jwks"]'));
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'carol/kms-1', alg: 'EdDSA' };
    const f = facts({ jwks: { '.github/approvers.jwks': { keys: [jwk] } } });
    const bytes = statementBytes(buildStatement(f, { login: 'carol', id: USER_IDS.carol }));
    const token = await new CompactSign(bytes).setProtectedHeader({ alg: 'EdDSA', kid: 'carol/kms-1' }).sign(privateKey);
    f.reviews = [signed(f, 'alice'), review('carol', { body: `Approved via KMS\n${token}\n` })];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(true);
    expect(v.roles[1].filled_by[0].key_fingerprint).toMatch(/^jwk-thumbprint:/);

    // The same statement as JSON with other whitespace/key order is not accepted: the bytes are the contract.
    const loose = Buffer.from(JSON.stringify(JSON.parse(bytes.toString()), null, 1));
    const looseToken = await new CompactSign(loose).setProtectedHeader({ alg: 'EdDSA', kid: 'carol/kms-1' }).sign(privateKey);
    f.reviews = [signed(f, 'alice'), review('carol', { body: looseToken })];
    const w = await evaluate(policy, f);
    expect(w.passed).toBe(false);
    expect(approvalOf(w, 'carol').reason).toMatch(/not the canonical \(RFC 8785\) bytes/);

    // A key in the JWKS that belongs to someone else does not sign for carol.
    const other = { ...jwk, kid: 'erin' };
    f.jwks = { '.github/approvers.jwks': { keys: [other] } };
    f.reviews = [signed(f, 'alice'), review('carol', { body: token })];
    const x = await evaluate(policy, f);
    expect(approvalOf(x, 'carol').reason).toMatch(/no key of carol in the JWKS/);
  });

  it('a signature made with an ssh-keygen rsa key registered on GitHub counts', async () => {
    const rsa = ring.key('carol-rsa', 'rsa');
    const f = facts({ signing_keys: { ...keysFor('alice'), carol: [rsa.pub] } });
    const bytes = statementBytes(buildStatement(f, { login: 'carol', id: USER_IDS.carol }));
    f.reviews = [signed(f, 'alice'), review('carol', { body: sshSign(rsa, bytes) })];
    expect((await evaluate(parsePolicy(POLICY), f)).passed).toBe(true);
  });
});

describe('evaluate: requirement sets (rules)', () => {
  const RULES = productionAndResearch({ research: '[{name: reviewer, teams: [acme/research]}]' });
  const policy = parsePolicy(RULES);
  const teams = { 'acme/senior-developers': ['alice', 'bob'], 'acme/risk-managers': ['bob', 'carol'], 'acme/research': ['erin', 'alice'] };

  it('a PR touching both rules must satisfy each separately; one person may serve in each rule once', async () => {
    const f = facts({ teams, changed_files: ['models/prod/a.pt', 'models/research/b.pt'] });
    f.reviews = [review('alice'), review('carol')];
    const v = await evaluate(policy, f);
    // alice fills senior in production AND reviewer in research: one slot per rule.
    expect(v.passed).toBe(true);
    expect(v.rules.map((r) => [r.name, r.applies, r.passed])).toEqual([['production', true, true], ['research', true, true]]);
    expect(v.roles.map((r) => [r.rule, r.role, r.filled_by.map((x) => x.login)])).toEqual([
      ['production', 'senior-developer', ['alice']],
      ['production', 'risk-manager', ['carol']],
      ['research', 'reviewer', ['alice']],
    ]);
    f.reviews = [review('erin'), review('carol')];
    const w = await evaluate(policy, f);
    expect(w.passed).toBe(false);
    expect(w.rules.find((r) => r.name === 'production')!.passed).toBe(false);
    expect(w.rules.find((r) => r.name === 'research')!.passed).toBe(true);
  });

  it('a PR touching only research needs only the research rule', async () => {
    const f = facts({ teams, changed_files: ['models/research/b.pt'] });
    f.reviews = [review('erin')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(true);
    expect(v.rules.map((r) => [r.name, r.applies])).toEqual([['production', false], ['research', true]]);
  });

  it('changing the policy file brings every rule into play', async () => {
    const f = facts({ teams, changed_files: ['.github/model-release-gate.yml'] });
    f.reviews = [review('erin')];
    const v = await evaluate(policy, f);
    expect(v.passed).toBe(false);
    expect(v.rules.every((r) => r.applies)).toBe(true);
  });
});
