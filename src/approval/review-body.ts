/**
 * The approving review's body, written and read in one place: a human line,
 * the statement on a line of its own (canonical JSON, a hint of what was
 * signed), and the signature (an armored SSH signature or a compact JWS).
 * The statement line is a claim: the verifier rebuilds the statement from
 * the facts and accepts a signature only over those bytes.
 */
import { APPROVAL_NAMESPACE } from './types.js';

/** What the body says in words. */
export interface ReviewBodyInput {
  /** `owner/repo#n` */
  pull: string;
  head_sha: string;
  login: string;
  role?: string;
  /** The statement's bytes. */
  statement: Buffer;
  /** The armored signature. */
  signature: string;
}

/** The review body `model-gate approve` posts and the App reads. */
export function approvalReviewBody(b: ReviewBodyInput): string {
  return [
    `Approved model release ${b.pull} at ${b.head_sha.slice(0, 12)} as @${b.login}${b.role ? ` for role ${b.role}` : ''} (signed, ${APPROVAL_NAMESPACE}).`,
    '',
    b.statement.toString('utf8'),
    '',
    b.signature.trim(),
    '',
  ].join('\n');
}

/** The statement lines a body claims (one line of JSON of type model-release-approval each), trimmed. */
export function statementLines(body: string): string[] {
  return body
    .split('\n')
    .map((line) => line.trim())
    .filter((t) => t.startsWith('{') && t.includes('model-release-approval'));
}
