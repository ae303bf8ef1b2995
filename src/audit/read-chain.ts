/**
 * The reading half of verification: what the verifier needs from one store.
 * `planChain` lists the keys (compactly) and finds where to start; the
 * entries themselves are then read in order with a bounded read-ahead
 * (`orderedMap`), so memory does not grow with the log. `readChain` reads a
 * whole store into a {@link ChainObservation} for the pure `verifyChain`.
 */
import { GateError } from '../core/errors.js';
import { checkCheckpoint, type CheckedCheckpoint, type VerifyKey } from './checkpoint.js';
import type { ChainObservation, ChainSetup, EntryObservation } from './chain-verify.js';
import { indexKeys, type KeyIndex } from './key-index.js';
import { parseRecord } from './record.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';
import { checkpointKey, entryKey, listKeyIndex, type AuditStore } from './store.js';

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

/**
 * Maps over items in order with at most `limit` calls in flight, yielding
 * each result in order as soon as it and those before it are done. Only the
 * read-ahead is held, however many items there are.
 */
export async function* orderedMap<T, R>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const it = items[Symbol.iterator]();
  const queue: Array<Promise<R>> = [];
  const fill = (): void => {
    while (queue.length < Math.max(1, limit)) {
      const n = it.next();
      if (n.done) return;
      const p = fn(n.value);
      p.catch(() => undefined); // awaited in order below; not an unhandled rejection meanwhile
      queue.push(p);
    }
  };
  fill();
  while (queue.length > 0) {
    const r = await (queue.shift() as Promise<R>);
    fill();
    yield r;
  }
}

/** What a verifier knows about one store before reading its entries. */
export interface ChainPlan {
  store: AuditStore;
  setup: ChainSetup;
  /** Checkpoints already read and checked (from a checkpoint: the start and every newer one), ascending. */
  checkpoints: CheckedCheckpoint[];
  /** Checkpoint sizes still to read and check, ascending (reading the whole log). */
  checkpointSizes: Float64Array;
  /** Entry seqs to read, ascending, all >= the start. */
  entrySeqs: Float64Array;
}

/** Lists one store's keys and finds where its verification starts. */
export async function planChain(store: AuditStore, options: ReadChainOptions = {}): Promise<ChainPlan> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const where = store.displayUrl;
  const cpIndex = await withRetry(policy, 'listing checkpoints', where, () => listKeyIndex(store, 'checkpoints'));
  const sizes = cpIndex.numbers.filter((s) => s > 0);

  let checkpoints: CheckedCheckpoint[] = [];
  let checkpointSizes = sizes;
  let start: ChainSetup['start'];
  if (options.fromCheckpoint && options.verifyKey) {
    // Newest first; stop at the first that verifies. Newer bad ones are still reported.
    checkpointSizes = new Float64Array(0);
    for (let i = sizes.length - 1; i >= 0; i--) {
      const c = await readCheckpoint(store, sizes[i], options.verifyKey, policy);
      checkpoints.push(c);
      // Same key, other log: reported as a bad checkpoint by the verifier, never trusted as the start.
      if (c.status === 'valid' && options.log !== undefined && c.payload.log !== options.log) continue;
      if (c.status === 'valid') {
        start = { seq: c.size - 1, log: c.payload.log };
        break;
      }
    }
    checkpoints = checkpoints.reverse();
    // Start no later than the record an external anchor vouches for (its head is checked there).
    if (start && options.readFrom !== undefined && options.readFrom < start.seq) start = { seq: options.readFrom, log: start.log };
  }

  const startSeq = start?.seq ?? 0;
  // From a checkpoint, a store that can list from a key (S3 StartAfter) is asked only for what follows.
  let index: KeyIndex | undefined;
  if (startSeq > 0 && store.listAfter) {
    const listAfter = store.listAfter.bind(store);
    const after = await withRetry(policy, 'listing entries', where, () => listAfter('entries', entryKey(startSeq - 1)));
    if (after.length > 0) index = indexKeys('entries', after);
  }
  index ??= await withRetry(policy, 'listing entries', where, () => listKeyIndex(store, 'entries'));
  const all = index.numbers;
  const listedSize = all.length ? all[all.length - 1] + 1 : 0;
  let first = 0;
  while (first < all.length && all[first] < startSeq) first++;
  return {
    store,
    setup: {
      start,
      listedSize,
      retentionDays: store.retentionDays,
      outOfRangeKeys: index.outOfRange,
    },
    checkpoints,
    checkpointSizes,
    entrySeqs: first === 0 ? all : all.subarray(first),
  };
}

/** Reads and checks the checkpoint at `size`. */
export async function readCheckpoint(store: AuditStore, size: number, key: VerifyKey | undefined, policy: RetryPolicy = DEFAULT_RETRY): Promise<CheckedCheckpoint> {
  if (!key) return { size, status: 'unchecked' };
  const k = checkpointKey(size);
  let bytes: Uint8Array | null;
  try {
    bytes = await withRetry(policy, `reading ${k}`, store.displayUrl, () => store.read(k));
  } catch (e) {
    // Something that cannot be a checkpoint sits at the key (file store: a FIFO, a directory, a huge file).
    if (e instanceof GateError && e.code === 'E_CHAIN_BROKEN') return { size, status: 'bad', reason: e.message };
    throw e;
  }
  return checkCheckpoint(size, bytes, key);
}

/** Reads the entry at `seq` as the verifier sees it. */
export async function readEntry(store: AuditStore, seq: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<EntryObservation> {
  const key = entryKey(seq);
  const got = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.inspect(key));
  const e: EntryObservation = { seq, bytes: got.bytes, laterVersions: got.laterVersions, retention: got.retention };
  if (got.problem !== undefined) e.problem = got.problem;
  return e;
}

/** Reads one store's entries and checkpoints into a {@link ChainObservation} (the whole log in memory). */
export async function readChain(store: AuditStore, options: ReadChainOptions = {}): Promise<ChainObservation> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const concurrency = options.concurrency ?? 32;
  const plan = await planChain(store, options);
  const later = await mapLimit([...plan.checkpointSizes], concurrency, (size) => readCheckpoint(store, size, options.verifyKey, policy));
  const entries = await mapLimit([...plan.entrySeqs], concurrency, (seq) => readEntry(store, seq, policy));
  return { ...plan.setup, entries, checkpoints: [...plan.checkpoints, ...later] };
}

/** The log name a store holds (record 0's), or null for an empty or unreadable log. */
export async function readLogName(store: AuditStore): Promise<string | null> {
  const bytes = await store.read(entryKey(0));
  if (!bytes) return null;
  const parsed = parseRecord(bytes);
  return parsed.ok ? parsed.record.log : null;
}
