/**
 * A small log as `buildReport` receives it (entries and a verification),
 * built in memory for the pure tests and the browser test. Record shapes are
 * those of the Action (MODEL_RELEASE), the App (APPROVAL_VERIFIED,
 * GATE_VERDICT) and deployment-record.ts.
 */
import {
  changeRequestRecord,
  deploymentDecisionRecord,
  modelReleaseRecord,
  type AuditRecord,
  type RecordInput,
} from '../../src/audit/index.js';
import { sha256, ZERO_DIGEST, type Digest } from '../../src/core/digest.js';
import type { LogEntry, LogVerification } from '../../src/report/index.js';

export const d = (c: string): Digest => `sha256:${c.repeat(64).slice(0, 64)}` as Digest;

export const MODEL = d('a1');
export const METADATA = d('b2');

/** Turns record inputs into entries with times and digests (no real chain needed by buildReport). */
export function entriesOf(inputs: Array<[string, RecordInput]>): LogEntry[] {
  let prev: Digest = ZERO_DIGEST;
  return inputs.map(([time, r], seq) => {
    const record: AuditRecord = {
      v: 1,
      log: 'acme-bank/credit-models',
      seq,
      prev,
      time,
      event_type: r.event_type,
      component: r.component,
      actor: r.actor,
      action: r.action,
      subject: (r.subject ?? []) as Digest[],
      details: (r.details ?? {}) as AuditRecord['details'],
      compliance_tags: r.compliance_tags ?? [],
    };
    const digest = sha256(JSON.stringify(record));
    prev = digest;
    return { seq, digest, record };
  });
}

export function release(model: Digest, metadata: Digest, path = 'models/credit-risk/model.pt'): RecordInput {
  return modelReleaseRecord(
    {
      modelPath: path,
      modelDigest: model,
      metadataPath: path.replace(/[^/]+$/, 'metadata.json'),
      metadataDigest: metadata,
      reproducibilityDigest: d('c3'),
      datasets: [
        { name: 'data/training', role: 'training', digest: d('d4') },
        { name: 'data/validation/holdout.parquet', role: 'validation', digest: d('e5') },
      ],
    },
    { repository: 'acme-bank/credit-models', actor: 'release-bot', commit: 'f'.repeat(40), workflow: 'release-model', runId: '4242', runUrl: 'https://github.com/acme-bank/credit-models/actions/runs/4242', component: 'github-action' },
  );
}

export function approval(login: string, role: string, subjects: Digest[]): RecordInput {
  return {
    event_type: 'APPROVAL_VERIFIED',
    component: 'github-app',
    actor: login,
    action: 'approve',
    subject: [d('99'), ...subjects],
    details: {
      repository: 'acme-bank/credit-models',
      pull_request: 17,
      base_ref: 'main',
      head_sha: '1'.repeat(40),
      approver: { login, id: 1000 + login.length },
      role,
      key_fingerprint: `SHA256:${login}FingerprintAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
      statement: {},
      signature: '-----BEGIN SSH SIGNATURE-----\n...\n-----END SSH SIGNATURE-----',
      review_commit: '1'.repeat(40),
      delivery: 'x',
    },
    compliance_tags: ['four-eyes', 'model-release'],
  };
}

export function verdict(conclusion: 'success' | 'failure', subjects: Digest[]): RecordInput {
  return {
    event_type: 'GATE_VERDICT',
    component: 'github-app',
    actor: 'model-release-gate[bot]',
    action: conclusion === 'success' ? 'pass' : 'fail',
    subject: subjects,
    details: {
      repository: 'acme-bank/credit-models',
      pull_request: 17,
      conclusion,
      previous_conclusion: null,
      head_sha: '1'.repeat(40),
      roles: [
        { rule: 'prod', role: 'senior-developer', required: 1, filled_by: [{ login: 'alice', key_fingerprint: 'SHA256:x', signature: 'valid' }] },
        { rule: 'prod', role: 'risk-manager', required: 1, filled_by: [{ login: 'bob', key_fingerprint: 'SHA256:y', signature: 'valid' }] },
      ],
      reasons: [],
    },
    compliance_tags: ['four-eyes', 'model-release'],
  };
}

const change = { system: 'servicenow', number: 'CHG0030001', url: 'https://acme.service-now.com/nav_to.do?uri=change_request.do', state: '-1', approval: 'approved' };

/** One complete release (two approvers, verdict, change, deployment), plus an unknown event. */
export function sampleEntries(): LogEntry[] {
  return entriesOf([
    ['2026-03-02T09:00:00.000Z', release(MODEL, METADATA)],
    ['2026-03-03T10:00:00.000Z', approval('alice', 'prod/senior-developer', [MODEL, METADATA])],
    ['2026-03-03T11:00:00.000Z', approval('bob', 'prod/risk-manager', [MODEL, METADATA])],
    ['2026-03-03T11:00:01.000Z', verdict('success', [MODEL, METADATA])],
    ['2026-03-04T08:00:00.000Z', changeRequestRecord({ modelDigest: MODEL, metadataDigest: METADATA }, change, { component: 'cli', actor: 'release-bot', created: true })],
    ['2026-03-05T08:00:00.000Z', deploymentDecisionRecord({ modelDigest: MODEL, metadataDigest: METADATA }, { environment: 'production', decision: 'approved', reason: 'CHG0030001 is approved', change }, { component: 'github-app', actor: 'model-release-gate[bot]' })],
    ['2026-03-06T08:00:00.000Z', { event_type: 'MODEL_RETIRED', component: 'cli', actor: 'ops', action: 'retire v0', subject: [], details: {} }],
  ]);
}

/** The verification of a sample log: intact, with findings (`ok` false), or with records from `anchored` on unanchored. */
export function verification(entries: LogEntry[], ok = true, anchored = entries.length): LogVerification {
  const head = entries.length ? entries[entries.length - 1].digest : null;
  return {
    ok,
    status: !ok ? 'findings' : anchored >= entries.length ? 'intact' : 'unanchored-tail',
    anchored_size: anchored,
    anchored_by: anchored > 0 ? `the signed checkpoint at size ${anchored}` : null,
    size: entries.length,
    head: head as Digest | null,
    log: 'acme-bank/credit-models',
    findings: ok ? [] : [{ kind: 'modified', seq: 1, message: 'record 1 has digest X, but record 2 (confirmed by what follows it) says Y' }],
    superseded: [],
    stores: [{ store: 's3://audit-bucket/acme-bank/credit-models', size: entries.length, head: head as Digest | null, anchored_size: anchored, checkpoints: { valid: 1, bad: 0, unchecked: 0 } }],
    from: 0,
    checkpoint_keys: ['kid-thumbprint'],
    checkpoint: anchored === 0 ? null : { size: anchored, head: (entries[anchored - 1]?.digest ?? head) as string, time: '2026-03-06T09:00:00.000Z', log: 'acme-bank/credit-models', kid: 'kid-thumbprint' },
    retention: [{ store: 's3://audit-bucket/acme-bank/credit-models', kind: 's3', retention_days: 2557 }],
  };
}
