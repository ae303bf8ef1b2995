/**
 * Checkpoints (docs/design.md §4): a JWS over {log, size, head, time}, signed with
 * the gate's key and verifiable offline with the public JWK. A verifier that
 * trusts a checkpoint knows how long the log must be and what its record at
 * `size - 1` hashes to, so truncation and rollback become visible.
 */
import type { CryptoKey, JWK, JWSHeaderParameters, FlattenedJWSInput } from 'jose';
import { canonicalJsonBytes } from '../core/canonical-json.js';
import { isDigest, type Digest } from '../core/digest.js';
import { GateError } from '../core/errors.js';

/** The JWS `typ` of a checkpoint, so a checkpoint is never mistaken for another signed document. */
export const CHECKPOINT_TYP = 'model-release-gate-checkpoint+jws';

export { CHECKPOINT_KEY_ENV } from './checkpoint-key-env.js';

export type CheckpointAlg = 'EdDSA' | 'ES256';
const ALGS: CheckpointAlg[] = ['EdDSA', 'ES256'];

/** jose is loaded on first use: appending a record (the common CLI call) never needs it. */
const jose = (): Promise<typeof import('jose')> => import('jose');

export interface CheckpointPayload {
  log: string;
  /** Number of records the checkpoint covers (records 0 .. size-1). */
  size: number;
  /** Digest of record size-1's stored bytes. */
  head: Digest;
  time: string;
}

/**
 * A size and head learned outside the store. It anchors records 0..size-1
 * exactly as a signed checkpoint in the store would: the log must be at
 * least that long and record size-1 must hash to `head`.
 */
export interface ExternalAnchor {
  /** Records covered; absent: the log as it is now (its last record must be `head`). */
  size?: number;
  head: Digest;
  /** The log it is for, when known (a trusted checkpoint's). */
  log?: string;
  /** Where it came from, for messages: "the trusted checkpoint cp.jws", "--expect-head". */
  source: string;
}

/** A checkpoint as the verifier sees it after its signature was checked (or not). */
export type CheckedCheckpoint =
  | { size: number; status: 'valid'; payload: CheckpointPayload }
  | { size: number; status: 'bad'; reason: string }
  /** No public key was given, so the checkpoint proves nothing and is not used. */
  | { size: number; status: 'unchecked' };

/** A private key ready to sign checkpoints. */
export interface SigningKey {
  alg: CheckpointAlg;
  kid: string;
  key: CryptoKey | Uint8Array;
  publicJwk: JWK;
}

/** Verifies signatures with one public JWK or a JWK Set (key rotation). */
export type VerifyKey = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey | Uint8Array>;

function algOf(jwk: JWK, where: string): CheckpointAlg {
  let alg: CheckpointAlg | undefined;
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') alg = 'EdDSA';
  else if (jwk.kty === 'EC' && jwk.crv === 'P-256') alg = 'ES256';
  if (!alg) {
    throw new GateError('E_KEY', `unsupported checkpoint key type ${jwk.kty}/${jwk.crv ?? '-'}`, {
      where,
      hint: 'use an Ed25519 (EdDSA) or P-256 (ES256) JWK, e.g. from `model-gate audit keygen`',
    });
  }
  if (jwk.alg !== undefined && jwk.alg !== alg && !(alg === 'EdDSA' && jwk.alg === 'Ed25519')) {
    throw new GateError('E_KEY', `key says alg ${jwk.alg} but is a ${alg} key`, { where });
  }
  return alg;
}

function parseJwkText(text: string, where: string): JWK & { keys?: JWK[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GateError('E_KEY', `not a JSON Web Key: ${(e as Error).message}`, { where });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GateError('E_KEY', 'not a JSON Web Key (expected a JSON object)', { where });
  }
  return value as JWK & { keys?: JWK[] };
}

function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y }).filter(([, v]) => v !== undefined)) as JWK;
}

/** Imports a private JWK (text) for signing checkpoints. `where` names its source in errors. */
export async function loadSigningKey(jwkText: string, where: string): Promise<SigningKey> {
  const jwk = parseJwkText(jwkText, where);
  const alg = algOf(jwk, where);
  if (typeof jwk.d !== 'string') {
    throw new GateError('E_KEY', 'this is a public key; signing a checkpoint needs the private JWK (with "d")', { where });
  }
  const pub = publicPart(jwk);
  const { importJWK, calculateJwkThumbprint } = await jose();
  try {
    const key = await importJWK({ ...pub, d: jwk.d }, alg);
    return { alg, key, kid: await calculateJwkThumbprint(pub), publicJwk: { ...pub, alg, use: 'sig', kid: await calculateJwkThumbprint(pub) } };
  } catch (e) {
    throw new GateError('E_KEY', `cannot import the checkpoint key: ${(e as Error).message}`, { where, cause: e });
  }
}

/** Imports a public JWK or JWK Set (text) for verifying checkpoints. A private JWK is accepted and only its public part used. */
export async function loadVerifyKey(jwkText: string, where: string): Promise<VerifyKey> {
  const jwk = parseJwkText(jwkText, where);
  if ('keys' in jwk) return loadVerifyKeySet(jwk.keys, where);
  const alg = algOf(jwk, where);
  let key: CryptoKey | Uint8Array;
  try {
    key = await (await jose()).importJWK(publicPart(jwk), alg);
  } catch (e) {
    throw new GateError('E_KEY', `cannot import the checkpoint public key: ${(e as Error).message}`, { where, cause: e });
  }
  return async () => key;
}

/**
 * A JWK Set as a verifier. A key matches a checkpoint whose header `kid` is
 * the key's own `kid` or its RFC 7638 thumbprint (what `audit checkpoint`
 * writes), so keys listed without a `kid`, or with one their owner chose,
 * verify genuine checkpoints as the same single JWK does. A header without
 * `kid` is tried against every key of its algorithm.
 */
async function loadVerifyKeySet(list: unknown, where: string): Promise<VerifyKey> {
  if (!Array.isArray(list)) throw new GateError('E_KEY', 'not a JWK Set: "keys" is not a list', { where });
  if (list.length === 0) {
    throw new GateError('E_KEY', 'the JWK Set holds no keys, so no checkpoint could ever verify', {
      where,
      hint: 'list the public keys whose checkpoints count ({"keys": [...]}), or pass the single public JWK',
    });
  }
  const { importJWK, calculateJwkThumbprint } = await jose();
  const keys = await Promise.all(
    (list as JWK[]).map(async (k, i) => {
      const at = `${where}: keys[${i}]`;
      if (k === null || typeof k !== 'object' || Array.isArray(k)) throw new GateError('E_KEY', 'not a JSON Web Key (expected a JSON object)', { where: at });
      const alg = algOf(k, at);
      const pub = publicPart(k);
      try {
        return { alg, kid: typeof k.kid === 'string' ? k.kid : undefined, thumbprint: await calculateJwkThumbprint(pub), key: await importJWK(pub, alg) };
      } catch (e) {
        throw new GateError('E_KEY', `cannot import the checkpoint public key: ${(e as Error).message}`, { where: at, cause: e });
      }
    }),
  );
  return async (header) => {
    const found = keys.filter((k) => k.alg === header.alg && (header.kid === undefined || header.kid === k.kid || header.kid === k.thumbprint));
    if (found.length === 0) throw new Error(`no key in the JWK Set matches kid ${JSON.stringify(header.kid)} (${header.alg})`);
    if (found.length === 1) return found[0].key;
    // jose's convention for several matching keys: an error that iterates them (tried in turn by verifyCheckpointJws).
    throw Object.assign(new Error(`${found.length} keys of the JWK Set match`), {
      async *[Symbol.asyncIterator]() {
        for (const k of found) yield k.key;
      },
    });
  };
}

/** A new key pair for checkpoints: the private JWK and the public one (with kid and alg). */
export async function generateCheckpointKeyPair(alg: CheckpointAlg = 'EdDSA'): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { generateKeyPair, exportJWK, calculateJwkThumbprint } = await jose();
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const pub = publicPart(await exportJWK(publicKey));
  const kid = await calculateJwkThumbprint(pub);
  const priv = await exportJWK(privateKey);
  return {
    privateJwk: { ...pub, d: priv.d, alg, use: 'sig', kid },
    publicJwk: { ...pub, alg, use: 'sig', kid },
  };
}

/** Signs a checkpoint payload; the JWS compact serialisation is what is stored. */
export async function signCheckpoint(payload: CheckpointPayload, key: SigningKey): Promise<string> {
  const { CompactSign } = await jose();
  return new CompactSign(canonicalJsonBytes(payload))
    .setProtectedHeader({ alg: key.alg, typ: CHECKPOINT_TYP, kid: key.kid })
    .sign(key.key);
}

function payloadProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'payload is not a JSON object';
  const p = value as Record<string, unknown>;
  const extra = Object.keys(p).filter((k) => !['log', 'size', 'head', 'time'].includes(k));
  if (extra.length) return `payload has unknown field ${JSON.stringify(extra[0])}`;
  if (typeof p.log !== 'string' || p.log.length === 0) return 'payload log is not a name';
  if (typeof p.size !== 'number' || !Number.isSafeInteger(p.size) || p.size < 1) return 'payload size is not a positive integer';
  if (!isDigest(p.head)) return 'payload head is not a digest';
  if (typeof p.time !== 'string') return 'payload time is not a string';
  return null;
}

/** Verifies a checkpoint JWS (signature, `typ`, payload shape) with no regard to where it is stored. */
async function verifyCheckpointJws(bytes: Uint8Array, verifyKey: VerifyKey): Promise<{ payload: CheckpointPayload } | { reason: string }> {
  const jws = Buffer.from(bytes).toString('utf8').trim();
  const { compactVerify } = await jose();
  let verified: Awaited<ReturnType<typeof compactVerify>> | undefined;
  try {
    verified = await compactVerify(jws, verifyKey, { algorithms: ALGS });
  } catch (e) {
    // Several keys matched (no kid in the header): the one that verifies is the signer.
    const candidates = e as Partial<AsyncIterable<CryptoKey | Uint8Array>>;
    if (typeof candidates[Symbol.asyncIterator] === 'function') {
      for await (const key of candidates as AsyncIterable<CryptoKey | Uint8Array>) {
        verified = await compactVerify(jws, key, { algorithms: ALGS }).catch(() => undefined);
        if (verified) break;
      }
    }
    if (!verified) return { reason: `signature does not verify with the given key (${(e as Error).message})` };
  }
  if (verified.protectedHeader.typ !== CHECKPOINT_TYP) {
    return { reason: `JWS typ is ${JSON.stringify(verified.protectedHeader.typ)}, not a checkpoint` };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(verified.payload).toString('utf8'));
  } catch {
    return { reason: 'payload is not JSON' };
  }
  const problem = payloadProblem(payload);
  if (problem) return { reason: problem };
  return { payload: payload as CheckpointPayload };
}

/**
 * Checks one stored checkpoint: the signature (with the given public key,
 * EdDSA or ES256 only), the `typ`, the payload's shape, and that the payload's
 * size is the one in its key. No I/O.
 */
export async function checkCheckpoint(
  keySize: number,
  bytes: Uint8Array | null,
  verifyKey: VerifyKey | undefined,
): Promise<CheckedCheckpoint> {
  if (!verifyKey) return { size: keySize, status: 'unchecked' };
  if (bytes === null) return { size: keySize, status: 'bad', reason: 'the checkpoint object has no data' };
  const v = await verifyCheckpointJws(bytes, verifyKey);
  if ('reason' in v) return { size: keySize, status: 'bad', reason: v.reason };
  const p = v.payload;
  if (p.size !== keySize) {
    return { size: keySize, status: 'bad', reason: `signed size ${p.size} differs from its key's size ${keySize}` };
  }
  return { size: keySize, status: 'valid', payload: p };
}

/**
 * A checkpoint kept outside the store (a file saved from a job summary or
 * release notes), as an anchor the verifier checks like a stored one: even
 * if the store's copy was deleted, the log must still reach its size and
 * have its head. Refuses (E_INPUT, exit 2) one whose signature does not
 * verify with the key: it is the caller's own evidence.
 */
export async function trustedCheckpointAnchor(bytes: Uint8Array, verifyKey: VerifyKey, where: string): Promise<ExternalAnchor> {
  const v = await verifyCheckpointJws(bytes, verifyKey);
  if ('reason' in v) {
    throw new GateError('E_INPUT', `the trusted checkpoint is not a valid checkpoint: ${v.reason}`, {
      where,
      hint: 'pass the checkpoint file (the JWS) as stored, and the public key that signed it with --checkpoint-key',
    });
  }
  const { size, head, log } = v.payload;
  return { size, head, log, source: `the trusted checkpoint ${where}` };
}
