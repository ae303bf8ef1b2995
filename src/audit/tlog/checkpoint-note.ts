/**
 * C2SP tlog-checkpoint: the note text `<origin>\n<size>\n<base64 root>\n`
 * (extension lines are parsed but never written), signed by the log with
 * Ed25519 (signature type 0x01), and cosigned by witnesses
 * (c2sp.org/tlog-cosignature, Ed25519 type 0x04: the signed message is
 * `cosignature/v1\ntime <t>\n` followed by the checkpoint text).
 */
import { hashFromBase64, hashToBase64, type Hash } from './hash.js';
import { SIG_TYPE, ed25519PublicKey, ed25519Sign, ed25519Verify, isValidKeyName, keyId, type NoteKey, type Vkey } from './ed25519-keys.js';
import { assembleNote, openNote, signatureLine, type NoteVerifier, type VerifiedSignature } from './note.js';

/** What a checkpoint says: the log, its size and its root hash. */
export interface TreeHead {
  origin: string;
  size: number;
  root: Hash;
}

/** The checkpoint's note text. */
export function formatCheckpoint(head: TreeHead): string {
  if (!isValidKeyName(head.origin) || head.origin.includes('\n')) throw new RangeError(`not a checkpoint origin: ${JSON.stringify(head.origin)}`);
  if (!Number.isSafeInteger(head.size) || head.size < 0) throw new RangeError(`not a tree size: ${head.size}`);
  return `${head.origin}\n${head.size}\n${hashToBase64(head.root)}\n`;
}

/** Parses a checkpoint's note text strictly; the reason when it is not one. */
export function parseCheckpoint(text: Buffer | string): { ok: true; head: TreeHead; extensions: string[] } | { ok: false; reason: string } {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  if (!s.endsWith('\n')) return { ok: false, reason: 'the checkpoint text does not end in a newline' };
  const lines = s.slice(0, -1).split('\n');
  if (lines.length < 3) return { ok: false, reason: 'a checkpoint has at least three lines: origin, size, root hash' };
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === '') return { ok: false, reason: 'the checkpoint origin line is empty' };
  if (!/^(0|[1-9]\d*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    return { ok: false, reason: `the tree size ${JSON.stringify(sizeText)} is not a decimal number without leading zeros` };
  }
  const root = hashFromBase64(rootText);
  if (!root) return { ok: false, reason: `the root hash ${JSON.stringify(rootText)} is not base64 of 32 bytes` };
  if (extensions.some((e) => e === '')) return { ok: false, reason: 'a checkpoint extension line is empty' };
  return { ok: true, head: { origin, size: Number(sizeText), root }, extensions };
}

/** A log's signature line over a checkpoint text (type 0x01, key name = the key's name). */
export function logSignatureLine(text: string | Buffer, key: NoteKey): string {
  const id = keyId(key.name, SIG_TYPE.ed25519, key.publicKey);
  return signatureLine(key.name, id, ed25519Sign(key.privateKey, Buffer.from(text)));
}

/** A signed checkpoint note: the text and the log's signature. */
export function signCheckpoint(head: TreeHead, key: NoteKey): Buffer {
  const text = formatCheckpoint(head);
  return assembleNote(text, [logSignatureLine(text, key)]);
}

/** Checks log signatures (type 0x01) by the key of a verifier key. */
export function logVerifier(vkey: Vkey): NoteVerifier {
  if (vkey.type !== SIG_TYPE.ed25519) throw new RangeError(`${vkey.name}: a log key has signature type 0x01, not 0x0${vkey.type}`);
  const key = ed25519PublicKey(vkey.publicKey);
  return { name: vkey.name, keyId: vkey.keyId, verify: (text, sig) => ed25519Verify(key, text, sig) };
}

/** The message a v1 Ed25519 cosignature signs. */
export function cosignatureMessage(text: Buffer | string, time: number): Buffer {
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${time}\n`, 'utf8'), Buffer.from(text)]);
}

/** A witness's cosignature line over a checkpoint text at `time` (POSIX seconds). */
export function cosignatureLine(text: Buffer | string, key: NoteKey, time: number): string {
  if (!Number.isSafeInteger(time) || time < 0) throw new RangeError(`not a POSIX time: ${time}`);
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(time), 0);
  const sig = ed25519Sign(key.privateKey, cosignatureMessage(text, time));
  return signatureLine(key.name, keyId(key.name, SIG_TYPE.cosignatureEd25519, key.publicKey), Buffer.concat([ts, sig]));
}

/** Checks v1 Ed25519 cosignatures (type 0x04) by a witness's verifier key; reports the signed time. */
export function cosignatureVerifier(vkey: Vkey): NoteVerifier {
  if (vkey.type !== SIG_TYPE.cosignatureEd25519) throw new RangeError(`${vkey.name}: a witness key has signature type 0x04, not 0x0${vkey.type}`);
  const key = ed25519PublicKey(vkey.publicKey);
  return {
    name: vkey.name,
    keyId: vkey.keyId,
    verify: (text, sig) => {
      if (sig.length !== 72) return false;
      const t = sig.readBigUInt64BE(0);
      if (t > BigInt(Number.MAX_SAFE_INTEGER)) return false;
      const time = Number(t);
      return ed25519Verify(key, cosignatureMessage(text, time), sig.subarray(8)) ? { time } : false;
    },
  };
}

/** A checkpoint whose log signature verified, with the witnesses that cosigned it. */
export interface OpenedCheckpoint {
  head: TreeHead;
  /** The note text (what was signed). */
  text: Buffer;
  /** Valid cosignatures by the witness keys given, one per witness. */
  cosignatures: VerifiedSignature[];
}

/**
 * Opens a checkpoint note: it must carry a valid signature by one of the log
 * keys, and any signature by a given witness key must verify too (a note with
 * a failing known signature is rejected, as signed-note requires). `origin`,
 * when given, must equal the checkpoint's origin line.
 */
export function openCheckpoint(
  bytes: Uint8Array,
  logKeys: readonly Vkey[],
  options: { witnesses?: readonly Vkey[]; origin?: string } = {},
): { ok: true; checkpoint: OpenedCheckpoint } | { ok: false; reason: string } {
  const logVerifiers = logKeys.map(logVerifier);
  const witnessVerifiers = (options.witnesses ?? []).map(cosignatureVerifier);
  const opened = openNote(bytes, [...logVerifiers, ...witnessVerifiers]);
  if (!opened.ok) return { ok: false, reason: opened.reason };
  const parsed = parseCheckpoint(opened.text);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  if (!opened.verified.some((v) => logVerifiers.includes(v.verifier))) {
    return { ok: false, reason: 'the checkpoint carries no valid signature by the log key (only cosignatures)' };
  }
  if (options.origin !== undefined && parsed.head.origin !== options.origin) {
    return { ok: false, reason: `the checkpoint is of log ${JSON.stringify(parsed.head.origin)}, not ${JSON.stringify(options.origin)}` };
  }
  const cosignatures = opened.verified.filter((v) => witnessVerifiers.includes(v.verifier));
  return { ok: true, checkpoint: { head: parsed.head, text: opened.text, cosignatures } };
}

/**
 * Whether at least `quorum` distinct given witnesses cosigned. Two
 * verifier keys with the same public key count once: one witness cannot meet
 * a quorum by being listed twice under two names.
 */
export function meetsQuorum(checkpoint: OpenedCheckpoint, witnesses: readonly Vkey[], quorum: number): { ok: boolean; count: number } {
  const keys = new Set<string>();
  for (const c of checkpoint.cosignatures) {
    const w = witnesses.find((x) => x.name === c.verifier.name && x.keyId === c.verifier.keyId);
    if (w) keys.add(w.publicKey.toString('hex'));
  }
  return { ok: keys.size >= quorum, count: keys.size };
}
