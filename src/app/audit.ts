/**
 * What the App appends to the audit log named by the policy: every verified
 * approval (statement + signature) when its review arrives, and every change
 * of verdict. "Change" needs no memory: the previous conclusion is read back
 * from GitHub's check runs on the same commit (github-checks.ts).
 *
 * The records are built by a pure function; `appendGateRecords` writes them
 * with audit-core's append protocol (safe with several writers: two replicas
 * and a release workflow may append at once).
 */
import { createHash } from 'node:crypto';
import { appendAndCheckpoint } from '../audit/append-checkpoint.js';
import type { SigningKey } from '../audit/checkpoint.js';
import type { AppendStreamer } from '../audit/stream/after-append.js';
import type { RecordInput } from '../audit/record.js';
import type { AuditStore } from '../audit/store.js';
import { findArmoredSignatures } from '../approval/sshsig.js';
import type { PullRequestFacts, Verdict } from '../approval/types.js';
import type { Digest } from '../core/digest.js';
import type { VerdictContext } from './check-run.js';

export const EVENT_APPROVAL_VERIFIED = 'APPROVAL_VERIFIED';
export const EVENT_GATE_VERDICT = 'GATE_VERDICT';
const COMPONENT = 'github-app';
const APP_ACTOR = 'model-release-gate[bot]';
const TAGS = ['four-eyes', 'model-release'];

/** Everything one evaluation contributes to the records. */
export interface AuditInput {
  verdict: Verdict;
  conclusion: 'success' | 'failure';
  previous_conclusion: string | null;
  facts: PullRequestFacts | null;
  context: VerdictContext;
  trigger: string;
  delivery_id: string;
  /** Login of the reviewer whose review triggered this event, if any. */
  review_login?: string;
}

const sha256 = (b: Uint8Array | string): Digest =>
  `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest;

/** The records of one evaluation, in the order they are appended (pure). */
export function gateRecords(a: AuditInput): RecordInput[] {
  const out: RecordInput[] = [];
  const log = a.context.repository;
  const artifacts = a.facts?.artifacts.map((x) => x.digest) ?? [];
  const lineage = a.facts?.lineage_digest ? [a.facts.lineage_digest] : [];

  if (a.review_login && a.facts) {
    const login = a.review_login.toLowerCase();
    const approval = a.verdict.approvals.find((x) => x.login.toLowerCase() === login && x.counted);
    const review = a.facts.reviews.find((r) => r.login.toLowerCase() === login);
    if (approval && review && approval.key_fingerprint && approval.statement !== undefined) {
      const role = a.verdict.roles.find((r) => r.filled_by.some((f) => f.login.toLowerCase() === login));
      // The bytes the signature verified over, carried by the verdict: never rebuilt here.
      const bytes = Buffer.from(approval.statement ?? '', 'utf8');
      out.push({
        log,
        event_type: EVENT_APPROVAL_VERIFIED,
        component: COMPONENT,
        actor: review.login,
        action: 'approve',
        subject: [sha256(bytes), ...artifacts, ...lineage],
        details: {
          repository: a.context.repository,
          pull_request: a.context.pull_request,
          base_ref: a.context.base_ref,
          head_sha: a.facts.head_sha,
          approver: { login: review.login, id: review.user_id },
          role: role ? `${role.rule}/${role.role}` : null,
          key_fingerprint: approval.key_fingerprint,
          statement: JSON.parse(bytes.toString('utf8')),
          signature: findArmoredSignatures(review.body)[0] ?? null,
          review_commit: review.commit_id,
          delivery: a.delivery_id,
        },
        compliance_tags: TAGS,
      });
    }
  }

  if (a.previous_conclusion !== a.conclusion) {
    out.push({
      log,
      event_type: EVENT_GATE_VERDICT,
      component: COMPONENT,
      actor: APP_ACTOR,
      action: a.conclusion === 'success' ? 'pass' : 'fail',
      subject: [...artifacts, ...lineage],
      details: {
        repository: a.context.repository,
        pull_request: a.context.pull_request,
        base_ref: a.context.base_ref,
        base_sha: a.context.base_sha,
        head_sha: a.context.head_sha,
        check_sha: a.context.check_sha,
        conclusion: a.conclusion,
        previous_conclusion: a.previous_conclusion,
        trigger: a.trigger,
        delivery: a.delivery_id,
        roles: a.verdict.roles.slice(0, 50).map((r) => ({
          rule: r.rule,
          role: r.role,
          required: r.required,
          filled_by: r.filled_by.map((f) => ({ login: f.login, key_fingerprint: f.key_fingerprint ?? null, signature: f.signature })),
        })),
        reasons: a.verdict.reasons.slice(0, 20).map((r) => r.slice(0, 2000)),
      },
      compliance_tags: TAGS,
    });
  }
  return out;
}

/**
 * Appends the records to the stores (audit-core's protocol; first store
 * sequences) and, with a checkpoint key, signs a checkpoint right after.
 */
export async function appendGateRecords(
  stores: AuditStore[],
  records: RecordInput[],
  now: () => Date,
  signingKey?: SigningKey,
  streamTo?: AppendStreamer,
): Promise<Array<{ event_type: string; seq: number; digest: Digest }>> {
  // streamTo publishes to Kafka after the append; its failure is logged by the streamer's caller, never fatal.
  const res = await appendAndCheckpoint(stores, records, { now, signingKey, streamTo });
  return res.records.map((r, i) => ({ event_type: records[i].event_type, seq: r.seq, digest: r.digest }));
}
