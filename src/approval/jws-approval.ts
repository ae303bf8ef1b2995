/**
 * JWS approvals: for keys held by a KMS/HSM or a service identity. A compact
 * JWS on a line of its own in the review body; its payload must be EXACTLY the
 * statement's canonical bytes (RFC 8785), never "equal after parsing", so the
 * bytes signed are the bytes checked and no JSON parser quirk can widen what a
 * signature approves. Keys come from a JWKS pinned on the base branch; a key
 * belongs to the GitHub login named by its `kid`: `<login>` or `<login>/<anything>`.
 */
import type { JsonWebKey } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { jwkIdentity } from './key-identity.js';

/** Asymmetric algorithms only: an HMAC key in a public JWKS would let anyone sign. */
export const JWS_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

const COMPACT_JWS_LINE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Compact JWS tokens that stand on a line of their own in a text. */
export function findCompactJws(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => COMPACT_JWS_LINE.test(l) && l.startsWith('eyJ'));
}

/** The payload of a compact JWS, unverified (to learn which statement it claims). */
export function jwsPayload(jws: string): Buffer | undefined {
  const parts = jws.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return Buffer.from(parts[1], 'base64url');
  } catch {
    return undefined;
  }
}

/** Whether a JWK's `kid` assigns it to `login` (case-insensitive, as GitHub logins are). */
export function jwkBelongsTo(jwk: { kid?: unknown }, login: string): boolean {
  if (typeof jwk.kid !== 'string') return false;
  const owner = jwk.kid.split('/')[0];
  return owner.toLowerCase() === login.toLowerCase();
}

export type JwsResult = { valid: true; fingerprint: string; alg: string; key_id?: string } | { valid: false; reason: string };

/**
 * Verifies `jws` as `login`'s signature over exactly `expected` bytes with
 * one of the login's keys in `jwks`.
 */
export async function verifyJwsApproval(jws: string, expected: Buffer, login: string, jwks: unknown): Promise<JwsResult> {
  let header: { alg?: string; kid?: string; crit?: unknown; b64?: unknown };
  try {
    header = decodeProtectedHeader(jws) as typeof header;
  } catch (e) {
    return { valid: false, reason: `unreadable JWS: ${(e as Error).message}` };
  }
  if (!header.alg || !JWS_ALGORITHMS.includes(header.alg)) {
    return { valid: false, reason: `JWS algorithm ${String(header.alg)} is not allowed (use ${JWS_ALGORITHMS.join(', ')})` };
  }
  const payload = jwsPayload(jws);
  if (!payload || !payload.equals(expected)) {
    return { valid: false, reason: 'the JWS payload is not the statement for this pull request and approver' };
  }
  const keys = ((jwks as { keys?: JWK[] } | null)?.keys ?? []).filter(
    (k) => jwkBelongsTo(k, login) && (header.kid === undefined || k.kid === header.kid),
  );
  if (keys.length === 0) {
    return { valid: false, reason: `no key of ${login} in the JWKS${header.kid ? ` with kid "${header.kid}"` : ''} (kid must be "${login}" or "${login}/...")` };
  }
  for (const jwk of keys) {
    if (jwk.alg !== undefined && jwk.alg !== header.alg) continue;
    try {
      const key = await importJWK(jwk, header.alg);
      await compactVerify(jws, key, { algorithms: [header.alg] });
      const fingerprint = `jwk-thumbprint:${await calculateJwkThumbprint(jwk)}`;
      return { valid: true, fingerprint, alg: header.alg, key_id: jwkIdentity(jwk as JsonWebKey) ?? fingerprint };
    } catch {
      // try the login's next key
    }
  }
  return { valid: false, reason: `the JWS does not verify with ${login}'s keys in the JWKS` };
}
