/**
 * The audit records of the release gate (the GitHub App): `APPROVAL_VERIFIED`
 * (a signed approval verified, with the statement bytes its signature is
 * over, so an auditor can re-verify it from the record alone) and
 * `GATE_VERDICT` (the required check's conclusion changed). Like the other
 * record types, their subjects include the model and metadata.json digests,
 * which is how the compliance report joins them to a release.
 *
 * Pure builders over plain values: the App translates its verdict into these
 * inputs and appends the results with the append protocol.
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../core/digest.js';
import type { RecordInput } from './record.js';

/** Event type of the record of one verified signed approval. */
export const APPROVAL_VERIFIED = 'APPROVAL_VERIFIED';
/** Event type of the record of a change of the gate's verdict on a commit. */
export const GATE_VERDICT = 'GATE_VERDICT';

const COMPONENT = 'github-app';
const APP_ACTOR = 'model-release-gate[bot]';
const TAGS = ['four-eyes', 'model-release'];

/** The pull request and commit a verdict is about. */
export interface GateSubject {
  /** `owner/repo`: also the log's name. */
  repository: string;
  pull_request: number;
  base_ref: string;
  base_sha: string;
  head_sha: string;
  /** The commit the check is on (the PR head, or a merge group's head). */
  check_sha: string;
  /** The artifacts' digests (the models the statement names). */
  artifacts: Digest[];
  /** The metadata.json digest, when there is one. */
  lineage_digest: Digest | null;
  delivery_id: string;
}

/** One verified approval, as the record keeps it. */
export interface VerifiedApproval {
  login: string;
  user_id: number;
  /** `rule/role` of the slot it filled, or null. */
  role: string | null;
  key_fingerprint: string;
  /** The statement (canonical JSON) the signature verified over. */
  statement: string;
  /** The armored SSH signature, or null (a JWS approval). */
  signature: string | null;
  /** The commit the review was on. */
  review_commit: string;
}

const sha256 = (b: Uint8Array | string): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest;

const subjects = (s: GateSubject): Digest[] => [...s.artifacts, ...(s.lineage_digest ? [s.lineage_digest] : [])];

/** The APPROVAL_VERIFIED record: first subject the statement's digest, then the release's digests. */
export function approvalVerifiedRecord(s: GateSubject, a: VerifiedApproval): RecordInput {
  return {
    log: s.repository,
    event_type: APPROVAL_VERIFIED,
    component: COMPONENT,
    actor: a.login,
    action: 'approve',
    subject: [sha256(a.statement), ...subjects(s)],
    details: {
      repository: s.repository,
      pull_request: s.pull_request,
      base_ref: s.base_ref,
      head_sha: s.head_sha,
      approver: { login: a.login, id: a.user_id },
      role: a.role,
      key_fingerprint: a.key_fingerprint,
      statement: JSON.parse(a.statement),
      signature: a.signature,
      review_commit: a.review_commit,
      delivery: s.delivery_id,
    },
    compliance_tags: TAGS,
  };
}

/** A GATE_VERDICT record (the App's, on a pull request's head or a merge group's). */
const verdictRecord = (log: string, conclusion: 'success' | 'failure', subject: Digest[], details: Record<string, unknown>): RecordInput => ({
  log,
  event_type: GATE_VERDICT,
  component: COMPONENT,
  actor: APP_ACTOR,
  action: conclusion === 'success' ? 'pass' : 'fail',
  subject,
  details,
  compliance_tags: TAGS,
});

/** A role slot as the verdict fills it. */
export interface FilledRole {
  rule: string;
  role: string;
  required: number;
  filled_by: Array<{ login: string; key_fingerprint?: string; signature: string }>;
}

/** The GATE_VERDICT record of a conclusion that differs from the previous one (at most 50 roles and 20 reasons kept). */
export function gateVerdictRecord(
  s: GateSubject,
  v: { conclusion: 'success' | 'failure'; previous_conclusion: string | null; trigger: string; roles: FilledRole[]; reasons: string[] },
): RecordInput {
  return verdictRecord(s.repository, v.conclusion, subjects(s), {
    repository: s.repository,
    pull_request: s.pull_request,
    base_ref: s.base_ref,
    base_sha: s.base_sha,
    head_sha: s.head_sha,
    check_sha: s.check_sha,
    conclusion: v.conclusion,
    previous_conclusion: v.previous_conclusion,
    trigger: v.trigger,
    delivery: s.delivery_id,
    roles: v.roles.slice(0, 50).map((r) => ({
      rule: r.rule,
      role: r.role,
      required: r.required,
      filled_by: r.filled_by.map((f) => ({ login: f.login, key_fingerprint: f.key_fingerprint ?? null, signature: f.signature })),
    })),
    reasons: v.reasons.slice(0, 20).map((r) => r.slice(0, 2000)),
  });
}

/** A merge group's verdict, as the merge queue's check judged it. */
export interface MergeGroupVerdict {
  /** `owner/repo`: also the log's name. */
  repository: string;
  merge_group: { head_ref: string; head_sha: string; base_ref: string; base_sha: string };
  /** The pull request the queue made the group for (from its ref), or null. */
  pull_request: number | null;
  conclusion: 'success' | 'failure';
  previous_conclusion: string | null;
  /** Digests of the protected files the group changes, at its head. */
  artifacts: Digest[];
  /** Protected path → the approved pull request that signed exactly that object. */
  covered_by: Record<string, number>;
  uncovered: string[];
  reasons: string[];
  trigger: string;
  delivery_id: string;
}

/** The GATE_VERDICT record of a merge group whose conclusion changed (at most 20 reasons kept). */
export function mergeGroupVerdictRecord(v: MergeGroupVerdict): RecordInput {
  return verdictRecord(v.repository, v.conclusion, [...new Set(v.artifacts)], {
    repository: v.repository,
    merge_group: v.merge_group,
    pull_request: v.pull_request,
    conclusion: v.conclusion,
    previous_conclusion: v.previous_conclusion,
    covered_by: v.covered_by,
    uncovered: v.uncovered,
    reasons: v.reasons.slice(0, 20),
    trigger: v.trigger,
    delivery: v.delivery_id,
  });
}
