/**
 * The receipt of a release: after the `MODEL_RELEASE` record was appended and
 * the tree signed, its tlog-proof (docs/transparency-log.md, "Proofs"), which
 * the Action writes beside metadata.json and into the job summary, so whoever
 * holds the release can later show it was logged, offline.
 */
import type { AuditStore } from '../store.js';
import type { TreePublication } from './append-tiles.js';
import { parseVkey } from './ed25519-keys.js';
import { proveRecord, type ProveResult } from './prove.js';

/** The receipt for record `seq` under the note `publication` signed, or null when no note was signed. */
export async function releaseReceipt(store: AuditStore, seq: number, publication: TreePublication | undefined): Promise<(ProveResult & { vkey: string }) | null> {
  if (!publication?.note || !publication.vkey) return null;
  const v = parseVkey(publication.vkey);
  if (!v.ok) return null;
  const p = await proveRecord(store, seq, { size: publication.note.size, logKeys: [v.vkey] });
  return { ...p, vkey: publication.vkey };
}
