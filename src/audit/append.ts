/**
 * The append protocol, the same for every store (docs/design.md §4, appending
 * safely). One writer:
 *   1. reads the head (highest entry key and its owning bytes),
 *   2. builds record head+1 with prev = digest(head bytes),
 *   3. create-only writes it.
 * If the key is taken by identical bytes, an earlier attempt of ours already
 * succeeded and only its response was lost: success. If it is taken by other
 * bytes, another writer won that seq: re-read the head and build a NEW record
 * (new seq, prev and time) on top of it, after a short jittered pause. A store error that may be
 * transient is retried with the SAME bytes at the SAME key, so a retry after a
 * lost response can never write the event twice.
 *
 * Several stores: the first is the sequencer. Only the writer that owns seq s
 * there writes record s to the others (same bytes), first copying any records
 * a secondary lacks at its end (a writer that died between stores), so the
 * stores cannot fork against each other.
 */
import { ZERO_DIGEST, type Digest } from '../core/digest.js';
import { GateError } from '../core/errors.js';
import {
  DEFAULT_LOG_NAME,
  RECORD_VERSION,
  checkRecordInput,
  encodeRecord,
  parseRecord,
  recordDigest,
  type RecordInput,
} from './record.js';
import { DEFAULT_RETRY, backoffMs, sleepFor, withRetry, type RetryPolicy } from './retry.js';
import { entryKey, seqOfEntryKey, type AuditStore } from './store.js';

export interface AppendOptions {
  retry?: Partial<RetryPolicy>;
  /** The clock for `time` (tests). */
  now?: () => Date;
}

export interface AppendResult {
  seq: number;
  digest: Digest;
}

interface Head {
  seq: number;
  bytes: Uint8Array;
}

/** The highest entry and its owning bytes, or null for an empty log. */
export async function readHead(store: AuditStore, policy: RetryPolicy = DEFAULT_RETRY): Promise<Head | null> {
  const keys = await withRetry(policy, 'listing entries', store.displayUrl, () => store.list('entries'));
  for (let i = keys.length - 1; i >= 0; i--) {
    const seq = seqOfEntryKey(keys[i]);
    if (seq === null) continue;
    const bytes = await withRetry(policy, `reading ${keys[i]}`, store.displayUrl, () => store.read(keys[i]));
    if (bytes === null) {
      throw new GateError('E_CHAIN_BROKEN', `the last entry ${keys[i]} is listed but has no data`, {
        where: store.displayUrl,
        hint: 'run `model-gate audit verify` on this store',
      });
    }
    return { seq, bytes };
  }
  return null;
}

/**
 * The head this process last appended (or read) per store. A long-lived writer
 * (the App, a batch) then skips the head lookup: if another writer appended in
 * the meantime, the create at `seq + 1` loses the race and the head is read
 * again, so a stale entry costs one lost write, never a fork.
 */
const knownHeads = new WeakMap<AuditStore, Head>();

/**
 * Appends one record to every store and returns its seq and digest. Success
 * is returned only after every store has durably stored the record.
 */
export async function appendRecord(stores: AuditStore[], input: RecordInput, options: AppendOptions = {}): Promise<AppendResult> {
  if (stores.length === 0) throw new GateError('E_USAGE', 'no audit store given', { hint: 'pass --store URL' });
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const now = options.now ?? (() => new Date());
  const fields = checkRecordInput(input);
  for (const s of stores) {
    await withRetry(policy, 'checking the store', s.displayUrl, () => s.checkAppendable());
  }
  const [primary, ...secondaries] = stores;

  let head = knownHeads.get(primary) ?? (await readHead(primary, policy));
  let conflicts = 0;
  for (;;) {
    let seq = 0;
    let prev: Digest = ZERO_DIGEST;
    let log = fields.log ?? DEFAULT_LOG_NAME;
    if (head) {
      if (head.seq >= Number.MAX_SAFE_INTEGER) {
        throw new GateError('E_CHAIN_BROKEN', `the last entry is record ${head.seq}, the largest sequence number (2^53 - 1): no record can follow it`, {
          where: primary.displayUrl,
          hint: 'no writer gets there: an entry was planted at that key. Run `model-gate audit verify` on this store',
        });
      }
      const parsed = parseRecord(head.bytes);
      // An unreadable head (planted where it can never be removed, under
      // COMPLIANCE) must not stop the log: the next record chains to its
      // bytes and `verify` reports it. The name then comes from record 0.
      const headLog = parsed.ok ? parsed.record.log : await logNameForAppend(primary, head.seq, fields.log, policy);
      if (fields.log !== undefined && fields.log !== headLog) {
        throw new GateError('E_INPUT', `this store holds log ${JSON.stringify(headLog)}, not ${JSON.stringify(fields.log)}`, {
          where: primary.displayUrl,
          hint: 'a log keeps the name of its first record: drop --log or use another store',
        });
      }
      seq = head.seq + 1;
      prev = recordDigest(head.bytes);
      log = headLog;
    }
    const { log: _ignored, ...rest } = fields;
    const bytes = encodeRecord({ v: RECORD_VERSION, log, seq, prev, time: now().toISOString(), ...rest });
    const key = entryKey(seq);
    // Same key, same bytes on every retry of a store error: idempotent after a lost response.
    const result = await withRetry(policy, `writing ${key}`, primary.displayUrl, () => primary.create(key, bytes));
    if (result.created || Buffer.from(result.existing).equals(bytes)) {
      const digest = recordDigest(bytes);
      await copyToSecondaries(primary, secondaries, seq, bytes, policy);
      knownHeads.set(primary, { seq, bytes });
      return { seq, digest };
    }
    knownHeads.delete(primary);
    // Lost the race for `seq`: the winner's record is the new head.
    conflicts += 1;
    if (conflicts >= policy.maxConflicts) {
      throw new GateError('E_CONFLICT', `lost the race for the next record ${conflicts} times in a row`, {
        where: primary.displayUrl,
        hint: 'too many writers append to this log at once; retry, or give each writer its own log',
      });
    }
    await sleepFor(policy, backoffMs({ ...policy, baseDelayMs: 2, maxDelayMs: 50 }, Math.min(conflicts, 5)));
    // Re-read the head rather than build on the winner: under contention the
    // log may be several records further on, and stepping one seq at a time
    // behind faster writers never catches up (measured: starvation with 8).
    head = await readHead(primary, policy);
  }
}

/** The log's name when its last record is not a valid record: record 0's, or `--log` when record 0 is unreadable too. */
async function logNameForAppend(store: AuditStore, headSeq: number, given: string | undefined, policy: RetryPolicy): Promise<string> {
  if (headSeq > 0) {
    const first = await withRetry(policy, `reading ${entryKey(0)}`, store.displayUrl, () => store.read(entryKey(0)));
    const parsed = first ? parseRecord(first) : null;
    if (parsed?.ok) return parsed.record.log;
  }
  if (given !== undefined) return given;
  throw new GateError('E_CHAIN_BROKEN', `record ${headSeq} is not a valid record and record 0 cannot tell the log's name`, {
    where: store.displayUrl,
    hint: 'pass --log NAME (the log\'s name) to append after it; run `model-gate audit verify` on this store',
  });
}

/**
 * Writes record `seq` to every secondary: created there, or compared with
 * what the secondary already holds at `seq` (the same bytes: an earlier
 * attempt got there). A secondary behind the first store first gets the
 * records it lacks at its end (a writer that died between stores). A
 * secondary holding other bytes at any of those keys has diverged:
 * E_CONFLICT, and the append is not reported as done.
 */
async function copyToSecondaries(primary: AuditStore, secondaries: AuditStore[], seq: number, bytes: Uint8Array, policy: RetryPolicy): Promise<void> {
  for (const store of secondaries) {
    const keys = await withRetry(policy, 'listing entries', store.displayUrl, () => store.list('entries'));
    let last = -1;
    for (let i = keys.length - 1; i >= 0 && last < 0; i--) last = seqOfEntryKey(keys[i]) ?? -1;
    // Records it lacks at its end, then `seq` itself, whether or not the store is ahead.
    for (let s = Math.min(last + 1, seq); s <= seq; s++) {
      const key = entryKey(s);
      const want = s === seq ? bytes : await withRetry(policy, `reading ${key}`, primary.displayUrl, () => primary.read(key));
      if (want === null) continue; // the primary lacks it too: verify reports it
      const r = await withRetry(policy, `writing ${key}`, store.displayUrl, () => store.create(key, want));
      if (!r.created && !Buffer.from(r.existing).equals(want)) {
        throw new GateError(
          'E_CONFLICT',
          `record ${seq} was written to ${primary.displayUrl}, but ${store.displayUrl} holds a different record ${s}: the stores have diverged, and the record is not in every store`,
          {
            where: store.displayUrl,
            hint: 'nothing was reported as appended; run `model-gate audit verify` with every --store to see where they differ before appending again',
          },
        );
      }
    }
  }
}
