/**
 * APPROVAL_VERIFIED and GATE_VERDICT records made by the GitHub App's own
 * `gateRecords` (src/approval/verdict-records.ts), from pull request facts and a verdict as
 * the App holds them, with approval statements signed by the real
 * `ssh-keygen -Y sign` and carried in the review body as the App reads them.
 */
import { join } from 'node:path';
import { gateRecords } from '../../src/approval/verdict-records.js';
import { buildStatement, statementBytes } from '../../src/approval/statement.js';
import type { PullRequestFacts, ReviewFact, Verdict } from '../../src/approval/types.js';
import type { Digest } from '../../src/core/digest.js';
import type { RecordInput } from '../../src/audit/index.js';
import { sshFingerprint, sshKeygen, sshSignWith } from '../helpers/ssh-keys.js';

export interface SshKey {
  path: string;
  fingerprint: string;
}

/** A fresh ed25519 key made by ssh-keygen in `dir`, with its SHA256 fingerprint as `ssh-keygen -l` prints it. */
export function sshKey(comment: string, dir: string): SshKey {
  const path = join(dir, `id_ed25519_${comment}`);
  sshKeygen(path, comment);
  return { path, fingerprint: sshFingerprint(`${path}.pub`) };
}

function sign(key: SshKey, bytes: Buffer): string {
  return sshSignWith(key.path, bytes);
}

export interface Approver {
  login: string;
  id: number;
  /** `rule/role`, as the verdict names the slot the approval filled. */
  slot: string;
  key: SshKey;
}

/** A pull request that changes one model and its metadata.json, as the App's facts gatherer sees it. */
export class PullRequest {
  readonly facts: PullRequestFacts;
  private readonly approved: Approver[] = [];
  private readonly statements = new Map<string, string>();
  private conclusion: 'success' | 'failure' | null = null;
  private deliveries = 0;

  constructor(repository: string, pullRequest: number, headSha: string, model: { path: string; digest: string }, metadataDigest: string) {
    this.facts = {
      repository,
      repository_id: 81234,
      pull_request: pullRequest,
      base_ref: 'main',
      base_sha: 'c'.repeat(40),
      head_sha: headSha,
      author: 'dev',
      commit_authors: ['dev'],
      changed_files: [model.path, model.path.replace(/[^/]+$/, 'metadata.json')],
      artifacts: [{ path: model.path, digest: model.digest as Digest }],
      lineage_digest: metadataDigest as Digest,
      teams: {},
      reviews: [],
      signing_keys: {},
    };
  }

  /**
   * The approver reviews with a signed statement; returns the records the App
   * appends for that review event (APPROVAL_VERIFIED, and GATE_VERDICT when the
   * verdict changes). `required` lists every slot the policy has.
   */
  approve(a: Approver, required: string[]): RecordInput[] {
    const statement = statementBytes(buildStatement(this.facts, { login: a.login, id: a.id }));
    const signature = sign(a.key, statement);
    this.statements.set(a.login, statement.toString('utf8'));
    const review: ReviewFact = { login: a.login, user_id: a.id, state: 'APPROVED', commit_id: this.facts.head_sha, body: `LGTM\n\n${signature}` };
    this.facts.reviews.push(review);
    this.approved.push(a);
    const roles = required.map((slot) => {
      const [rule, role] = slot.split('/');
      const fills = this.approved.filter((x) => x.slot === slot);
      return { rule, role, required: 1, filled_by: fills.map((x) => ({ login: x.login, key_fingerprint: x.key.fingerprint, signature: 'valid' as const })) };
    });
    const passed = roles.every((r) => r.filled_by.length >= r.required);
    const verdict: Verdict = {
      passed,
      release: true,
      base_ref: 'main',
      head_sha: this.facts.head_sha,
      rules: [],
      roles,
      // What evaluate() reports: the statement each counted signature verified over.
      approvals: this.approved.map((x) => ({ login: x.login, state: 'APPROVED', commit_id: this.facts.head_sha, counted: true, reason: 'signed approval', key_fingerprint: x.key.fingerprint, statement: this.statements.get(x.login) })),
      reasons: roles.filter((r) => r.filled_by.length < r.required).map((r) => `role ${r.role} needs ${r.required - r.filled_by.length} more approval`),
    };
    const conclusion = passed ? 'success' : 'failure';
    const records = gateRecords({
      verdict,
      conclusion,
      previous_conclusion: this.conclusion,
      facts: this.facts,
      context: {
        repository: this.facts.repository,
        pull_request: this.facts.pull_request,
        base_ref: 'main',
        base_sha: this.facts.base_sha,
        check_sha: this.facts.head_sha,
        head_sha: this.facts.head_sha,
      },
      trigger: 'pull_request_review.submitted',
      delivery_id: `delivery-${this.facts.pull_request}-${++this.deliveries}`,
      review_login: a.login,
    });
    this.conclusion = conclusion;
    return records;
  }
}
