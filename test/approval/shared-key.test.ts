/**
 * Attack: one key, two accounts (issue 10, item 8). Whoever holds a private
 * key is one person, however many logins the key is registered for: one key
 * counts for at most one approver in an evaluation, whichever source vouched
 * for it (GitHub signing keys, an allowed-signers line naming two principals,
 * a JWKS), and the verdict names the shared key.
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { evaluate } from '../../src/approval/evaluate.js';
import { parsePolicy } from '../../src/approval/policy-parse.js';
import { parsePublicKeyLine, fingerprint } from '../../src/approval/ssh-key.js';
import { buildStatement, statementBytes } from '../../src/approval/statement.js';
import type { PullRequestFacts, Verdict } from '../../src/approval/types.js';
import { baseFacts, KeyRing, review, signedReview, USER_IDS } from './helpers.js';

const ring = new KeyRing();
afterAll(() => ring.cleanup());

/** alice is a senior developer, carol a risk manager: two people, two roles, unless one key signs for both. */
const TEAMS = { 'acme/senior-developers': ['alice', 'erin'], 'acme/risk-managers': ['carol'] };
const policy = (keys: string) =>
  parsePolicy(`version: 1
protected_paths: ["models/**"]
roles:
  - {name: senior-developer, teams: [acme/senior-developers]}
  - {name: risk-manager, teams: [acme/risk-managers]}
signatures: {keys: [${keys}]}
`);
const facts = (over: Partial<PullRequestFacts> = {}): PullRequestFacts => baseFacts({ teams: TEAMS, ...over });
const approval = (v: Verdict, login: string) => v.approvals.find((a) => a.login === login)!;
const fp = (pub: string) => fingerprint(parsePublicKeyLine(pub).blob);

describe('attack: one key, two accounts', () => {
  it('the same GitHub signing key on two accounts fills one role, and the verdict names the key', async () => {
    const shared = ring.key('mallory');
    const f = facts({ signing_keys: { alice: [shared.pub], carol: [shared.pub] } });
    f.reviews = [signedReview(f, 'alice', shared), signedReview(f, 'carol', shared)];
    const v = await evaluate(policy('github'), f);
    expect(v.passed).toBe(false);
    expect(v.roles.flatMap((r) => r.filled_by.map((x) => x.login))).toEqual(['alice']);
    expect(v.rules[0].approvers).toEqual(['alice']);
    const note = `key ${fp(shared.pub)} signed the approvals of alice and carol: one key counts for one approver (alice's counted)`;
    expect(v.notes).toContain(note);
    expect(v.rules[0].reasons).toContain(note);
    expect(approval(v, 'carol')).toMatchObject({
      counted: false,
      key_fingerprint: fp(shared.pub),
      reason: `carol's approval was signed with key ${fp(shared.pub)}, which also signed alice's: one key counts for one approver`,
    });
  });

  it('an allowed-signers line naming two principals ("alice,carol KEY") fills one role', async () => {
    const shared = ring.key('pair');
    const f = facts({ allowed_signers: { '.github/allowed_signers': `alice,carol ${shared.pub}\n` } });
    f.reviews = [signedReview(f, 'alice', shared), signedReview(f, 'carol', shared)];
    const v = await evaluate(policy('"allowed-signers:.github/allowed_signers"'), f);
    expect(v.passed).toBe(false);
    expect(v.rules[0].approvers).toEqual(['alice']);
    expect(v.notes?.join('\n')).toContain(`key ${fp(shared.pub)} signed the approvals of alice and carol`);
  });

  it('one JWK listed under two kids ("alice" and "carol") fills one role, named by its thumbprint', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const f = facts({ jwks: { '.github/approvers.jwks': { keys: [{ ...jwk, kid: 'alice' }, { ...jwk, kid: 'carol' }] } } });
    const jwsFor = async (login: string) =>
      new CompactSign(statementBytes(buildStatement(f, { login, id: USER_IDS[login] }))).setProtectedHeader({ alg: 'EdDSA', kid: login }).sign(privateKey);
    f.reviews = [review('alice', { body: await jwsFor('alice') }), review('carol', { body: await jwsFor('carol') })];
    const v = await evaluate(policy('"jwks:.github/approvers.jwks"'), f);
    expect(v.passed).toBe(false);
    expect(v.rules[0].approvers).toEqual(['alice']);
    expect(v.notes?.join('\n')).toMatch(/^key jwk-thumbprint:\S+ signed the approvals of alice and carol/m);
  });

  it('the same key behind an SSH line (alice) and a JWK (carol) is still one key', async () => {
    // One P-256 key: ssh-keygen signs with its PEM form, jose with the same private key.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = join(ring.dir, 'both.pem');
    writeFileSync(pem, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
    const pub = execFileSync('ssh-keygen', ['-y', '-f', pem]).toString('utf8').trim();
    writeFileSync(`${pem}.pub`, `${pub}\n`);
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const f = facts({ signing_keys: { alice: [pub] }, jwks: { 'k.jwks': { keys: [{ ...jwk, kid: 'carol' }] } } });
    const carolJws = await new CompactSign(statementBytes(buildStatement(f, { login: 'carol', id: USER_IDS.carol })))
      .setProtectedHeader({ alg: 'ES256', kid: 'carol' })
      .sign(privateKey);
    f.reviews = [signedReview(f, 'alice', { path: pem, pub }), review('carol', { body: carolJws })];
    const v = await evaluate(policy('github, "jwks:k.jwks"'), f);
    expect(v.approvals.map((a) => a.key_fingerprint?.split(':')[0])).toEqual(['SHA256', 'jwk-thumbprint']);
    expect(v.passed).toBe(false);
    expect(v.rules[0].approvers).toEqual(['alice']);
    expect(v.notes?.join('\n')).toMatch(new RegExp(`^key ${fp(pub).replace(/[+/]/g, '\\$&')} \\(also jwk-thumbprint:\\S+\\) signed the approvals of alice and carol`, 'm'));
  });

  it('a shared key does not cost the rule when others fill the roles; the key is still named', async () => {
    const shared = ring.key('mallory');
    const erin = ring.key('erin');
    const f = facts({ signing_keys: { alice: [shared.pub], carol: [shared.pub], erin: [erin.pub] } });
    f.reviews = [signedReview(f, 'alice', shared), signedReview(f, 'carol', shared), signedReview(f, 'erin', erin)];
    const v = await evaluate(policy('github'), f);
    // alice and carol are one person: they fill one role; erin the other.
    expect(v.passed).toBe(true);
    expect(v.rules[0].approvers.sort()).toEqual(['carol', 'erin']);
    expect(v.notes?.join('\n')).toContain(`key ${fp(shared.pub)} signed the approvals of alice and carol: one key counts for one approver (carol's counted)`);
    expect(v.roles.map((r) => [r.role, r.filled_by.map((x) => x.login)])).toEqual([
      ['senior-developer', ['erin']],
      ['risk-manager', ['carol']],
    ]);
  });

  it('a key registered for two accounts but used by one of them is no finding', async () => {
    const shared = ring.key('mallory');
    const carol = ring.key('carol');
    const f = facts({ signing_keys: { alice: [shared.pub], carol: [shared.pub, carol.pub] } });
    f.reviews = [signedReview(f, 'alice', shared), signedReview(f, 'carol', carol)];
    const v = await evaluate(policy('github'), f);
    expect(v.passed).toBe(true);
    expect(v.notes?.filter((n) => n.startsWith('key '))).toEqual([]);
  });
});

describe("attack: the author's key behind another account", () => {
  it("an approval signed with a key the pull request's author also holds is the author's, and never counts", async () => {
    const daves = ring.key('dave');
    const erin = ring.key('erin');
    // dave opened the PR; his sock account alice carries his key and approves; carol approves honestly.
    const f = facts({ signing_keys: { dave: [daves.pub], alice: [daves.pub], carol: [erin.pub] } });
    f.reviews = [signedReview(f, 'alice', daves), signedReview(f, 'carol', erin)];
    const v = await evaluate(policy('github'), f);
    expect(v.passed).toBe(false);
    expect(v.approvals.find((a) => a.login === 'alice')).toMatchObject({
      counted: false,
      reason: `alice's approval was signed with key ${fp(daves.pub)}, which is also dave's (the pull request's author): it counts as the author's, and the author never counts`,
    });
  });

  it('an allowed-signers line naming the author and another principal cannot approve for the other', async () => {
    const shared = ring.key('pair');
    const f = facts({ allowed_signers: { signers: `dave,alice ${shared.pub}\ncarol ${ring.key('carol').pub}\n` } });
    f.reviews = [signedReview(f, 'alice', shared), signedReview(f, 'carol', ring.key('carol'))];
    const v = await evaluate(policy('"allowed-signers:signers"'), f);
    expect(v.passed).toBe(false);
    expect(v.approvals.find((a) => a.login === 'alice')?.reason).toMatch(/which is also dave's \(the pull request's author\)/);
  });

  it("a commit author's key counts as theirs unless commit authors may approve", async () => {
    const bobs = ring.key('bob');
    const f = facts({ commit_authors: ['dave', 'bob'], signing_keys: { bob: [bobs.pub], alice: [bobs.pub], carol: [ring.key('carol').pub] } });
    f.reviews = [signedReview(f, 'alice', bobs), signedReview(f, 'carol', ring.key('carol'))];
    let v = await evaluate(policy('github'), f);
    expect(v.approvals.find((a) => a.login === 'alice')?.reason).toMatch(/which is also bob's \(a commit author\)/);
    v = await evaluate(parsePolicy(`version: 1\nprotected_paths: ["models/**"]\nallow_commit_authors: true\nroles:\n  - {name: senior-developer, teams: [acme/senior-developers]}\n  - {name: risk-manager, teams: [acme/risk-managers]}\n`), f);
    expect(v.passed).toBe(true);
  });
});
