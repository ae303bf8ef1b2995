import { createHash } from 'node:crypto';
import { renderCheckRun, type VerdictContext } from '../../src/approval/check-run-text.js';
import { gateRecords } from '../../src/approval/verdict-records.js';
import { queuePull } from '../../src/approval/judge-merge-group.js';
import { failClosed } from '../../src/approval/evaluate.js';
import { buildStatement, statementBytes } from '../../src/approval/statement.js';
import type { PullRequestFacts, Verdict } from '../../src/approval/types.js';

const sha = (c: string) => c.repeat(40);
const ctx: VerdictContext = {
  repository: 'acme/models',
  pull_request: 7,
  base_ref: 'main',
  base_sha: sha('b'),
  check_sha: sha('c'),
  head_sha: sha('c'),
};
const facts: PullRequestFacts = {
  repository: 'acme/models', repository_id: 1, pull_request: 7, base_ref: 'main', base_sha: sha('b'), head_sha: sha('c'),
  author: 'carol', commit_authors: ['carol'], changed_files: ['models/a.onnx'],
  artifacts: [{ path: 'models/a.onnx', digest: `sha256:${'a'.repeat(64)}` }], lineage_digest: null,
  teams: {}, reviews: [{ login: 'bob', user_id: 2, state: 'APPROVED', commit_id: sha('c'), body: 'ok\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n' }],
  signing_keys: {},
};
const passing: Verdict = {
  passed: true, release: true, base_ref: 'main', head_sha: sha('c'),
  rules: [{ name: 'release', applies: true, passed: true, touched: ['models/a.onnx'], roles: [], missing: [], checks: [], minimum_approvers: 1, approvers: ['bob'], reasons: [] }],
  roles: [{ rule: 'release', role: 'risk', required: 1, filled_by: [{ login: 'bob', key_fingerprint: 'SHA256:abc', signature: 'valid' }] }],
  approvals: [{ login: 'bob', state: 'APPROVED', commit_id: sha('c'), counted: true, reason: 'signed', key_fingerprint: 'SHA256:abc', statement: statementBytes(buildStatement(facts, { login: 'bob', id: 2 })).toString('utf8') }],
  reasons: ['every rule is satisfied'],
};

describe('check run rendering', () => {
  it('a pass names the base branch and who filled each role with which key', () => {
    const out = renderCheckRun(passing, ctx, facts);
    expect(out.conclusion).toBe('success');
    expect(out.title).toBe('Approved: 1 of 1 role slots filled by distinct people (base main)');
    expect(out.summary).toContain('**Base branch:** `main`');
    expect(out.summary).toContain('| release | risk | 1 | @bob | `SHA256:abc` | valid |');
    expect(out.summary).not.toContain('How to approve');
  });

  it('a failure says what is missing and how to approve, with the exact statement', () => {
    const failing: Verdict = {
      ...passing,
      passed: false,
      rules: [{ ...passing.rules[0], passed: false, missing: ['risk: 1 more approval needed from acme/risk'] }],
      roles: [{ rule: 'release', role: 'risk', required: 1, filled_by: [] }],
    };
    const out = renderCheckRun(failing, ctx, facts);
    expect(out.conclusion).toBe('failure');
    expect(out.title).toBe('Not approved (base main): risk: 1 more approval needed from acme/risk');
    expect(out.summary).toContain('| release | risk | 1 | **nobody yet** | — | missing |');
    expect(out.summary).toContain('model-gate approve --repo acme/models --pr 7 --role risk --post');
    expect(out.summary).toContain(`"head_sha":"${sha('c')}"`);
    expect(out.summary).toContain('ssh-keygen -Y sign -n model-release-gate@v1');
  });

  it('fail-closed verdicts show their reason; huge summaries stay within GitHub\'s 65,535 characters', () => {
    const out = renderCheckRun(failClosed({}, ['x'.repeat(70000)]), ctx);
    expect(out.conclusion).toBe('failure');
    expect(out.title.length).toBeLessThanOrEqual(250);
    expect(out.summary.length).toBeLessThanOrEqual(65535);
    expect(out.summary).toMatch(/truncated/);
  });
});

describe('audit records of an evaluation', () => {
  const base = { verdict: passing, conclusion: 'success' as const, facts, context: ctx, trigger: 'pull_request_review.submitted', delivery_id: 'd1' };

  it('a verdict change and the approval of the review that triggered it', () => {
    const recs = gateRecords({ ...base, previous_conclusion: 'failure', review_login: 'bob' });
    expect(recs.map((r) => `${r.event_type}:${r.actor}:${r.action}`)).toEqual([
      'APPROVAL_VERIFIED:bob:approve',
      'GATE_VERDICT:model-release-gate[bot]:pass',
    ]);
    expect(recs.every((r) => r.log === 'acme/models')).toBe(true);
    expect((recs[0].details as { signature: string }).signature).toMatch(/^-----BEGIN SSH SIGNATURE-----/);
  });

  it('records the statement the verdict says the signature verified over (a role-bound one), never one rebuilt from the review body', () => {
    const bound = statementBytes(buildStatement(facts, { login: 'bob', id: 2 }, 'risk')).toString('utf8');
    const verdict: Verdict = { ...passing, approvals: [{ ...passing.approvals[0], statement: bound }] };
    // The body claims the unscoped statement: the record must not follow the claim.
    const [approval] = gateRecords({ ...base, verdict, previous_conclusion: 'success', review_login: 'bob' });
    expect((approval.details as { statement: { role?: string } }).statement.role).toBe('risk');
    expect(approval.subject?.[0]).toBe(`sha256:${createHash('sha256').update(bound).digest('hex')}`);
  });

  it('no APPROVAL_VERIFIED record for a counted approval without a verified statement (nothing to re-verify)', () => {
    const verdict: Verdict = { ...passing, approvals: [{ ...passing.approvals[0], statement: undefined }] };
    expect(gateRecords({ ...base, verdict, previous_conclusion: 'success', review_login: 'bob' })).toEqual([]);
  });

  it('nothing when the verdict did not change and no review arrived', () => {
    expect(gateRecords({ ...base, previous_conclusion: 'success' })).toEqual([]);
  });
});

describe('merge queue refs', () => {
  it('names the pull request of a merge group ref for its own base, and nothing else', () => {
    expect(queuePull(`refs/heads/gh-readonly-queue/main/pr-104-${sha('9')}`, 'refs/heads/main')).toBe(104);
    expect(queuePull(`refs/heads/gh-readonly-queue/release/v2/pr-5-${sha('1')}`, 'refs/heads/release/v2')).toBe(5);
    // The ref must be the queue ref of the group's own base.
    expect(queuePull(`refs/heads/gh-readonly-queue/main/pr-5-${sha('1')}`, 'refs/heads/evil-base')).toBeNull();
    expect(queuePull(`gh-readonly-queue/main/pr-5-${sha('1')}`, 'refs/heads/main')).toBeNull();
    expect(queuePull('refs/heads/feature/pr-5', 'refs/heads/main')).toBeNull();
  });
});
