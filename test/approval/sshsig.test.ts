import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprint, parsePublicKeyLine } from '../../src/approval/ssh-key.js';
import { SshReader, sshString } from '../../src/approval/ssh-wire.js';
import { dearmor, findArmoredSignatures, parseSshSig, signedData, verifySshSig } from '../../src/approval/sshsig.js';
import { KeyRing, sshSign } from './helpers.js';

// Fixtures live in the source tree; tests run from lib/test/approval.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const vectors = join(root, 'test', 'fixtures', 'sshsig');
const read = (name: string): Buffer => readFileSync(join(vectors, name));

const MESSAGE = read('signed-data');
const NAMESPACE = read('namespace').toString('utf8').trim();
const NAMES = ['rsa', 'ecdsa', 'ed25519', 'ecdsa_sk', 'ed25519_sk', 'ecdsa_sk_webauthn'];

/** Re-encodes an SSHSIG blob with a replaced inner signature. */
function withSignature(blob: Buffer, signature: Buffer): Buffer {
  const r = new SshReader(blob);
  r.raw(6);
  r.uint32();
  const pk = r.string();
  const ns = r.string();
  const reserved = r.string();
  const hash = r.string();
  return Buffer.concat([blob.subarray(0, 10), sshString(pk), sshString(ns), sshString(reserved), sshString(hash), sshString(signature)]);
}

describe('SSHSIG: OpenSSH test vectors', () => {
  it.each(NAMES)('%s: accepts the vector, signed by the key in its .pub', (name) => {
    const res = verifySshSig(read(`${name}.sig`).toString(), MESSAGE, { namespace: NAMESPACE });
    expect(res).toMatchObject({ valid: true });
    const pub = parsePublicKeyLine(read(`${name}.pub`).toString());
    if (res.valid) expect(res.publicKey.equals(pub.blob)).toBe(true);
  });

  it('names the WebAuthn variant and the FIDO flags it verified', () => {
    const res = verifySshSig(read('ecdsa_sk_webauthn.sig').toString(), MESSAGE, { namespace: NAMESPACE });
    expect(res).toMatchObject({ valid: true, signatureAlgorithm: 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com' });
    if (res.valid) expect(res.flags! & 0x01).toBe(1);
  });

  it.each(NAMES)('%s: rejects the vector when one byte of the message changes', (name) => {
    for (const pos of [0, MESSAGE.length >> 1, MESSAGE.length - 1]) {
      const m = Buffer.from(MESSAGE);
      m[pos] ^= 0x01;
      expect(verifySshSig(read(`${name}.sig`).toString(), m, { namespace: NAMESPACE }).valid).toBe(false);
    }
    expect(verifySshSig(read(`${name}.sig`).toString(), Buffer.concat([MESSAGE, Buffer.from('\n')]), { namespace: NAMESPACE }).valid).toBe(false);
  });

  it.each(NAMES)('%s: rejects the vector under another namespace, and a namespace byte changed inside the blob', (name) => {
    const res = verifySshSig(read(`${name}.sig`).toString(), MESSAGE, { namespace: 'model-release-gate@v1' });
    expect(res).toMatchObject({ valid: false, reason: expect.stringContaining('namespace "unittest"') });
    // The namespace in the blob changed to one of the same length, then checked under it: the signature fails.
    const blob = dearmor(read(`${name}.sig`).toString());
    const at = blob.indexOf(Buffer.from('unittest'));
    const forged = Buffer.from(blob);
    forged[at] = 'v'.charCodeAt(0);
    expect(verifySshSig(forged, MESSAGE, { namespace: 'vnittest' }).valid).toBe(false);
  });

  it.each(NAMES)('%s: rejects the vector when any single byte of the signature blob changes', (name) => {
    const blob = dearmor(read(`${name}.sig`).toString());
    for (let i = 0; i < blob.length; i++) {
      const forged = Buffer.from(blob);
      forged[i] ^= 0x04;
      const res = verifySshSig(forged, MESSAGE, { namespace: NAMESPACE });
      if (res.valid) throw new Error(`${name}: byte ${i} of ${blob.length} changed and the signature still verified`);
    }
  });

  it.each(NAMES)('%s: rejects the vector checked against every other vector key', (name) => {
    const sig = parseSshSig(read(`${name}.sig`).toString());
    const blob = dearmor(read(`${name}.sig`).toString());
    for (const other of NAMES.filter((n) => n !== name)) {
      const otherKey = parsePublicKeyLine(read(`${other}.pub`).toString());
      // Substituting the other key into the signature (what a forger would do) must fail...
      const rest = blob.subarray(10 + 4 + sig.publicKey.length);
      const substituted = Buffer.concat([blob.subarray(0, 10), sshString(otherKey.blob), rest]);
      expect(verifySshSig(substituted, MESSAGE, { namespace: NAMESPACE }).valid).toBe(false);
      // ...and the genuine signature is by a key that is not the other one.
      expect(sig.publicKey.equals(otherKey.blob)).toBe(false);
    }
  });

  it('the ML-DSA hybrid is refused as an unsupported key type', () => {
    const res = verifySshSig(read('mldsa44-ed25519.sig').toString(), MESSAGE, { namespace: NAMESPACE });
    expect(res).toMatchObject({ valid: false, reason: expect.stringContaining('unsupported key type') });
  });

  it('fingerprints equal what ssh-keygen -l prints for every vector key', () => {
    for (const name of NAMES) {
      const out = execFileSync('ssh-keygen', ['-l', '-f', join(vectors, `${name}.pub`)]).toString();
      expect(out.split(' ')[1]).toBe(fingerprint(parsePublicKeyLine(read(`${name}.pub`).toString()).blob));
    }
  });

  it('hardware-key signatures without user presence are refused unless allowed', () => {
    const blob = dearmor(read('ed25519_sk.sig').toString());
    const sig = parseSshSig(blob);
    // Clear the flags byte (after alg and raw): the signature then fails in any case,
    // but the presence check speaks first so the reason is the touch.
    const r = new SshReader(sig.signature);
    const alg = r.string();
    const raw = r.string();
    const noTouch = Buffer.concat([sshString(alg), sshString(raw), Buffer.of(0x00), sig.signature.subarray(sig.signature.length - 4)]);
    const res = verifySshSig(withSignature(blob, noTouch), MESSAGE, { namespace: NAMESPACE });
    expect(res).toMatchObject({ valid: false, reason: expect.stringContaining('without a touch') });
  });
});

describe('SSHSIG: real ssh-keygen -Y sign signatures', () => {
  const ring = new KeyRing();
  afterAll(() => ring.cleanup());
  const message = Buffer.from('{"v":1,"type":"model-release-approval"}');

  it.each([['ed25519'], ['ecdsa'], ['ecdsa-384'], ['ecdsa-521'], ['rsa']])('%s key: verifies, rejects tampering, and reports the ssh-keygen fingerprint', (type) => {
    const key = ring.key(type, type);
    const armored = sshSign(key, message);
    const res = verifySshSig(armored, message, { namespace: 'model-release-gate@v1' });
    expect(res).toMatchObject({ valid: true });
    const printed = execFileSync('ssh-keygen', ['-l', '-f', `${key.path}.pub`]).toString().split(' ')[1];
    if (res.valid) expect(res.fingerprint).toBe(printed);
    expect(verifySshSig(armored, Buffer.from(message.toString().replace('1', '2')), { namespace: 'model-release-gate@v1' }).valid).toBe(false);
    expect(verifySshSig(armored, message, { namespace: 'git' }).valid).toBe(false);
    const git = sshSign(key, message, 'git');
    expect(verifySshSig(git, message, { namespace: 'model-release-gate@v1' })).toMatchObject({ valid: false, reason: expect.stringContaining('namespace "git"') });
  });

  it('accepts sha256 as the message hash (ssh-keygen -O hashalg=sha256) and rsa-sha2-256', () => {
    const key = ring.key('ed25519', 'ed25519');
    expect(verifySshSig(sshSign(key, message, undefined, ['-O', 'hashalg=sha256']), message, { namespace: 'model-release-gate@v1' }).valid).toBe(true);
    const rsa = ring.key('rsa', 'rsa');
    const rsaPub = parsePublicKeyLine(rsa.pub);
    const data = signedData('model-release-gate@v1', 'sha512', message);
    // rsa-sha2-256 over the same signed data, signed with Node from a PEM copy of the key.
    execFileSync('ssh-keygen', ['-q', '-p', '-N', '', '-m', 'PEM', '-f', rsa.path]);
    const pem = readFileSync(rsa.path, 'utf8');
    const blobWith = (alg: string, raw: Buffer): Buffer =>
      Buffer.concat([
        Buffer.from('SSHSIG'), Buffer.from([0, 0, 0, 1]), sshString(rsaPub.blob), sshString('model-release-gate@v1'), sshString(''), sshString('sha512'),
        sshString(Buffer.concat([sshString(alg), sshString(raw)])),
      ]);
    const blob = blobWith('rsa-sha2-256', cryptoSign('sha256', data, pem));
    expect(verifySshSig(blob, message, { namespace: 'model-release-gate@v1' })).toMatchObject({ valid: true, signatureAlgorithm: 'rsa-sha2-256' });
    // The same with SHA-1 (ssh-rsa) is refused by name, even though it is a correct signature.
    const old = blobWith('ssh-rsa', cryptoSign('sha1', data, pem));
    expect(verifySshSig(old, message, { namespace: 'model-release-gate@v1' })).toMatchObject({ valid: false, reason: expect.stringContaining('SHA-1') });
  });

  it('refuses RSA keys shorter than 2048 bits', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = publicKey.export({ format: 'jwk' });
    const mp = (b64: string): Buffer => {
      const b = Buffer.from(b64, 'base64url');
      return b[0] & 0x80 ? Buffer.concat([Buffer.of(0), b]) : b;
    };
    const blob = Buffer.concat([sshString('ssh-rsa'), sshString(mp(jwk.e!)), sshString(mp(jwk.n!))]);
    expect(() => parsePublicKeyLine(`ssh-rsa ${blob.toString('base64')}`)).toThrow(/1024 bits is too short/);
  });

  it('finds every armored block in a review body', () => {
    const key = ring.key('ed25519', 'ed25519');
    const a = sshSign(key, message);
    expect(findArmoredSignatures(`Approved.\n\n${a}\nthanks\n${a}`)).toHaveLength(2);
    expect(findArmoredSignatures('no signature here')).toEqual([]);
  });

  it('reports unreadable input instead of throwing', () => {
    expect(verifySshSig('-----BEGIN SSH SIGNATURE-----\n!!!\n-----END SSH SIGNATURE-----', message, { namespace: 'x' })).toMatchObject({ valid: false, reason: expect.stringContaining('unreadable') });
    expect(verifySshSig(Buffer.from('SSHSIG'), message, { namespace: 'x' }).valid).toBe(false);
  });
});
