/**
 * The deployment rule's O(log n) look at the audit log (docs/transparency-log.md,
 * "The deployment rule"): the release records of the deployed artifacts and
 * the rule's earlier decisions for the waiting run, found through the
 * untrusted record index, each read from `entries/`, checked to say what the
 * rule needs, and proven included in the tree the newest signed note signs.
 * When that cannot be shown, it says why and the caller reads the whole log
 * (never weaker than this path). Re-derived from the store at every call.
 */
import type { Digest } from '../../core/digest.js';
import { GateError } from '../../core/errors.js';
import { DEPLOYMENT_DECISION } from '../deployment-record.js';
import type { EvidenceRecord, ReleaseEvidence } from '../release-evidence.js';
import { MODEL_RELEASE } from '../release-record.js';
import { parseRecord, recordDigest, type AuditRecord } from '../record.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { entryKey } from '../store.js';
import type { Vkey } from './ed25519-keys.js';
import { leafHash } from './hash.js';
import { newestValidNote, type NoteStore } from './note-io.js';
import { deploymentIndexName, readIndex, subjectIndexName } from './record-index.js';
import { verifyInclusion } from './tree.js';
import { inclusionFromStore } from './tree-io.js';

export interface InclusionLookup {
  /** The note keys of the log (its Ed25519 checkpoint keys under its name). */
  logKeys: readonly Vkey[];
  /** The log's name: the notes' origin and every record's `log`. */
  origin: string;
  /** Digests that each need a MODEL_RELEASE record. */
  digests: readonly Digest[];
  /** The waiting run whose earlier decisions the rule needs. */
  run?: { id: number; environment: string };
  policy?: RetryPolicy;
}

/** The evidence, proven record by record, or why it could not be (the caller then verifies the whole log). */
export type InclusionEvidence = { ok: true; evidence: ReleaseEvidence } | { ok: false; why: string };

interface Candidate extends EvidenceRecord {
  bytes: Uint8Array;
}

/** Release records and decisions by inclusion proof, in every store; the first store's are returned. */
export async function releaseEvidenceByProof(stores: readonly NoteStore[], lookup: InclusionLookup): Promise<InclusionEvidence> {
  let first: ReleaseEvidence | null = null;
  for (const store of stores) {
    const r = await oneStore(store, lookup);
    if (!r.ok) return { ok: false, why: stores.length > 1 ? `${store.displayUrl}: ${r.why}` : r.why };
    first ??= r.evidence;
  }
  return first ? { ok: true, evidence: first } : { ok: false, why: 'no audit store' };
}

async function oneStore(store: NoteStore, lookup: InclusionLookup): Promise<InclusionEvidence> {
  const policy = lookup.policy ?? DEFAULT_RETRY;
  const read = (seq: number) => withRetry(policy, `reading ${entryKey(seq)}`, store.displayUrl, () => store.read(entryKey(seq)));

  // 1. Candidates from the index, each entry read and checked for what it must say.
  const releases: Candidate[] = [];
  for (const digest of new Set(lookup.digests)) {
    const found = await firstMatching(store, subjectIndexName(digest), read, policy, (r) => r.event_type === MODEL_RELEASE && r.subject.includes(digest), lookup.origin);
    if (!found) return { ok: false, why: `the record index names no MODEL_RELEASE record of ${digest}` };
    releases.push(found);
  }
  const decisions: Candidate[] = [];
  if (lookup.run) {
    const { id, environment } = lookup.run;
    const name = deploymentIndexName(id, environment);
    const idx = await readIndex(store, name, policy);
    if (!idx.complete) return { ok: false, why: `every slot of the index of ${name} is taken` };
    for (const seq of idx.seqs) {
      const c = await candidate(seq, read, lookup.origin, (r) =>
        r.event_type === DEPLOYMENT_DECISION && (r.details as { run_id?: unknown }).run_id === id && String((r.details as { environment?: unknown }).environment).toLowerCase() === environment.toLowerCase(),
      );
      if (c) decisions.push(c);
    }
  }
  const all = [...releases, ...decisions];
  if (all.length === 0) return { ok: false, why: 'nothing to prove' };

  // 2. The newest note this log's key signed that covers the oldest candidate.
  const minSize = Math.min(...all.map((c) => c.seq)) + 1;
  const note = await newestValidNote(store, lookup.logKeys, { origin: lookup.origin, minSize, policy });
  if (!note.valid && releases.length > 0) return { ok: false, why: `no signed-note checkpoint at or above size ${minSize} verifies with the policy's checkpoint key` };
  const head = note.valid?.checkpoint.head;

  // 3. Every release proven in that tree, its leaf hashed from the bytes
  // read; decisions too when the note covers them. A decision after it (the
  // App appends without a key) is taken as read: it is the rule's memory of
  // status reports, which never lets a deployment through.
  for (const c of all) {
    if (!head || c.seq >= head.size) {
      if (releases.includes(c)) return { ok: false, why: `record ${c.seq} is not yet covered by the newest signed checkpoint (size ${head?.size ?? 0})` };
      continue;
    }
    const { size, root } = head;
    let proof;
    try {
      proof = await inclusionFromStore(store, c.seq, size, policy);
    } catch (e) {
      if (e instanceof GateError && e.category === 'service') throw e;
      return { ok: false, why: `the tiles give no inclusion proof of record ${c.seq}: ${(e as Error).message}` };
    }
    if (!proof.root.equals(root) || !verifyInclusion(c.seq, size, leafHash(c.bytes), proof.proof, root)) {
      return { ok: false, why: `record ${c.seq} is not the record the signed tree of size ${size} holds at ${c.seq} (tile-mismatch or an edited entry)` };
    }
  }
  const strip = ({ seq, digest, record }: Candidate): EvidenceRecord => ({ seq, digest, record });
  return {
    ok: true,
    evidence: {
      verified: true,
      findings: [],
      size: head?.size ?? 0,
      newest_checkpoint: head?.size ?? null,
      records: [...new Map(all.map((c) => [c.seq, strip(c)])).values()].sort((a, b) => a.seq - b.seq),
      proven: true,
    },
  };
}

/** The lowest-seq entry the index names under `name` that satisfies `wanted`. */
async function firstMatching(
  store: NoteStore,
  name: string,
  read: (seq: number) => Promise<Uint8Array | null>,
  policy: RetryPolicy,
  wanted: (r: AuditRecord) => boolean,
  origin: string,
): Promise<Candidate | null> {
  const idx = await readIndex(store, name, policy);
  for (const seq of [...idx.seqs].sort((a, b) => a - b)) {
    const c = await candidate(seq, read, origin, wanted);
    if (c) return c;
  }
  return null;
}

/** The entry at `seq`, when it is a record of this log at that seq that satisfies `wanted`. */
async function candidate(seq: number, read: (seq: number) => Promise<Uint8Array | null>, origin: string, wanted: (r: AuditRecord) => boolean): Promise<Candidate | null> {
  const bytes = await read(seq);
  if (!bytes) return null;
  const parsed = parseRecord(bytes);
  if (!parsed.ok || parsed.record.seq !== seq || parsed.record.log !== origin || !wanted(parsed.record)) return null;
  return { seq, digest: recordDigest(bytes), record: parsed.record, bytes };
}
