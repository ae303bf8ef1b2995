/**
 * For the deployment rule: is record `seq` (the release's `MODEL_RELEASE`)
 * in the log under the newest signed-note checkpoint? O(log n) reads (the
 * note, a few tiles, the entry) instead of verifying the whole log; the
 * answer is re-derived from the store at every call, never cached.
 */
import { GateError } from '../../core/errors.js';
import type { Vkey } from './ed25519-keys.js';
import { checkProof } from './check-proof.js';
import type { NoteStore } from './note-io.js';
import { proveRecord } from './prove.js';

export type InclusionCheck =
  | { ok: true; size: number; record: Uint8Array; cosigners: string[] }
  | { ok: false; reason: string };

/** Checks that record `seq` is included in the tree the newest valid note signs (with `quorum` witness cosignatures). */
export async function checkRecordInclusion(
  store: NoteStore,
  seq: number,
  options: { logKeys: readonly Vkey[]; origin?: string; witnesses?: readonly Vkey[]; quorum?: number },
): Promise<InclusionCheck> {
  let proof;
  try {
    proof = await proveRecord(store, seq, { logKeys: options.logKeys, origin: options.origin, witnesses: options.witnesses });
  } catch (e) {
    // A store that cannot be read stays an outage (the caller fails closed); everything else is a "no".
    if (e instanceof GateError && e.category === 'service') throw e;
    return { ok: false, reason: (e as Error).message };
  }
  const c = checkProof(proof.proof, proof.record, options);
  return c.ok ? { ok: true, size: c.size, record: proof.record, cosigners: c.cosigners } : { ok: false, reason: c.reason };
}
