/**
 * Reads the records the stream publishes next: from the log's entry bundles
 * (`tile/entries/<N>`, 256 records a read, published by the transparency log:
 * docs/transparency-log.md) where the log has them, and one entry at a time
 * for the rest (the tail after the last full bundle, a log without tiles, a
 * bundle missing or malformed). On S3 that is one GET per 256 records
 * instead of one per record; on a file store one file instead of 256.
 *
 * A bundle is derived from the entries, so the stream never trusts it alone:
 * every record is checked as an entry would be, and each transaction's last
 * record is compared with its entry before anything is published (see
 * stream-log.ts and docs/audit-stream.md for why that pins every record of
 * the transaction to the entries' chain).
 */
import { mapLimit } from '../read-chain.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { entryKey, type AuditStore } from '../store.js';
import { decodeBundle } from '../tlog/bundle.js';
import { TILE_WIDTH, tilePath } from '../tlog/tile-path.js';

export interface StoredRecord {
  seq: number;
  /** The record's bytes, or null when the store has no entry at this seq. */
  bytes: Uint8Array | null;
  /** Whether the bytes came from a bundle (not yet compared with the entry). */
  bundled: boolean;
}

export interface ReadOptions {
  policy: RetryPolicy;
  /** Reads in flight. */
  concurrency: number;
  /** One past the highest listed seq: bundle N is read only when the log has records up to 256·(N+1) − 1. */
  listedEnd: number;
  /** Read entries only (the fallback when a bundle's records do not check out). */
  entriesOnly?: boolean;
}

/** The records at `seqs` (ascending), in that order. */
export async function readForStream(store: Pick<AuditStore, 'displayUrl' | 'read'>, seqs: readonly number[], options: ReadOptions): Promise<StoredRecord[]> {
  const where = store.displayUrl;
  const out: StoredRecord[] = seqs.map((seq) => ({ seq, bytes: null, bundled: false }));
  const pending = new Set<number>(seqs.map((_, i) => i));
  if (!options.entriesOnly && seqs.length) {
    const first = Math.floor(seqs[0] / TILE_WIDTH);
    const last = Math.floor(seqs[seqs.length - 1] / TILE_WIDTH);
    const bundles: number[] = [];
    for (let n = first; n <= last && (n + 1) * TILE_WIDTH <= options.listedEnd; n++) bundles.push(n);
    const index = new Map<number, number>(seqs.map((s, i) => [s, i]));
    await mapLimit(bundles, Math.min(options.concurrency, 8), async (n) => {
      const key = tilePath({ level: 'entries', n, width: TILE_WIDTH });
      const bytes = await withRetry(options.policy, `reading ${key}`, where, () => store.read(key));
      if (!bytes) return;
      const decoded = decodeBundle(bytes, TILE_WIDTH);
      if (!decoded.ok) return; // left to the entries
      for (let j = 0; j < TILE_WIDTH; j++) {
        const i = index.get(n * TILE_WIDTH + j);
        if (i === undefined) continue;
        out[i].bytes = decoded.records[j];
        out[i].bundled = true;
        pending.delete(i);
      }
    });
  }
  const rest = [...pending];
  const read = await mapLimit(rest, options.concurrency, (i) => withRetry(options.policy, `reading ${entryKey(seqs[i])}`, where, () => store.read(entryKey(seqs[i]))));
  for (let k = 0; k < rest.length; k++) out[rest[k]].bytes = read[k];
  return out;
}
