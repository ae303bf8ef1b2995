/**
 * What the deployment protection rule needs from the audit log in one read:
 * whether the log verifies (every store's chain, the stores against each
 * other, checkpoints against the public key), the newest checkpoint whose
 * signature verifies, and the records of the event types asked for (the
 * MODEL_RELEASE records to look a model digest up in, and earlier
 * DEPLOYMENT_DECISION records, the rule's only memory between restarts).
 *
 * The whole log is read, not only what follows the newest checkpoint: the
 * release record usually sits before it. One log per repository keeps that
 * small (docs/design.md §7).
 */
import type { Digest } from '../core/digest.js';
import type { CheckedCheckpoint, VerifyKey } from './checkpoint.js';
import { verifyChain } from './chain-verify.js';
import { sortFindings, type Finding } from './findings.js';
import { readChain } from './read-chain.js';
import { parseRecord, recordDigest, type AuditRecord } from './record.js';
import type { AuditStore } from './store.js';
import { compareStores } from './verify-log.js';

export interface EvidenceRecord {
  seq: number;
  digest: Digest;
  record: AuditRecord;
}

export interface ReleaseEvidence {
  /** No findings in any store. */
  verified: boolean;
  findings: Finding[];
  /** The first store's number of records. */
  size: number;
  /** Size of the newest checkpoint whose signature verifies (first store), or null. */
  newest_checkpoint: number | null;
  /** Records of the asked event types (first store), in sequence order. */
  records: EvidenceRecord[];
  /**
   * True when the records were found through the record index and each
   * proven included under the newest signed note (tlog/release-inclusion.ts),
   * not read from a verify of the whole log: `records` then holds only the
   * ones asked for.
   */
  proven?: boolean;
}

/** Reads and verifies the log in every store and picks out records of `eventTypes`. */
export async function readReleaseEvidence(
  stores: AuditStore[],
  options: { checkpointKey?: VerifyKey; eventTypes: string[]; concurrency?: number },
): Promise<ReleaseEvidence> {
  const observations = await Promise.all(
    stores.map((s) => readChain(s, { verifyKey: options.checkpointKey, concurrency: options.concurrency })),
  );
  const findings: Finding[] = [];
  const reports = observations.map((o) => verifyChain(o));
  reports.forEach((r, i) => findings.push(...r.findings.map((f) => (stores.length > 1 ? { ...f, store: stores[i].displayUrl } : f))));
  for (let i = 1; i < stores.length; i++) {
    findings.push(...compareStores(stores[0].displayUrl, observations[0], stores[i].displayUrl, observations[i]));
  }
  const wanted = new Set(options.eventTypes);
  const records: EvidenceRecord[] = [];
  for (const e of observations[0].entries) {
    if (!e.bytes) continue;
    const parsed = parseRecord(e.bytes);
    if (parsed.ok && wanted.has(parsed.record.event_type)) {
      records.push({ seq: e.seq, digest: recordDigest(e.bytes), record: parsed.record });
    }
  }
  records.sort((a, b) => a.seq - b.seq);
  return {
    verified: findings.length === 0,
    findings: sortFindings(findings),
    size: reports[0].size,
    newest_checkpoint: newestValidCheckpoint(observations[0].checkpoints),
    records,
  };
}

/**
 * The size of the largest checkpoint whose signature verified, or null when
 * none did. A loop, not `Math.max(...sizes)`: a log checkpointed after every
 * append has one checkpoint per record, and spreading 100,000+ arguments
 * overflows the stack.
 */
export function newestValidCheckpoint(checkpoints: readonly CheckedCheckpoint[]): number | null {
  let newest: number | null = null;
  for (const c of checkpoints) if (c.status === 'valid' && (newest === null || c.size > newest)) newest = c.size;
  return newest;
}
