/**
 * Streams a log from its store to a topic: every record not yet in the topic,
 * in sequence order, each exactly once.
 *
 * Stateless and crash-safe: where to resume is read from the topic itself
 * (the last committed record of this log in its partition), after the claim
 * has fenced every earlier publisher of the log, so nothing a dead or slower
 * process left behind can land after the tail was read. The tail must be
 * byte-identical to the store's record at its seq; each record published
 * must link (prev) to the one before it: a stream never extends a chain the
 * store does not hold.
 */
import { ZERO_DIGEST, type Digest } from '../../core/digest.js';
import { GateError } from '../../core/errors.js';
import { readLogName } from '../read-chain.js';
import { parseRecord, recordDigest } from '../record.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { entryKey, seqOfEntryKey, type AuditStore } from '../store.js';
import { parseMessage, recordMessage, sourceAttribute, type StreamMessage } from './cloudevent.js';
import { readForStream, type StoredRecord } from './read-records.js';
import { isResumable, type AuditTopic } from './topic.js';

/** Fresh-producer restarts one run may make after a resumable publish failure. */
const MAX_RESTARTS = 5;

export interface StreamOptions {
  /** Keep tailing the store after catching up, until `signal` aborts. */
  follow?: boolean;
  /** How often `follow` looks for new records (ms, default 1,000). */
  intervalMs?: number;
  /** Records per transaction (default 2,000). */
  batchRecords?: number;
  /** Store reads in flight (default 32). */
  readConcurrency?: number;
  /** Stops `follow` (and a catch-up between transactions). */
  signal?: AbortSignal;
  /** Called after each committed transaction. */
  onPublished?: (info: { from: number; to: number }) => void;
  retry?: RetryPolicy;
}

export interface StreamResult {
  /** The log's name, or null for an empty store. */
  log: string | null;
  /** The seq the topic held last before this run (-1: none). */
  resumedAfter: number;
  /** Records published by this run. */
  published: number;
  /** The seq the topic holds last now (-1: none). */
  last: number;
  /** Set when another stream process took over the log and this one stood down. */
  stoodDown?: string;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Publishes what the topic lacks of the store's log (and, with `follow`, what is appended later). */
export async function streamLog(store: AuditStore, topic: AuditTopic, options: StreamOptions = {}): Promise<StreamResult> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const where = store.displayUrl;
  const batchRecords = Math.max(1, options.batchRecords ?? 2000);
  const concurrency = Math.max(1, options.readConcurrency ?? 32);
  const source = sourceAttribute(store.displayUrl);

  let log = await withRetry(policy, 'reading record 0', where, () => readLogName(store));
  while (log === null && options.follow && !options.signal?.aborted) {
    await sleep(options.intervalMs ?? 1000, options.signal);
    log = await withRetry(policy, 'reading record 0', where, () => readLogName(store));
  }
  if (log === null) {
    const first = await withRetry(policy, 'reading record 0', where, () => store.read(entryKey(0)));
    if (first) {
      throw new GateError('E_CHAIN_BROKEN', 'record 0 is not a valid record, so the log has no name to stream under', {
        where,
        hint: 'run `model-gate audit verify` on this store',
      });
    }
    return { log: null, resumedAfter: -1, published: 0, last: -1 };
  }

  let last = -1;
  /** The digest of record `last` as published (what the next record's prev must be). */
  let prevDigest: Digest = ZERO_DIGEST;
  /** Claims the log and reads where the topic stands: its last record of this log must be the store's. */
  const claimAndReadTail = async (name: string): Promise<void> => {
    await topic.claim(name);
    const tail = await topic.lastMessage(name);
    last = -1;
    prevDigest = ZERO_DIGEST;
    if (!tail) return;
    const parsed = parseMessage(tail);
    if (!parsed.ok) {
      throw new GateError('E_STREAM_MISMATCH', `the last message of log ${name} in ${topic.displayName} (offset ${tail.offset}) is not a record of this stream: ${parsed.reason}`, {
        where: topic.displayName,
        hint: 'run `model-gate audit verify --kafka ... --topic ...`; the stream does not publish after a message it cannot vouch for',
      });
    }
    const stored = await withRetry(policy, `reading ${entryKey(parsed.seq)}`, where, () => store.read(entryKey(parsed.seq)));
    if (!stored || !Buffer.from(stored).equals(parsed.bytes)) {
      throw new GateError(
        'E_STREAM_MISMATCH',
        stored
          ? `the topic's record ${parsed.seq} of log ${name} differs from the store's (topic ${parsed.digest}, store ${recordDigest(stored)})`
          : `the topic holds record ${parsed.seq} of log ${name}, which the store does not have`,
        {
          where: topic.displayName,
          hint: 'this topic holds another copy of the log than this store (or one of them was altered): run `model-gate audit verify --kafka ... --topic ...`',
        },
      );
    }
    last = parsed.seq;
    prevDigest = parsed.digest;
  };

  try {
    await claimAndReadTail(log);
  } catch (e) {
    if (e instanceof GateError && e.code === 'E_STREAM_FENCED') return { log, resumedAfter: -1, published: 0, last: -1, stoodDown: e.message };
    throw e;
  }
  const resumedAfter = last;

  /**
   * The messages for records read in order after `last`, up to the first one
   * that cannot be published (a gap, or a record that is not the next link of
   * the chain), and that problem. Pure over its input.
   */
  const check = (name: string, recs: readonly StoredRecord[]): { messages: StreamMessage[]; problem: GateError | null; digest: Digest; bundled: boolean } => {
    const messages: StreamMessage[] = [];
    let prev = prevDigest;
    let bundled = false;
    for (const r of recs) {
      const expected = last + 1 + messages.length;
      if (r.seq !== expected || !r.bytes) {
        const problem = new GateError('E_CHAIN_BROKEN', `record ${expected} of log ${name} is missing from the store; streamed up to ${expected - 1}`, {
          where,
          hint: 'run `model-gate audit verify` on this store: the stream never skips a record',
        });
        return { messages, problem, digest: prev, bundled };
      }
      const parsed = parseRecord(r.bytes);
      if (!parsed.ok || parsed.record.seq !== r.seq || parsed.record.log !== name || parsed.record.prev !== prev) {
        const why = !parsed.ok
          ? parsed.reason
          : parsed.record.seq !== r.seq
            ? `it says seq ${parsed.record.seq}`
            : parsed.record.log !== name
              ? `it belongs to log ${JSON.stringify(parsed.record.log)}`
              : `its prev ${parsed.record.prev} is not the digest of record ${r.seq - 1} (${prev})`;
        const problem = new GateError('E_CHAIN_BROKEN', `record ${r.seq} of log ${name} cannot be streamed: ${why}; streamed up to ${r.seq - 1}`, {
          where,
          hint: 'run `model-gate audit verify` on this store: the stream publishes only an unbroken chain',
        });
        return { messages, problem, digest: prev, bundled: bundled || r.bundled };
      }
      prev = recordDigest(r.bytes);
      bundled ||= r.bundled;
      messages.push(recordMessage(r.bytes, parsed.record, source, prev));
    }
    return { messages, problem: null, digest: prev, bundled };
  };

  const publishNew = async (name: string): Promise<void> => {
    const keys =
      store.listAfter && last >= 0
        ? await withRetry(policy, 'listing entries', where, () => (store.listAfter as NonNullable<AuditStore['listAfter']>)('entries', entryKey(last)))
        : await withRetry(policy, 'listing entries', where, () => store.list('entries'));
    const seqs = keys.map(seqOfEntryKey).filter((s): s is number => s !== null && s > last);
    const read = { policy, concurrency, listedEnd: seqs.length ? seqs[seqs.length - 1] + 1 : 0 };
    const readChunk = (i: number): Promise<StoredRecord[]> => readForStream(store, seqs.slice(i, i + batchRecords), read);
    // The next chunk is read from the store while this one is published.
    let next: Promise<StoredRecord[]> | null = seqs.length ? readChunk(0) : null;
    for (let i = 0; i < seqs.length; i += batchRecords) {
      const recs = await (next as Promise<StoredRecord[]>);
      next = i + batchRecords < seqs.length ? readChunk(i + batchRecords) : null;
      // A read error of a chunk this run will not reach is not this run's failure.
      next?.catch(() => undefined);
      if (options.signal?.aborted) return;
      let c = check(name, recs);
      // Records from bundles are published only when the transaction's last
      // record equals its entry: each record's prev is the digest of the one
      // before, so that one comparison pins every record before it to the
      // entries' chain. Otherwise (or when a bundled record fails a check) the
      // chunk is read again from the entries alone, and they decide.
      if (c.bundled) {
        const lastOne = recs[c.messages.length - 1];
        const pinned =
          !c.problem &&
          (!lastOne?.bundled ||
            Buffer.from((await withRetry(policy, `reading ${entryKey(lastOne.seq)}`, where, () => store.read(entryKey(lastOne.seq)))) ?? []).equals(
              Buffer.from(lastOne.bytes as Uint8Array),
            ));
        if (!pinned) c = check(name, await readForStream(store, seqs.slice(i, i + batchRecords), { ...read, entriesOnly: true }));
      }
      if (c.messages.length) {
        await topic.publish(c.messages);
        options.onPublished?.({ from: last + 1, to: last + c.messages.length });
        last += c.messages.length;
        prevDigest = c.digest;
      }
      if (c.problem) throw c.problem;
    }
  };

  // A publish the broker rejected in a way a fresh producer cures (kafkajs
  // fails a retried batch the broker reports as a duplicate, where the Java
  // client counts it written) starts over from the topic: claim again (which
  // aborts the half-done transaction), read the tail, go on. Bounded.
  const name = log;
  for (let restarts = 0; ; restarts++) {
    try {
      await publishNew(name);
      while (options.follow && !options.signal?.aborted) {
        await sleep(options.intervalMs ?? 1000, options.signal);
        if (options.signal?.aborted) break;
        await publishNew(name);
      }
      return { log, resumedAfter, published: last - resumedAfter, last };
    } catch (e) {
      if (e instanceof GateError && e.code === 'E_STREAM_FENCED') return { log, resumedAfter, published: last - resumedAfter, last, stoodDown: e.message };
      if (!isResumable(e) || restarts >= MAX_RESTARTS) throw e;
      await topic.reset();
      try {
        await claimAndReadTail(name);
      } catch (e2) {
        if (e2 instanceof GateError && e2.code === 'E_STREAM_FENCED') return { log, resumedAfter, published: last - resumedAfter, last, stoodDown: e2.message };
        throw e2;
      }
    }
  }
}
