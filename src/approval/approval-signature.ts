/**
 * Whether a review carries a valid signature by the reviewer over the exact
 * approval statement for THIS pull request, head, artifacts and approver.
 * The review body holds an armored SSH signature or a compact JWS on a line
 * of its own; it may also hold the statement itself (one line of canonical
 * JSON), which only serves as a hint: the gate rebuilds the statement from
 * the facts and checks the signature against its own bytes.
 */
import { canonicalJson } from '../core/canonical-json.js';
import { parseAllowedSigners, signersFor, type AllowedSignersParse } from './allowed-signers.js';
import { findCompactJws, jwsPayload, verifyJwsApproval } from './jws-approval.js';
import { fingerprint, parsePublicKeyLineCached, type SshPublicKey } from './ssh-key.js';
import { keyIdentity } from './key-identity.js';
import { findArmoredSignatures, parseSshSig, verifySshSig, type SshSig } from './sshsig.js';
import { buildStatement, StatementTemplate } from './statement.js';
import { statementLines } from './review-body.js';
import { APPROVAL_NAMESPACE, type ApprovalStatement, type KeySource, type PullRequestFacts, type ReviewFact } from './types.js';
import { own } from './own-property.js';

export interface SignatureCheck {
  valid: boolean;
  /** Why it is (not) valid, as a sentence about the reviewer. */
  reason: string;
  fingerprint?: string;
  /** The role the signed statement is bound to, when it is. */
  role?: string;
  /** Key source that vouched for the key (`github`, `allowed-signers:PATH`, `jwks:PATH`). */
  source?: string;
  /** The key pair's identity across formats (see key-identity.ts): one key counts for one approver. */
  key_id?: string;
  /** The statement bytes (UTF-8) the signature verified over. */
  statement?: string;
}

const short = (sha: string): string => sha.slice(0, 7);

/** A usable SSH key of the reviewer and the source that vouches for it. */
interface AllowedKey {
  key: SshPublicKey;
  source: string;
  noTouchRequired: boolean;
  verifyRequired: boolean;
}

/**
 * Work shared by every review of one evaluation: parsed allowed-signers files,
 * parsed public keys, and the statement template of the pull request.
 */
export interface SignatureCaches {
  signers: Map<string, AllowedSignersParse>;
  keys: Map<string, SshPublicKey | null>;
  template?: StatementTemplate;
}

export function newSignatureCaches(): SignatureCaches {
  return { signers: new Map(), keys: new Map() };
}

function parseKeyCached(line: string, caches: SignatureCaches): SshPublicKey | null {
  let k = caches.keys.get(line);
  if (k === undefined) {
    try {
      k = parsePublicKeyLineCached(line);
    } catch {
      k = null; // an unsupported key registered on GitHub is simply not usable
    }
    caches.keys.set(line, k);
  }
  return k;
}

function sourceName(s: KeySource): string {
  return s.kind === 'github' ? 'github' : `${s.kind}:${s.path}`;
}

function lookup<T>(record: Record<string, T> | undefined, login: string): T | undefined {
  if (!record) return undefined;
  const exact = own(record, login);
  if (exact !== undefined) return exact;
  const lower = login.toLowerCase();
  const k = Object.keys(record).find((x) => x.toLowerCase() === lower);
  return k === undefined ? undefined : own(record, k);
}

function allowedSshKeys(
  review: ReviewFact,
  sources: KeySource[],
  facts: PullRequestFacts,
  caches: SignatureCaches,
): { keys: AllowedKey[]; notes: string[] } {
  const keys: AllowedKey[] = [];
  const notes: string[] = [];
  for (const s of sources) {
    if (s.kind === 'github') {
      const lines = lookup(facts.signing_keys, review.login) ?? [];
      let n = 0;
      for (const line of lines) {
        const key = parseKeyCached(line, caches);
        if (!key) continue;
        keys.push({ key, source: 'github', noTouchRequired: false, verifyRequired: false });
        n++;
      }
      notes.push(`github: ${n} usable signing key${n === 1 ? '' : 's'}`);
    } else if (s.kind === 'allowed-signers') {
      const text = own(facts.allowed_signers, s.path);
      if (text === undefined) {
        notes.push(`allowed-signers:${s.path} was not provided`);
        continue;
      }
      let parsed = caches.signers.get(s.path);
      if (!parsed) {
        parsed = parseAllowedSigners(text);
        caches.signers.set(s.path, parsed);
      }
      const { usable, skipped } = signersFor(parsed, review.login, APPROVAL_NAMESPACE, review.submitted_at);
      for (const u of usable) {
        keys.push({ key: u.key!, source: `allowed-signers:${s.path}`, noTouchRequired: u.noTouchRequired, verifyRequired: u.verifyRequired });
      }
      notes.push(`allowed-signers:${s.path}: ${usable.length} entr${usable.length === 1 ? 'y' : 'ies'}${skipped.length ? ` (skipped ${skipped.join('; ')})` : ''}`);
    }
  }
  return { keys, notes };
}

/** Human differences between a claimed statement and the expected one. */
export function statementDifference(claimed: unknown, expected: ApprovalStatement): string | undefined {
  if (claimed === null || typeof claimed !== 'object') return 'the signed payload is not an approval statement';
  const c = claimed as Record<string, unknown>;
  if (c.type !== expected.type || c.v !== expected.v) return 'the signed payload is not a v1 model-release-approval statement';
  if (c.repository !== expected.repository || c.repository_id !== expected.repository_id)
    return `the signed statement is for repository ${String(c.repository)} (id ${String(c.repository_id)}), not ${expected.repository} (id ${expected.repository_id})`;
  if (c.pull_request !== expected.pull_request)
    return `the signed statement is for pull request #${String(c.pull_request)}, not #${expected.pull_request}`;
  if (c.head_sha !== expected.head_sha)
    return `the signed statement is for ${short(String(c.head_sha))}, not the head ${short(expected.head_sha)}`;
  if (c.base_sha !== expected.base_sha)
    return `the signed statement is for base ${short(String(c.base_sha))}, not ${short(expected.base_sha)}`;
  const ap = c.approver as { login?: unknown; id?: unknown } | undefined;
  if (String(ap?.login).toLowerCase() !== expected.approver.login.toLowerCase() || ap?.id !== expected.approver.id)
    return `the signed statement names approver ${String(ap?.login)}, not ${expected.approver.login}`;
  if (canonicalJson(c.artifacts ?? null) !== canonicalJson(expected.artifacts))
    return 'the signed statement lists other artifacts or digests than this head has';
  if ((c.lineage_digest ?? null) !== expected.lineage_digest)
    return `the signed statement has lineage digest ${String(c.lineage_digest)}, not ${String(expected.lineage_digest)}`;
  if (c.decision !== 'approve') return `the signed statement's decision is ${String(c.decision)}, not approve`;
  return undefined;
}

/** Statement lines (one line of JSON of type model-release-approval) in a review body. */
interface Claim {
  bytes: Buffer;
  /** The parsed JSON (parsed only when needed: usually the bytes already match). */
  readonly value: unknown;
}

function claimedStatements(body: string): Claim[] {
  return statementLines(body).map((t) => {
    let parsed: { done: boolean; value: unknown } = { done: false, value: undefined };
    return {
      bytes: Buffer.from(t, 'utf8'),
      get value(): unknown {
        if (!parsed.done) {
          try {
            parsed = { done: true, value: JSON.parse(t) };
          } catch {
            parsed = { done: true, value: null }; // not JSON: claims nothing
          }
        }
        return parsed.value;
      },
    };
  });
}

/**
 * Checks the review's signature for one rule's key sources. `roleNames` are
 * the roles a role-bound statement may name (the rule's roles).
 */
export async function checkApprovalSignature(
  review: ReviewFact,
  facts: PullRequestFacts,
  sources: KeySource[],
  roleNames: string[],
  caches: SignatureCaches = newSignatureCaches(),
): Promise<SignatureCheck> {
  const who = review.login;
  const ssh = findArmoredSignatures(review.body);
  const jws = findCompactJws(review.body);
  if (ssh.length === 0 && jws.length === 0) {
    return {
      valid: false,
      reason: `${who}'s approval is not signed (signatures are required: sign the statement from \`model-gate approval statement\` with ssh-keygen -Y sign -n ${APPROVAL_NAMESPACE})`,
    };
  }
  const approver = { login: review.login, id: review.user_id };
  caches.template ??= new StatementTemplate(facts);
  const template = caches.template;
  const expectedStatement = (role?: string): ApprovalStatement => buildStatement(facts, approver, role);
  // Candidate statements (no role, or bound to one of the rule's roles), built on demand.
  const built = new Map<string | undefined, Buffer>();
  const allowedRoles = new Set(roleNames);
  const bytesFor = (role: string | undefined): Buffer => {
    let b = built.get(role);
    if (!b) {
      b = template.bytes(approver, role);
      built.set(role, b);
    }
    return b;
  };
  const bytesOf = { has: (r: string | undefined) => r === undefined || allowedRoles.has(r), get: bytesFor };

  // Try the statement the body claims first (usually one verification instead of 1 + roles).
  const claims = claimedStatements(review.body);
  const order: Array<string | undefined> = [];
  for (const c of claims) {
    if (c.bytes.equals(bytesFor(undefined))) {
      if (!order.includes(undefined)) order.push(undefined);
      continue;
    }
    const role = (c.value as { role?: unknown } | null)?.role;
    const r = typeof role === 'string' ? role : undefined;
    if (bytesOf.has(r) && !order.includes(r) && bytesFor(r).equals(c.bytes)) order.push(r);
  }
  for (const r of [undefined, ...roleNames]) if (!order.includes(r)) order.push(r);

  const reasons: string[] = [];
  const sshSources = sources.filter((s) => s.kind !== 'jwks');
  if (ssh.length > 0) {
    if (sshSources.length === 0) reasons.push(`${who} signed with SSH, but this rule accepts only ${sources.map(sourceName).join(', ')}`);
    else {
      const { keys, notes } = allowedSshKeys(review, sshSources, facts, caches);
      for (const block of ssh) {
        let sig: SshSig;
        try {
          sig = parseSshSig(block);
        } catch (e) {
          reasons.push(`${who}'s SSH signature is unreadable: ${(e as Error).message}`);
          continue;
        }
        const fp = fingerprint(sig.publicKey);
        if (sig.namespace !== APPROVAL_NAMESPACE) {
          reasons.push(`${who}'s signature is in namespace "${sig.namespace}", not "${APPROVAL_NAMESPACE}"`);
          continue;
        }
        const allowed = keys.find((k) => k.key.blob.equals(sig.publicKey));
        if (!allowed) {
          reasons.push(`${who}'s signature was made with key ${fp}, which is not one of ${who}'s keys (${notes.join('; ')})`);
          continue;
        }
        const options = {
          key: allowed.key,
          namespace: APPROVAL_NAMESPACE,
          allowNoTouch: allowed.noTouchRequired,
          requireUserVerification: allowed.verifyRequired,
        };
        let done = false;
        for (const r of order) {
          const res = verifySshSig(sig, bytesFor(r), options);
          if (res.valid) {
            return {
              valid: true,
              reason: `signed by ${who} with ${res.keyType} ${fp} (${allowed.source})${r ? ` for role ${r}` : ''}`,
              fingerprint: fp,
              role: r,
              source: allowed.source,
              key_id: keyIdentity(allowed.key.key),
              statement: bytesFor(r).toString('utf8'),
            };
          }
          if (!/does not verify/.test(res.reason)) {
            reasons.push(`${who}'s signature: ${res.reason}`);
            done = true;
            break;
          }
        }
        if (done) continue;
        // Explain with the statement the body claims, when the signature is over it.
        let explained = false;
        for (const c of claims) {
          if (verifySshSig(sig, c.bytes, options).valid) {
            const diff = statementDifference(c.value, expectedStatement());
            const claimedRole = (c.value as { role?: unknown }).role;
            reasons.push(
              `${who}'s signature is valid but ${diff ?? (typeof claimedRole === 'string' ? `is bound to role ${claimedRole}, which this rule does not have` : 'the signed statement is not in canonical form')}`,
            );
            explained = true;
            break;
          }
        }
        if (!explained) {
          reasons.push(
            `${who}'s signature (key ${fp}) does not verify over the statement for ${facts.repository}#${facts.pull_request} at head ${short(facts.head_sha)}: it was made for another pull request, head, artifact set or role, or it was altered`,
          );
        }
      }
    }
  }
  const jwksSources = sources.filter((s): s is Extract<KeySource, { kind: 'jwks' }> => s.kind === 'jwks');
  if (jws.length > 0) {
    if (jwksSources.length === 0) reasons.push(`${who} signed with a JWS, but this rule accepts only ${sources.map(sourceName).join(', ')}`);
    for (const token of jwksSources.length ? jws : []) {
      const payload = jwsPayload(token);
      let claimed: unknown;
      try {
        claimed = JSON.parse(payload?.toString('utf8') ?? '');
      } catch {
        reasons.push(`${who}'s JWS payload is not JSON`);
        continue;
      }
      const role = (claimed as { role?: unknown } | null)?.role;
      const r = typeof role === 'string' ? role : undefined;
      if (r !== undefined && !bytesOf.has(r)) {
        reasons.push(`${who}'s JWS statement is bound to role ${r}, which this rule does not have`);
        continue;
      }
      const bytes = bytesFor(r);
      if (!payload!.equals(bytes)) {
        const diff = statementDifference(claimed, expectedStatement(r));
        reasons.push(`${who}'s JWS: ${diff ?? 'the payload is not the canonical (RFC 8785) bytes of the statement'}`);
        continue;
      }
      for (const s of jwksSources) {
        const set = own(facts.jwks, s.path);
        if (set === undefined) {
          reasons.push(`jwks:${s.path} was not provided`);
          continue;
        }
        const res = await verifyJwsApproval(token, bytes, who, set);
        if (res.valid) {
          return {
            valid: true,
            reason: `signed by ${who} with JWS ${res.alg} ${res.fingerprint} (jwks:${s.path})${r ? ` for role ${r}` : ''}`,
            fingerprint: res.fingerprint,
            role: r,
            source: `jwks:${s.path}`,
            key_id: res.key_id,
            statement: bytes.toString('utf8'),
          };
        }
        reasons.push(`${who}'s JWS: ${res.reason}`);
      }
    }
  }
  return { valid: false, reason: reasons.join('; ') };
}
