/**
 * C2SP signed notes: text ending in a newline, a blank line, then signature
 * lines `— <key name> base64(uint32 key ID ‖ signature)`. Parsing follows the
 * spec and Go's `note.Open`: valid UTF-8, no control character but newline,
 * the text ends at the last blank line, signatures of unknown (name, key ID)
 * pairs are ignored, a known key whose signature fails rejects the note, and
 * a note no known key signed is rejected.
 */
import { isUtf8 } from 'node:buffer';
import { isValidKeyName } from './ed25519-keys.js';

/** At most this many signature lines are parsed (the spec asks for at least 16; Go stops at 100). */
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 ';

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the key ID. */
  signature: Buffer;
  /** The line as it appears, without its newline. */
  line: string;
}

/** A key that can check signatures of one (name, key ID). */
export interface NoteVerifier {
  name: string;
  keyId: number;
  /** Checks `signature` (the bytes after the key ID) over the note text; returns what it learned (e.g. a cosignature's time) or false. */
  verify(text: Buffer, signature: Buffer): boolean | { time: number };
}

export type ParsedNote = { ok: true; text: Buffer; signatures: NoteSignature[] } | { ok: false; reason: string };

/** Splits a note into its text and signature lines, without checking any signature. */
export function parseNote(bytes: Uint8Array): ParsedNote {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buf)) return { ok: false, reason: 'the note is not valid UTF-8' };
  for (const b of buf) {
    if (b < 0x20 && b !== 0x0a) return { ok: false, reason: `the note contains the control character 0x${b.toString(16).padStart(2, '0')}` };
  }
  const split = buf.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'the note has no blank line before its signatures' };
  const text = buf.subarray(0, split + 1);
  const sigs = buf.subarray(split + 2).toString('utf8');
  if (sigs.length === 0 || !sigs.endsWith('\n')) return { ok: false, reason: 'the note\'s signature block is empty or does not end in a newline' };
  const lines = sigs.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) return { ok: false, reason: `the note has more than ${MAX_NOTE_SIGNATURES} signatures` };
  const signatures: NoteSignature[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith(SIG_PREFIX)) return { ok: false, reason: `signature line ${i + 1} does not start with "— "` };
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    const raw = Buffer.from(b64, 'base64');
    if (!isValidKeyName(name) || b64 === '' || raw.toString('base64') !== b64 || raw.length < 5) {
      return { ok: false, reason: `signature line ${i + 1} is not "— <key name> <base64 signature>"` };
    }
    signatures.push({ name, keyId: raw.readUInt32BE(0), signature: raw.subarray(4), line });
  }
  return { ok: true, text, signatures };
}

/** A signature a known key verified, and what that key said (e.g. a cosignature's time). */
export interface VerifiedSignature {
  verifier: NoteVerifier;
  signature: NoteSignature;
  time?: number;
}

export type OpenedNote =
  | { ok: true; text: Buffer; verified: VerifiedSignature[]; unknown: NoteSignature[] }
  | { ok: false; reason: string; kind: 'malformed' | 'bad-signature' | 'unverified' };

/**
 * Parses a note and checks every signature whose (name, key ID) a verifier
 * knows. Fails when one of them does not verify, or when none is known.
 */
export function openNote(bytes: Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const parsed = parseNote(bytes);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, kind: 'malformed' };
  const verified: VerifiedSignature[] = [];
  const unknown: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const sig of parsed.signatures) {
    const v = verifiers.find((x) => x.name === sig.name && x.keyId === sig.keyId);
    if (!v) {
      unknown.push(sig);
      continue;
    }
    const id = `${sig.name}\n${sig.keyId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const r = v.verify(parsed.text, sig.signature);
    if (r === false) {
      return { ok: false, kind: 'bad-signature', reason: `the signature by ${sig.name} (key ID ${sig.keyId.toString(16).padStart(8, '0')}) does not verify` };
    }
    verified.push({ verifier: v, signature: sig, ...(typeof r === 'object' ? { time: r.time } : {}) });
  }
  if (verified.length === 0) {
    const names = parsed.signatures.map((s) => `${s.name} ${s.keyId.toString(16).padStart(8, '0')}`).join(', ');
    return { ok: false, kind: 'unverified', reason: `no signature by a given key (the note is signed by: ${names})` };
  }
  return { ok: true, text: parsed.text, verified, unknown };
}

/** One signature line for `text`: `— <name> base64(key ID ‖ signature)` (no newline). */
export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId >>> 0, 0);
  return `${SIG_PREFIX}${name} ${Buffer.concat([id, signature]).toString('base64')}`;
}

/** A note from its text (ending in a newline) and signature lines. */
export function assembleNote(text: string | Buffer, lines: readonly string[]): Buffer {
  const t = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  if (t.length === 0 || t[t.length - 1] !== 0x0a) throw new RangeError('a note text must end in a newline');
  if (lines.length === 0) throw new RangeError('a note needs at least one signature');
  return Buffer.concat([t, Buffer.from(`\n${lines.join('\n')}\n`, 'utf8')]);
}
