/**
 * APPROVAL_VERIFIED and GATE_VERDICT records exactly as the GitHub App writes
 * them (`gateRecords` in src/app/audit.ts: same event types, component,
 * actor, action, subjects, details fields and tags), with an approval
 * statement in the DESIGN.md §4 format signed by the real `ssh-keygen -Y sign`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { sha256 } from '../../src/core/digest.js';
import type { RecordInput } from '../../src/audit/index.js';

export interface PullRequestContext {
  repository: string;
  repository_id: number;
  pull_request: number;
  base_ref: string;
  base_sha: string;
  head_sha: string;
  /** Model artifacts at the head (from metadata.json) and the metadata.json digest. */
  artifacts: Array<{ path: string; digest: string }>;
  lineage_digest: string | null;
}

export interface SshKey {
  path: string;
  fingerprint: string;
}

/** A fresh ed25519 key made by ssh-keygen in `dir`, with its SHA256 fingerprint as `ssh-keygen -l` prints it. */
export function sshKey(comment: string, dir: string): SshKey {
  const path = join(dir, `id_ed25519_${comment}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1];
  return { path, fingerprint };
}

function sign(key: SshKey, bytes: Buffer): string {
  const file = join(mkdtempSync(join(dirname(key.path), 'sig-')), 'statement.json');
  writeFileSync(file, bytes);
  execFileSync('ssh-keygen', ['-Y', 'sign', '-n', 'model-release-gate@v1', '-f', key.path, file], { stdio: 'ignore' });
  return readFileSync(`${file}.sig`, 'utf8');
}

/** The APPROVAL_VERIFIED record of one signed approval. */
export function approvalVerified(pr: PullRequestContext, approver: { login: string; id: number }, role: string | null, key: SshKey, delivery: string): RecordInput {
  const statement = {
    v: 1,
    type: 'model-release-approval',
    repository: pr.repository,
    repository_id: pr.repository_id,
    pull_request: pr.pull_request,
    base_sha: pr.base_sha,
    head_sha: pr.head_sha,
    artifacts: [...pr.artifacts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    lineage_digest: pr.lineage_digest,
    approver,
    decision: 'approve',
  };
  const bytes = Buffer.from(canonicalJson(statement), 'utf8');
  return {
    log: pr.repository,
    event_type: 'APPROVAL_VERIFIED',
    component: 'github-app',
    actor: approver.login,
    action: 'approve',
    subject: [sha256(bytes), ...pr.artifacts.map((a) => a.digest), ...(pr.lineage_digest ? [pr.lineage_digest] : [])],
    details: {
      repository: pr.repository,
      pull_request: pr.pull_request,
      base_ref: pr.base_ref,
      head_sha: pr.head_sha,
      approver,
      role,
      key_fingerprint: key.fingerprint,
      statement: JSON.parse(bytes.toString('utf8')),
      signature: sign(key, bytes),
      review_commit: pr.head_sha,
      delivery,
    },
    compliance_tags: ['four-eyes', 'model-release'],
  };
}

/** The GATE_VERDICT record of a change of verdict. */
export function gateVerdict(
  pr: PullRequestContext,
  conclusion: 'success' | 'failure',
  previous: string | null,
  roles: Array<{ rule: string; role: string; required: number; filled_by: Array<{ login: string; key_fingerprint: string | null }> }>,
  reasons: string[],
  delivery: string,
): RecordInput {
  return {
    log: pr.repository,
    event_type: 'GATE_VERDICT',
    component: 'github-app',
    actor: 'model-release-gate[bot]',
    action: conclusion === 'success' ? 'pass' : 'fail',
    subject: [...pr.artifacts.map((a) => a.digest), ...(pr.lineage_digest ? [pr.lineage_digest] : [])],
    details: {
      repository: pr.repository,
      pull_request: pr.pull_request,
      base_ref: pr.base_ref,
      base_sha: pr.base_sha,
      head_sha: pr.head_sha,
      check_sha: pr.head_sha,
      conclusion,
      previous_conclusion: previous,
      trigger: 'pull_request_review.submitted',
      delivery,
      roles: roles.map((r) => ({ ...r, filled_by: r.filled_by.map((f) => ({ ...f, signature: 'valid' })) })),
      reasons,
    },
    compliance_tags: ['four-eyes', 'model-release'],
  };
}
