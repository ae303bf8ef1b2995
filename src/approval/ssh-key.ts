/**
 * OpenSSH public keys: parsing the `type base64 comment` line and the wire
 * blob, importing them into Node's crypto (through JWK, so no ASN.1 is
 * written by hand), and the `SHA256:` fingerprint `ssh-keygen -l` prints.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { SshReader, SshWireError } from './ssh-wire.js';

/** Key types this gate verifies. */
export const SUPPORTED_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;
export type SshKeyType = (typeof SUPPORTED_KEY_TYPES)[number];

/** RSA moduli shorter than this are refused (OpenSSH itself refuses < 1024; approvals deserve more). */
export const RSA_MIN_BITS = 2048;

export interface EcCurve {
  jwk: 'P-256' | 'P-384' | 'P-521';
  /** Hash ECDSA uses with this curve in SSH (RFC 5656 §6.2.1). */
  hash: 'sha256' | 'sha384' | 'sha512';
  /** Bytes per coordinate. */
  size: number;
}

export const EC_CURVES: Record<string, EcCurve> = {
  nistp256: { jwk: 'P-256', hash: 'sha256', size: 32 },
  nistp384: { jwk: 'P-384', hash: 'sha384', size: 48 },
  nistp521: { jwk: 'P-521', hash: 'sha512', size: 66 },
};

export interface SshPublicKey {
  type: SshKeyType;
  /** The wire blob: what fingerprints hash and what key comparisons compare. */
  blob: Buffer;
  key: KeyObject;
  /** ECDSA curve, for the signature's hash and coordinate size. */
  curve?: EcCurve;
  /** FIDO keys: the application string (usually "ssh:") the authenticator hashed. */
  application?: string;
}

export class SshKeyError extends Error {}

const b64u = (b: Buffer): string => b.toString('base64url');

/** Parses a public key wire blob. Throws SshKeyError for unknown types or malformed blobs. */
export function parsePublicKeyBlob(blob: Buffer): SshPublicKey {
  try {
    const r = new SshReader(blob);
    const type = r.text();
    let out: SshPublicKey;
    switch (type) {
      case 'ssh-ed25519':
      case 'sk-ssh-ed25519@openssh.com': {
        const pk = r.string();
        if (pk.length !== 32) throw new SshKeyError(`Ed25519 key of ${pk.length} bytes (expected 32)`);
        const key = createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: b64u(pk) } });
        out = { type, blob, key };
        if (type !== 'ssh-ed25519') out.application = r.text();
        break;
      }
      case 'ecdsa-sha2-nistp256':
      case 'ecdsa-sha2-nistp384':
      case 'ecdsa-sha2-nistp521':
      case 'sk-ecdsa-sha2-nistp256@openssh.com': {
        const curveName = r.text();
        const curve = EC_CURVES[curveName];
        const expected = type.startsWith('sk-') ? 'nistp256' : type.slice('ecdsa-sha2-'.length);
        if (!curve || curveName !== expected) throw new SshKeyError(`curve ${curveName} does not match key type ${type}`);
        const q = r.string();
        if (q.length !== 1 + 2 * curve.size || q[0] !== 0x04) {
          throw new SshKeyError('EC point is not an uncompressed point of the curve');
        }
        const x = q.subarray(1, 1 + curve.size);
        const y = q.subarray(1 + curve.size);
        // Node checks that the point is on the curve.
        const key = createPublicKey({ format: 'jwk', key: { kty: 'EC', crv: curve.jwk, x: b64u(x), y: b64u(y) } });
        out = { type, blob, key, curve };
        if (type.startsWith('sk-')) out.application = r.text();
        break;
      }
      case 'ssh-rsa': {
        const e = r.mpint();
        const n = r.mpint();
        const bits = n.length * 8 - (n.length ? Math.clz32(n[0]) - 24 : 0);
        if (bits < RSA_MIN_BITS) throw new SshKeyError(`RSA key of ${bits} bits is too short (minimum ${RSA_MIN_BITS})`);
        const key = createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: b64u(n), e: b64u(e) } });
        out = { type, blob, key };
        break;
      }
      default:
        throw new SshKeyError(`unsupported key type ${type}`);
    }
    r.end('the public key');
    return out;
  } catch (e) {
    if (e instanceof SshKeyError) throw e;
    if (e instanceof SshWireError) throw new SshKeyError(`malformed public key: ${e.message}`);
    throw new SshKeyError(`public key rejected: ${(e as Error).message}`);
  }
}

/**
 * Parses an OpenSSH public key line (`ssh-ed25519 AAAA... comment`), as in
 * `id_ed25519.pub`, GitHub's signing keys, and allowed-signers entries.
 */
export function parsePublicKeyLine(line: string): SshPublicKey {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) throw new SshKeyError('expected "<type> <base64> [comment]"');
  const blob = Buffer.from(parts[1], 'base64');
  if (blob.length === 0 || blob.toString('base64').replace(/=+$/, '') !== parts[1].replace(/=+$/, '')) {
    throw new SshKeyError('key data is not base64');
  }
  const key = parsePublicKeyBlob(blob);
  if (key.type !== parts[0]) throw new SshKeyError(`line says ${parts[0]} but the key is ${key.type}`);
  return key;
}

/**
 * Parsed keys by their line, shared across evaluations: the App re-evaluates
 * a pull request on every event with mostly the same keys, and importing a
 * key is a large part of a signature check. Bounded; parsing is deterministic
 * and KeyObjects are immutable, so the cache changes no result.
 */
const KEY_CACHE_LIMIT = 10_000;
const keyCache = new Map<string, SshPublicKey | SshKeyError>();

/** {@link parsePublicKeyLine} through a bounded cache. */
export function parsePublicKeyLineCached(line: string): SshPublicKey {
  let k = keyCache.get(line);
  if (k === undefined) {
    try {
      k = parsePublicKeyLine(line);
    } catch (e) {
      k = e instanceof SshKeyError ? e : new SshKeyError(String(e));
    }
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(line, k);
  }
  if (k instanceof SshKeyError) throw k;
  return k;
}

/** `SHA256:<unpadded base64>` of the key blob, as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of a blob, without parsing the rest (for messages). */
export function blobKeyType(blob: Buffer): string {
  try {
    return new SshReader(blob).text();
  } catch {
    return 'unknown';
  }
}
