/**
 * Checking a tlog-proof receipt offline, as a pure function: the proof file,
 * the record's bytes and the trusted keys go in; whether the record is the
 * log's record at that index under a checkpoint the log (and a quorum of
 * witnesses) signed comes out. No store is read.
 */
import { parseRecord } from '../record.js';
import type { Vkey } from './ed25519-keys.js';
import { leafHash } from './hash.js';
import { meetsQuorum, openCheckpoint } from './checkpoint-note.js';
import { parseProof } from './proof-file.js';
import { verifyInclusion } from './tree.js';

export interface ProofCheckOptions {
  logKeys: readonly Vkey[];
  witnesses?: readonly Vkey[];
  /** Valid cosignatures needed from distinct witnesses (default 0). */
  quorum?: number;
  /** The log the record must belong to (default: the checkpoint's origin, which the log key signed). */
  origin?: string;
}

export type ProofCheck =
  | { ok: true; index: number; size: number; origin: string; cosigners: string[] }
  | { ok: false; reason: string };

/** Verifies a proof file for a record (its stored bytes, exactly). */
export function checkProof(proofBytes: Uint8Array, record: Uint8Array, options: ProofCheckOptions): ProofCheck {
  const parsed = parseProof(proofBytes);
  if (!parsed.ok) return { ok: false, reason: `not a tlog-proof file: ${parsed.reason}` };
  const { index, path, checkpoint } = parsed.proof;
  const opened = openCheckpoint(checkpoint, options.logKeys, { witnesses: options.witnesses, origin: options.origin });
  if (!opened.ok) return { ok: false, reason: `the proof's checkpoint: ${opened.reason}` };
  const { head } = opened.checkpoint;
  const quorum = options.quorum ?? 0;
  const q = meetsQuorum(opened.checkpoint, options.witnesses ?? [], quorum);
  if (!q.ok) return { ok: false, reason: `${q.count} valid witness cosignature(s), the quorum is ${quorum}` };
  if (index >= head.size) return { ok: false, reason: `index ${index} is not in a tree of size ${head.size}` };
  if (!verifyInclusion(index, head.size, leafHash(record), path, head.root)) {
    return { ok: false, reason: `the record is not at index ${index} of the tree the checkpoint signs (size ${head.size}): its bytes differ from the logged ones, or the proof is not for it` };
  }
  // The leaf is these exact bytes; a record also names its own log and seq, which must agree.
  const rec = parseRecord(record);
  if (rec.ok && (rec.record.seq !== index || rec.record.log !== head.origin)) {
    return { ok: false, reason: `the record says log ${JSON.stringify(rec.record.log)} seq ${rec.record.seq}, the proof log ${JSON.stringify(head.origin)} index ${index}` };
  }
  return { ok: true, index, size: head.size, origin: head.origin, cosigners: opened.checkpoint.cosignatures.map((c) => c.verifier.name) };
}
