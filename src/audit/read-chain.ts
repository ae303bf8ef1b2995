/**
 * The reading half of verification: everything the pure verifier needs from
 * one store, read in parallel with bounded concurrency.
 */
import { checkCheckpoint, type CheckedCheckpoint, type VerifyKey } from './checkpoint.js';
import type { ChainObservation, EntryObservation } from './chain-verify.js';
import { parseRecord } from './record.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import { entryKey, seqOfEntryKey, sizeOfCheckpointKey, type AuditStore } from './store.js';

export interface ReadChainOptions {
  verifyKey?: VerifyKey;
  /** Trust the newest checkpoint whose signature verifies and read only what follows it. */
  fromCheckpoint?: boolean;
  /** The log's expected name: with `fromCheckpoint`, a checkpoint of another log is never the start. */
  log?: string;
  /** Entries read at once (default 32). */
  concurrency?: number;
  /**
   * With `fromCheckpoint`: never start after this seq (the record an external
   * anchor vouches for must be read, or a rollback behind it goes unseen).
   */
  readFrom?: number;
  retry?: RetryPolicy;
}

/** Maps over items with at most `limit` calls in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Reads one store's entries and checkpoints into a {@link ChainObservation}. */
export async function readChain(store: AuditStore, options: ReadChainOptions = {}): Promise<ChainObservation> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const concurrency = options.concurrency ?? 32;
  const where = store.displayUrl;
  const checkpointKeys = await withRetry(policy, 'listing checkpoints', where, () => store.list('checkpoints'));
  const sizes = checkpointKeys.map(sizeOfCheckpointKey).filter((s): s is number => s !== null && s > 0).sort((a, b) => a - b);

  const readCheckpoint = async (size: number): Promise<CheckedCheckpoint> => {
    const key = checkpointKeys[checkpointKeys.findIndex((k) => sizeOfCheckpointKey(k) === size)];
    const bytes = await withRetry(policy, `reading ${key}`, where, () => store.read(key));
    return checkCheckpoint(size, bytes, options.verifyKey);
  };

  let checkpoints: CheckedCheckpoint[];
  let start: ChainObservation['start'];
  if (options.fromCheckpoint && options.verifyKey) {
    // Newest first; stop at the first that verifies. Newer bad ones are still reported.
    checkpoints = [];
    for (let i = sizes.length - 1; i >= 0; i--) {
      const c = await readCheckpoint(sizes[i]);
      checkpoints.push(c);
      // Same key, other log: reported as a bad checkpoint by the verifier, never trusted as the start.
      if (c.status === 'valid' && options.log !== undefined && c.payload.log !== options.log) continue;
      if (c.status === 'valid') {
        start = { seq: c.size - 1, log: c.payload.log };
        break;
      }
    }
    // Start no later than the record an external anchor vouches for (its head is checked there).
    if (start && options.readFrom !== undefined && options.readFrom < start.seq) start = { seq: options.readFrom, log: start.log };
  } else {
    checkpoints = await mapLimit(sizes, concurrency, readCheckpoint);
  }

  const startSeq = start?.seq ?? 0;
  // From a checkpoint, a store that can list from a key (S3 StartAfter) is asked only for what follows.
  let entryKeys =
    startSeq > 0 && store.listAfter
      ? await withRetry(policy, 'listing entries', where, () => (store.listAfter as NonNullable<AuditStore['listAfter']>)('entries', entryKey(startSeq - 1)))
      : [];
  if (entryKeys.length === 0) entryKeys = await withRetry(policy, 'listing entries', where, () => store.list('entries'));
  const seqs = entryKeys.map(seqOfEntryKey).filter((s): s is number => s !== null);
  const listedSize = seqs.length ? seqs[seqs.length - 1] + 1 : 0;
  const wanted = seqs.filter((s) => s >= startSeq);
  const entries = await mapLimit(wanted, concurrency, async (seq): Promise<EntryObservation> => {
    const key = entryKey(seq);
    const got = await withRetry(policy, `reading ${key}`, where, () => store.inspect(key));
    return { seq, bytes: got.bytes, laterVersions: got.laterVersions, retention: got.retention };
  });
  return {
    entries,
    checkpoints,
    start,
    listedSize,
    retentionDays: store.retentionDays,
  };
}

/** The log name a store holds (record 0's), or null for an empty or unreadable log. */
export async function readLogName(store: AuditStore): Promise<string | null> {
  const bytes = await store.read(entryKey(0));
  if (!bytes) return null;
  const parsed = parseRecord(bytes);
  return parsed.ok ? parsed.record.log : null;
}
