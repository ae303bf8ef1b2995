/**
 * SSH signatures (`ssh-keygen -Y sign`, openssh-portable PROTOCOL.sshsig)
 * verified with Node's crypto only. Covers Ed25519, ECDSA P-256/384/521,
 * RSA with rsa-sha2-256/512, FIDO keys (sk-ssh-ed25519, sk-ecdsa-sha2-nistp256)
 * and FIDO keys that signed through WebAuthn, exactly as OpenSSH verifies them.
 */
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { blobKeyType, fingerprint, parsePublicKeyBlob, SshKeyError, type SshPublicKey } from './ssh-key.js';
import { SshReader, sshString, SshWireError, uint32 } from './ssh-wire.js';

const MAGIC = Buffer.from('SSHSIG');
const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';

/** FIDO authenticator flags (CTAP2 / WebAuthn authenticator data). */
export const SK_USER_PRESENT = 0x01;
export const SK_USER_VERIFIED = 0x04;

/** A parsed (not yet verified) SSHSIG blob. */
export interface SshSig {
  publicKey: Buffer;
  namespace: string;
  hashAlgorithm: 'sha256' | 'sha512';
  /** The inner signature: `string alg, string raw [, sk fields]`. */
  signature: Buffer;
}

export interface SshSigOptions {
  /** The namespace the signature must carry (e.g. `model-release-gate@v1`). */
  namespace: string;
  /** FIDO keys: accept signatures made without a touch (default false: user presence required). */
  allowNoTouch?: boolean;
  /** FIDO keys: require user verification (PIN or biometrics). */
  requireUserVerification?: boolean;
  /** The signer's key, already parsed (used when its blob is the one in the signature; saves re-importing it). */
  key?: SshPublicKey;
}

export type SshSigResult =
  | {
      valid: true;
      /** The signer's key blob (compare it with the keys the signer may use). */
      publicKey: Buffer;
      keyType: string;
      fingerprint: string;
      /** Algorithm of the inner signature (e.g. rsa-sha2-512, webauthn-sk-ecdsa-...). */
      signatureAlgorithm: string;
      /** FIDO keys only. */
      flags?: number;
      counter?: number;
    }
  | { valid: false; reason: string; fingerprint?: string };

/** Decodes the armored block (`-----BEGIN SSH SIGNATURE-----` ... `-----END ...`). */
export function dearmor(text: string): Buffer {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END, start + BEGIN.length);
  if (start < 0 || end < 0) throw new SshWireError('no -----BEGIN SSH SIGNATURE----- block');
  const body = text.slice(start + BEGIN.length, end).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new SshWireError('the signature block is not base64');
  return Buffer.from(body, 'base64');
}

/** Every armored SSH signature block in a text (e.g. a review body), in order. */
export function findArmoredSignatures(text: string): string[] {
  const re = /-----BEGIN SSH SIGNATURE-----[\s\S]*?-----END SSH SIGNATURE-----/g;
  return text.match(re) ?? [];
}

/** Parses the SSHSIG blob (armored text or raw bytes). */
export function parseSshSig(input: string | Buffer): SshSig {
  const blob = typeof input === 'string' ? dearmor(input) : input;
  const r = new SshReader(blob);
  if (!r.raw(6).equals(MAGIC)) throw new SshWireError('not an SSHSIG blob (bad magic)');
  const version = r.uint32();
  if (version !== 1) throw new SshWireError(`SSHSIG version ${version} (only 1 is defined)`);
  const publicKey = r.string();
  const namespace = r.text();
  r.string(); // reserved: not signed as sent; verification uses the empty string, as OpenSSH does
  const hashAlgorithm = r.text();
  const signature = r.string();
  r.end('the SSHSIG blob');
  if (hashAlgorithm !== 'sha256' && hashAlgorithm !== 'sha512') {
    throw new SshWireError(`hash algorithm ${hashAlgorithm} (only sha256 and sha512 are allowed)`);
  }
  return { publicKey, namespace, hashAlgorithm, signature };
}

/** The bytes the key actually signed (PROTOCOL.sshsig "Signed Data"). */
export function signedData(namespace: string, hashAlgorithm: 'sha256' | 'sha512', message: Buffer): Buffer {
  const h = createHash(hashAlgorithm).update(message).digest();
  return Buffer.concat([MAGIC, sshString(namespace), sshString(''), sshString(hashAlgorithm), sshString(h)]);
}

/**
 * Verifies an SSH signature over `message` in the given namespace. Returns
 * the signer's key (the caller decides whether that key may sign for the
 * person) or the reason it is not valid. Never throws for bad input.
 */
export function verifySshSig(signature: string | Buffer | SshSig, message: Buffer, options: SshSigOptions): SshSigResult {
  let sig: SshSig;
  try {
    sig = Buffer.isBuffer(signature) || typeof signature === 'string' ? parseSshSig(signature) : signature;
  } catch (e) {
    return { valid: false, reason: `unreadable SSH signature: ${(e as Error).message}` };
  }
  const fp = fingerprint(sig.publicKey);
  if (sig.namespace !== options.namespace) {
    return {
      valid: false,
      fingerprint: fp,
      reason: `signed in namespace "${sig.namespace}", not "${options.namespace}"`,
    };
  }
  let key: SshPublicKey;
  try {
    key = options.key && options.key.blob.equals(sig.publicKey) ? options.key : parsePublicKeyBlob(sig.publicKey);
  } catch (e) {
    const detail = e instanceof SshKeyError ? e.message : String(e);
    return { valid: false, fingerprint: fp, reason: `signing key ${blobKeyType(sig.publicKey)} ${fp}: ${detail}` };
  }
  const data = signedData(sig.namespace, sig.hashAlgorithm, message);
  try {
    const inner = verifyInner(key, sig.signature, data, options);
    if (!inner.ok) return { valid: false, fingerprint: fp, reason: inner.reason };
    return {
      valid: true,
      publicKey: sig.publicKey,
      keyType: key.type,
      fingerprint: fp,
      signatureAlgorithm: inner.alg,
      ...(inner.flags === undefined ? {} : { flags: inner.flags, counter: inner.counter }),
    };
  } catch (e) {
    return { valid: false, fingerprint: fp, reason: `malformed signature: ${(e as Error).message}` };
  }
}

type Inner = { ok: true; alg: string; flags?: number; counter?: number } | { ok: false; reason: string };

const BAD = (alg: string): Inner => ({ ok: false, reason: `the ${alg} signature does not verify (wrong message, statement or key)` });

function verifyInner(key: SshPublicKey, sigBlob: Buffer, data: Buffer, options: SshSigOptions): Inner {
  const r = new SshReader(sigBlob);
  const alg = r.text();
  const raw = r.string();
  switch (key.type) {
    case 'ssh-ed25519': {
      if (alg !== 'ssh-ed25519') return mismatch(alg, key.type);
      r.end('the signature');
      if (raw.length !== 64) return { ok: false, reason: 'Ed25519 signature is not 64 bytes' };
      return cryptoVerify(null, data, key.key, raw) ? { ok: true, alg } : BAD(alg);
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      if (alg !== key.type) return mismatch(alg, key.type);
      r.end('the signature');
      const curve = key.curve!;
      const p1363 = ecdsaP1363(raw, curve.size);
      const ok = cryptoVerify(curve.hash, data, { key: key.key, dsaEncoding: 'ieee-p1363' }, p1363);
      return ok ? { ok: true, alg } : BAD(alg);
    }
    case 'ssh-rsa': {
      // ssh-rsa signatures use SHA-1, which is broken for signatures: refused.
      if (alg === 'ssh-rsa') return { ok: false, reason: 'RSA signature with SHA-1 (ssh-rsa) is refused; sign with rsa-sha2-512 (ssh-keygen -Y sign does by default)' };
      const hash = alg === 'rsa-sha2-256' ? 'sha256' : alg === 'rsa-sha2-512' ? 'sha512' : undefined;
      if (!hash) return mismatch(alg, key.type);
      r.end('the signature');
      return cryptoVerify(hash, data, key.key, raw) ? { ok: true, alg } : BAD(alg);
    }
    case 'sk-ssh-ed25519@openssh.com': {
      if (alg !== key.type) return mismatch(alg, key.type);
      const flags = r.byte();
      const counter = r.uint32();
      r.end('the signature');
      if (raw.length !== 64) return { ok: false, reason: 'Ed25519 signature is not 64 bytes' };
      const presence = checkFlags(flags, options);
      if (presence) return presence;
      // The authenticator signs H(application) || flags || counter || H(data) (PROTOCOL.u2f).
      const signed = Buffer.concat([sha256(key.application!), Buffer.of(flags), uint32(counter), sha256(data)]);
      return cryptoVerify(null, signed, key.key, raw) ? { ok: true, alg, flags, counter } : BAD(alg);
    }
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      const webauthn = alg === 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com';
      if (alg !== key.type && !webauthn) return mismatch(alg, key.type);
      const flags = r.byte();
      const counter = r.uint32();
      let extensions: Buffer = Buffer.alloc(0);
      let messageHash: Buffer;
      if (webauthn) {
        const origin = r.text();
        const clientData = r.string();
        extensions = r.string();
        r.end('the signature');
        const problem = checkWebauthn(data, origin, clientData, flags, extensions);
        if (problem) return { ok: false, reason: problem };
        // WebAuthn signs the clientDataJSON (which carries the challenge), not the data itself.
        messageHash = sha256(clientData);
      } else {
        r.end('the signature');
        if ((flags & 0x80) !== 0) return { ok: false, reason: 'FIDO signature claims extensions it does not carry' };
        messageHash = sha256(data);
      }
      const presence = checkFlags(flags, options);
      if (presence) return presence;
      const signed = Buffer.concat([sha256(key.application!), Buffer.of(flags), uint32(counter), extensions, messageHash]);
      const p1363 = ecdsaP1363(raw, 32);
      const ok = cryptoVerify('sha256', signed, { key: key.key, dsaEncoding: 'ieee-p1363' }, p1363);
      return ok ? { ok: true, alg, flags, counter } : BAD(alg);
    }
  }
}

function mismatch(alg: string, keyType: string): Inner {
  return { ok: false, reason: `signature algorithm ${alg} does not belong to a ${keyType} key` };
}

function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

function checkFlags(flags: number, options: SshSigOptions): Inner | undefined {
  if (!options.allowNoTouch && (flags & SK_USER_PRESENT) === 0) {
    return { ok: false, reason: 'the hardware key signed without a touch (user presence flag not set)' };
  }
  if (options.requireUserVerification && (flags & SK_USER_VERIFIED) === 0) {
    return { ok: false, reason: 'the hardware key signed without user verification (PIN or biometrics)' };
  }
  return undefined;
}

/**
 * OpenSSH's check of a WebAuthn clientDataJSON (ssh-ecdsa-sk.c,
 * webauthn_check_prepare_hash): it must begin with the fixed preamble that
 * carries the signed data, base64url-encoded, as the challenge and the
 * origin from the signature; no attested data; extensions flag consistent.
 */
function checkWebauthn(data: Buffer, origin: string, clientData: Buffer, flags: number, extensions: Buffer): string | undefined {
  if (origin.includes('"')) return 'WebAuthn origin contains a quote';
  if ((flags & 0x40) !== 0) return 'WebAuthn signature carries attested credential data';
  if (((flags & 0x80) === 0) !== (extensions.length === 0)) return 'WebAuthn extensions flag does not match its extensions';
  const preamble = Buffer.from(
    `{"type":"webauthn.get","challenge":"${data.toString('base64url')}","origin":"${origin}"`,
    'utf8',
  );
  if (clientData.length < preamble.length || !clientData.subarray(0, preamble.length).equals(preamble)) {
    return 'WebAuthn clientDataJSON does not carry this message as its challenge';
  }
  return undefined;
}

/** `mpint r, mpint s` → r‖s, each left-padded to the curve's size (IEEE P1363). */
function ecdsaP1363(raw: Buffer, size: number): Buffer {
  const r = new SshReader(raw);
  const rr = r.mpint();
  const ss = r.mpint();
  r.end('the ECDSA signature');
  if (rr.length > size || ss.length > size) throw new SshWireError('ECDSA signature values are too long for the curve');
  const out = Buffer.alloc(2 * size);
  rr.copy(out, size - rr.length);
  ss.copy(out, 2 * size - ss.length);
  return out;
}
