/**
 * Note keys for the tlog tests: generated fresh (a fixed key in the tests
 * would be a key anyone can sign with) and parsed the way the verifiers parse
 * them.
 */
import { SIG_TYPE, generateNoteKey, parseNoteKey, parseVkey, type NoteKey, type Vkey } from '../../../src/audit/tlog/ed25519-keys.js';

/** The value of a parse result; a failed parse fails the test with its reason. */
export const must = <T>(r: ({ ok: true } & T) | { ok: false; reason: string }): T => {
  if (!r.ok) throw new Error(r.reason);
  return r;
};

/** A new key pair named `name` (of `type`, default a log's Ed25519 key): its signing key and its verifier key, parsed. */
export function noteKeyPair(name: string, type: number = SIG_TYPE.ed25519): { key: NoteKey; vkey: Vkey } {
  const gen = generateNoteKey(name, type);
  return { key: must(parseNoteKey(gen.privateKey)).key, vkey: must(parseVkey(gen.vkey)).vkey };
}

/** A log's key pair for `origin` and one witness's (witness.example/w1, a cosignature key), with the witness trusting that log. */
export function logAndWitness(origin: string): { logKey: NoteKey; logVkey: Vkey; wKey: NoteKey; wVkey: Vkey; logs: Map<string, Vkey[]> } {
  const log = noteKeyPair(origin);
  const w = noteKeyPair('witness.example/w1', SIG_TYPE.cosignatureEd25519);
  return { logKey: log.key, logVkey: log.vkey, wKey: w.key, wVkey: w.vkey, logs: new Map([[origin, [log.vkey]]]) };
}
