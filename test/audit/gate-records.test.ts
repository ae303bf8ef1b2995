import { createHash } from 'node:crypto';
import { approvalVerifiedRecord, deploymentDecisionRecord, gateVerdictRecord, APPROVAL_VERIFIED, GATE_VERDICT, DEPLOYMENT_DECISION } from '../../src/audit/index.js';
import { KNOWN_EVENT_TYPES } from '../../src/report/index.js';

const digest = (c: string) => `sha256:${c.repeat(64)}` as const;
const subject = {
  repository: 'acme/models',
  pull_request: 7,
  base_ref: 'main',
  base_sha: 'b'.repeat(40),
  head_sha: 'c'.repeat(40),
  check_sha: 'c'.repeat(40),
  artifacts: [digest('a')],
  lineage_digest: digest('d'),
  delivery_id: 'd1',
};

describe('the release gate\'s record builders (src/audit, where every record type lives)', () => {
  it('APPROVAL_VERIFIED names the digest of the exact statement bytes first, then the release, and keeps the statement', () => {
    const statement = '{"decision":"approve","type":"model-release-approval"}';
    const r = approvalVerifiedRecord(subject, {
      login: 'bob', user_id: 2, role: 'release/risk', key_fingerprint: 'SHA256:x', statement, signature: null, review_commit: subject.head_sha,
    });
    expect(r.event_type).toBe(APPROVAL_VERIFIED);
    expect(r.subject).toEqual([`sha256:${createHash('sha256').update(statement).digest('hex')}`, digest('a'), digest('d')]);
    expect((r.details as { statement: unknown }).statement).toEqual(JSON.parse(statement));
  });

  it('GATE_VERDICT keeps at most 50 roles and 20 reasons of 2,000 characters', () => {
    const roles = Array.from({ length: 60 }, (_, i) => ({ rule: 'r', role: `x${i}`, required: 1, filled_by: [] }));
    const r = gateVerdictRecord(subject, { conclusion: 'failure', previous_conclusion: null, trigger: 't', roles, reasons: Array(30).fill('y'.repeat(3000)) });
    expect(r.event_type).toBe(GATE_VERDICT);
    const d = r.details as { roles: unknown[]; reasons: string[] };
    expect(d.roles).toHaveLength(50);
    expect(d.reasons).toHaveLength(20);
    expect(d.reasons[0]).toHaveLength(2000);
  });

  it('DEPLOYMENT_DECISION without a release: model and metadata null, no subject (the App built this one by hand)', () => {
    const r = deploymentDecisionRecord(null, { environment: 'production', decision: 'rejected', reason: 'no release', change: null }, { component: 'github-app', actor: 'bot' });
    expect(r.event_type).toBe(DEPLOYMENT_DECISION);
    expect(r.subject).toEqual([]);
    expect(r.details).toMatchObject({ model: null, metadata: null, change: null, decision: 'rejected' });
    expect(r.action).toBe('refuse deployment to production');
  });

  it('the report interprets exactly the event types audit defines', () => {
    expect([...KNOWN_EVENT_TYPES].sort()).toEqual(['APPROVAL_VERIFIED', 'CHANGE_REQUEST', 'DEPLOYMENT_DECISION', 'GATE_VERDICT', 'MODEL_RELEASE']);
  });
});
