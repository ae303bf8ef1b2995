/**
 * What the App appends to the audit log named by the policy: every verified
 * approval (statement + signature) when its review arrives, and every change
 * of verdict. "Change" needs no memory: the previous conclusion is read back
 * from GitHub's check runs on the same commit.
 *
 * It belongs to the approval capability, not the App (a pure translation
 * of approval's verdict) and not audit (which sits below approval and knows
 * nothing of verdicts): the record shapes are audit's builders.
 *
 * The records are built by audit's pure builders (gate-records.ts);
 * `appendGateRecords` writes them with audit-core's append protocol (safe
 * with several writers: two replicas and a release workflow may append at
 * once).
 */
import { appendAndCheckpoint } from '../audit/append-checkpoint.js';
import type { SigningKey } from '../audit/checkpoint.js';
import type { AppendStreamer } from '../audit/stream/after-append.js';
import { approvalVerifiedRecord, gateVerdictRecord, type GateSubject } from '../audit/gate-records.js';
import type { RecordInput } from '../audit/record.js';
import type { AuditStore } from '../audit/store.js';
import { findArmoredSignatures } from './sshsig.js';
import type { PullRequestFacts, Verdict } from './types.js';
import type { Digest } from '../core/digest.js';
import type { VerdictContext } from './check-run-text.js';

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

/** The records of one evaluation, in the order they are appended (pure): the verdict translated into audit's builders. */
export function gateRecords(a: AuditInput): RecordInput[] {
  const out: RecordInput[] = [];
  const subject: GateSubject = {
    repository: a.context.repository,
    pull_request: a.context.pull_request,
    base_ref: a.context.base_ref,
    base_sha: a.context.base_sha,
    head_sha: a.context.head_sha,
    check_sha: a.context.check_sha,
    artifacts: a.facts?.artifacts.map((x) => x.digest) ?? [],
    lineage_digest: a.facts?.lineage_digest ?? null,
    delivery_id: a.delivery_id,
  };

  if (a.review_login && a.facts) {
    const login = a.review_login.toLowerCase();
    const approval = a.verdict.approvals.find((x) => x.login.toLowerCase() === login && x.counted);
    const review = a.facts.reviews.find((r) => r.login.toLowerCase() === login);
    // The bytes the signature verified over, carried by the verdict: never rebuilt here.
    if (approval && review && approval.key_fingerprint && approval.statement !== undefined) {
      const role = a.verdict.roles.find((r) => r.filled_by.some((f) => f.login.toLowerCase() === login));
      out.push(
        approvalVerifiedRecord(
          { ...subject, head_sha: a.facts.head_sha },
          {
            login: review.login,
            user_id: review.user_id,
            role: role ? `${role.rule}/${role.role}` : null,
            key_fingerprint: approval.key_fingerprint,
            statement: approval.statement,
            signature: findArmoredSignatures(review.body)[0] ?? null,
            review_commit: review.commit_id,
          },
        ),
      );
    }
  }

  if (a.previous_conclusion !== a.conclusion) {
    out.push(
      gateVerdictRecord(subject, {
        conclusion: a.conclusion,
        previous_conclusion: a.previous_conclusion,
        trigger: a.trigger,
        roles: a.verdict.roles,
        reasons: a.verdict.reasons,
      }),
    );
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
