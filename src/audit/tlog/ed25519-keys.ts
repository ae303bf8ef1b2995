/**
 * Ed25519 keys for signed notes (C2SP signed-note), on `node:crypto`:
 * key IDs, verifier keys (`<name>+<hex key ID>+<base64(type ‖ public key)>`),
 * and the private-key encodings a signer may be given: the project's Ed25519
 * checkpoint JWK, or a signed-note private key as Go's `note.GenerateKey`
 * writes it (`PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ 32-byte seed)>`).
 */
import { createHash, createPrivateKey, randomBytes, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/** Signature type bytes assigned by C2SP signed-note. */
export const SIG_TYPE = { ed25519: 0x01, cosignatureEd25519: 0x04 } as const;

/**
 * Key names: non-empty, valid UTF-8, no Unicode space, no `+` (signed-note).
 * Go's `isValidName` also refuses every `unicode.IsSpace` character.
 */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s\u0085+]/u.test(name) && !LONE_SURROGATE.test(name);
}

/** A UTF-16 surrogate without its pair: not encodable as UTF-8. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], as a uint32. */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, type])).update(publicKey).digest();
  return h.readUInt32BE(0);
}

const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

/** A public key as a verifier key string. */
export function formatVkey(name: string, type: number, publicKey: Uint8Array): string {
  return `${name}+${hex8(keyId(name, type, publicKey))}+${Buffer.concat([Buffer.from([type]), publicKey]).toString('base64')}`;
}

export interface Vkey {
  name: string;
  keyId: number;
  type: number;
  /** The raw 32-byte Ed25519 public key. */
  publicKey: Buffer;
}

/** Parses a verifier key; the reason when it is not one (wrong shape, unknown type, key ID that does not match). */
export function parseVkey(text: string): { ok: true; vkey: Vkey } | { ok: false; reason: string } {
  const s = text.trim();
  // The base64 part may itself contain '+': split at the first two only, as Go's note does.
  const parts = splitPlus(s, 3);
  if (!parts) return { ok: false, reason: 'a verifier key is <name>+<8 hex digits>+<base64>' };
  const [name, idHex, b64] = parts;
  if (!isValidKeyName(name)) return { ok: false, reason: `not a valid key name: ${JSON.stringify(name)}` };
  if (!/^[0-9a-f]{8}$/.test(idHex)) return { ok: false, reason: `key ID ${JSON.stringify(idHex)} is not 8 lowercase hex digits` };
  const raw = Buffer.from(b64, 'base64');
  if (raw.toString('base64') !== b64 || raw.length !== 33) return { ok: false, reason: 'the key is not base64 of a type byte and a 32-byte Ed25519 key' };
  const type = raw[0];
  if (type !== SIG_TYPE.ed25519 && type !== SIG_TYPE.cosignatureEd25519) {
    return { ok: false, reason: `signature type 0x${type.toString(16).padStart(2, '0')} is not supported (Ed25519 0x01, Ed25519 cosignature 0x04)` };
  }
  const publicKey = raw.subarray(1);
  const id = Number.parseInt(idHex, 16);
  if (keyId(name, type, publicKey) !== id) return { ok: false, reason: `key ID ${idHex} does not match the name and key (expected ${hex8(keyId(name, type, publicKey))})` };
  return { ok: true, vkey: { name, keyId: id, type, publicKey } };
}

/** Splits at the first n − 1 plus signs; null when there are fewer. */
function splitPlus(s: string, n: number): string[] | null {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < n - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return null;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** A node:crypto public key from 32 raw Ed25519 bytes. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }, format: 'jwk' });
}

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' }) as { x?: string };
  if (typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** An Ed25519 private key from its 32-byte seed (RFC 8032 private key). */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  // PKCS#8 wrapping of an Ed25519 seed (RFC 8410): a fixed 16-byte prefix.
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
}

/** Ed25519 signature (RFC 8032, pure: no prehash). */
export function ed25519Sign(key: KeyObject, message: Uint8Array): Buffer {
  return cryptoSign(null, message, key);
}

export function ed25519Verify(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.byteLength !== 64) return false;
  try {
    return cryptoVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** An Ed25519 private key with the name it signs notes under. */
export interface NoteKey {
  name: string;
  privateKey: KeyObject;
  publicKey: Buffer;
}

/**
 * Reads a signing key for notes: a signed-note private key
 * (`PRIVATE+KEY+name+id+base64`, whose name is used), or an Ed25519 private
 * JWK (`{"kty":"OKP","crv":"Ed25519","d":...}`), signing under `defaultName`.
 * Returns the reason when the text is neither.
 */
export function parseNoteKey(text: string, defaultName?: string): { ok: true; key: NoteKey } | { ok: false; reason: string } {
  const s = text.trim();
  if (s.startsWith('PRIVATE+KEY+')) {
    const parts = splitPlus(s, 5);
    if (!parts) return { ok: false, reason: 'a signed-note private key is PRIVATE+KEY+<name>+<8 hex digits>+<base64>' };
    const [, , name, idHex, b64] = parts;
    if (!/^[0-9a-f]{8}$/.test(idHex)) return { ok: false, reason: `key ID ${JSON.stringify(idHex)} is not 8 lowercase hex digits` };
    if (!isValidKeyName(name)) return { ok: false, reason: `not a valid key name: ${JSON.stringify(name)}` };
    const raw = Buffer.from(b64, 'base64');
    if (raw.toString('base64') !== b64 || raw.length !== 33 || raw[0] !== SIG_TYPE.ed25519) {
      return { ok: false, reason: 'the private key is not base64 of 0x01 and a 32-byte Ed25519 seed' };
    }
    const privateKey = ed25519PrivateKeyFromSeed(raw.subarray(1));
    const publicKey = rawPublicKey(createPublicKey(privateKey));
    if (keyId(name, SIG_TYPE.ed25519, publicKey) !== Number.parseInt(idHex, 16)) {
      return { ok: false, reason: `key ID ${idHex} does not match the key` };
    }
    return { ok: true, key: { name, privateKey, publicKey } };
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(s);
  } catch {
    return { ok: false, reason: 'neither a signed-note private key (PRIVATE+KEY+...) nor a JSON Web Key' };
  }
  const j = jwk as { kty?: unknown; crv?: unknown; d?: unknown; x?: unknown };
  if (j === null || typeof j !== 'object' || j.kty !== 'OKP' || j.crv !== 'Ed25519') {
    return { ok: false, reason: 'signed notes need an Ed25519 key (a JWK with "kty":"OKP","crv":"Ed25519"); ES256 keys sign only JWS checkpoints' };
  }
  if (typeof j.d !== 'string') return { ok: false, reason: 'this is a public key; signing needs the private JWK (with "d")' };
  if (defaultName === undefined || !isValidKeyName(defaultName)) return { ok: false, reason: 'a JWK carries no key name: the log name is needed' };
  let privateKey: KeyObject;
  try {
    privateKey = ed25519PrivateKeyFromSeed(Buffer.from(j.d, 'base64url'));
  } catch (e) {
    return { ok: false, reason: `cannot import the Ed25519 key: ${(e as Error).message}` };
  }
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  if (typeof j.x === 'string' && Buffer.from(j.x, 'base64url').compare(publicKey) !== 0) {
    return { ok: false, reason: 'the JWK\'s "x" is not the public key of its "d"' };
  }
  return { ok: true, key: { name: defaultName, privateKey, publicKey } };
}

/** A new Ed25519 key in signed-note encodings: the private key and the verifier key. */
/**
 * A new Ed25519 key in signed-note encodings: the private key (as Go's
 * `note.GenerateKey` writes it) and the verifier key of the given type
 * (0x01 for a log, 0x04 for a witness's cosignatures: same key, other ID).
 */
export function generateNoteKey(name: string, type: number = SIG_TYPE.ed25519): { privateKey: string; vkey: string } {
  if (!isValidKeyName(name)) throw new RangeError(`not a valid key name: ${JSON.stringify(name)}`);
  const seed = randomBytes(32);
  const pub = rawPublicKey(createPublicKey(ed25519PrivateKeyFromSeed(seed)));
  const id = keyId(name, SIG_TYPE.ed25519, pub);
  return {
    privateKey: `PRIVATE+KEY+${name}+${hex8(id)}+${Buffer.concat([Buffer.from([SIG_TYPE.ed25519]), seed]).toString('base64')}`,
    vkey: formatVkey(name, type, pub),
  };
}

/**
 * The raw Ed25519 public keys in a JWK or JWK Set (the project's checkpoint
 * keys: `kty` OKP, `crv` Ed25519): what signs the log's notes. Other keys
 * (ES256) sign only JWS checkpoints and are left out; text that is not JSON
 * gives none.
 */
export function ed25519KeysOfJwk(text: string): Buffer[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const list = parsed && typeof parsed === 'object' && Array.isArray((parsed as { keys?: unknown }).keys) ? (parsed as { keys: unknown[] }).keys : [parsed];
  const out: Buffer[] = [];
  for (const k of list) {
    if (!k || typeof k !== 'object') continue;
    const { kty, crv, x } = k as { kty?: unknown; crv?: unknown; x?: unknown };
    if (kty !== 'OKP' || crv !== 'Ed25519' || typeof x !== 'string') continue;
    const raw = Buffer.from(x, 'base64url');
    if (raw.length === 32) out.push(raw);
  }
  return out;
}

/** The note verifier keys of a log: each raw Ed25519 public key under the log's name (the checkpoint's origin). */
export function logVkeys(origin: string, publicKeys: readonly Uint8Array[]): Vkey[] {
  return publicKeys.map((pk) => ({ name: origin, keyId: keyId(origin, SIG_TYPE.ed25519, pk), type: SIG_TYPE.ed25519, publicKey: Buffer.from(pk) }));
}
