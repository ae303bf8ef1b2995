/**
 * The reading half of the report: verify the whole log (`verifyLog`, every
 * store, every record, whatever the report's period), read its records, and
 * find the newest checkpoint that verifies against the key given. The pure
 * `buildReport` takes it from there.
 */
import {
  checkCheckpoint,
  entryKey,
  loadVerifyKey,
  parseRecord,
  recordDigest,
  seqOfEntryKey,
  sizeOfCheckpointKey,
  verifyLog,
  type AuditStore,
  type VerifyKey,
} from '../audit/index.js';
import { GateError } from '../core/errors.js';
import { mapLimit } from '../audit/read-chain.js';
import { DEFAULT_RETRY, withRetry } from '../audit/retry.js';
import type { LogEntry, LogVerification, VerifiedCheckpoint } from './model.js';

export interface ReadLogOptions {
  /** The checkpoint public key (JWK or JWK Set) as text, and where it came from (for messages). */
  checkpointKey?: { text: string; where: string };
  /** Entries read at once (default 32). */
  concurrency?: number;
}

/** RFC 7638 thumbprints of the key or keys in a JWK / JWK Set text (already validated by loadVerifyKey). */
async function thumbprints(text: string): Promise<string[]> {
  const { calculateJwkThumbprint } = await import('jose');
  const jwk = JSON.parse(text) as { keys?: Array<Record<string, string>> } & Record<string, string>;
  const keys = Array.isArray(jwk.keys) ? jwk.keys : [jwk];
  return Promise.all(keys.map(({ kty, crv, x, y }) => calculateJwkThumbprint(Object.fromEntries(Object.entries({ kty, crv, x, y }).filter(([, v]) => v !== undefined)))));
}

/** The newest checkpoint in the store whose signature verifies, or null. */
async function newestValidCheckpoint(store: AuditStore, key: VerifyKey): Promise<VerifiedCheckpoint | null> {
  const where = store.displayUrl;
  const keys = await withRetry(DEFAULT_RETRY, 'listing checkpoints', where, () => store.list('checkpoints'));
  const sizes = keys.map(sizeOfCheckpointKey).filter((s): s is number => s !== null && s > 0).sort((a, b) => b - a);
  const { decodeProtectedHeader } = await import('jose');
  for (const size of sizes) {
    const k = keys.find((x) => sizeOfCheckpointKey(x) === size) as string;
    const bytes = await withRetry(DEFAULT_RETRY, `reading ${k}`, where, () => store.read(k));
    const checked = await checkCheckpoint(size, bytes, key);
    if (checked.status !== 'valid') continue;
    let kid: string | null = null;
    try {
      kid = decodeProtectedHeader(Buffer.from(bytes as Uint8Array).toString('utf8').trim()).kid ?? null;
    } catch {
      kid = null;
    }
    const p = checked.payload;
    return { size: p.size, head: p.head, time: p.time, log: p.log, kid };
  }
  return null;
}

/** Verifies the whole log and reads its records (from the first store; the verification compares every store). */
export async function readLogForReport(stores: AuditStore[], options: ReadLogOptions = {}): Promise<{ entries: LogEntry[]; verification: LogVerification }> {
  if (stores.length === 0) throw new GateError('E_USAGE', 'no audit store given', { hint: 'pass --store URL' });
  const key = options.checkpointKey ? await loadVerifyKey(options.checkpointKey.text, options.checkpointKey.where) : undefined;
  const concurrency = options.concurrency ?? 32;
  // Verification and the read of the records' content run side by side (on
  // S3 both are latency-bound). Entries beyond the verified size (appended
  // meanwhile) are left out, so the report describes the log it verified.
  const first = stores[0];
  const readEntries = async (): Promise<Array<LogEntry | null>> => {
    const keys = await withRetry(DEFAULT_RETRY, 'listing entries', first.displayUrl, () => first.list('entries'));
    const seqs = keys.map(seqOfEntryKey).filter((s): s is number => s !== null);
    return mapLimit(seqs, concurrency, async (seq): Promise<LogEntry | null> => {
      let bytes: Uint8Array | null;
      try {
        bytes = await withRetry(DEFAULT_RETRY, `reading ${entryKey(seq)}`, first.displayUrl, () => first.read(entryKey(seq)));
      } catch (e) {
        // Not a record file at all (a FIFO, a directory, a huge file): listed as unreadable, as the verification reports it.
        if (e instanceof GateError && e.code === 'E_CHAIN_BROKEN') return { seq, digest: '', record: null, error: e.message };
        throw e;
      }
      if (!bytes) return null; // a missing record is already a finding of the verification
      const digest = recordDigest(bytes);
      const parsed = parseRecord(bytes);
      return parsed.ok ? { seq, digest, record: parsed.record } : { seq, digest, record: null, error: parsed.reason };
    });
  };
  const [result, read] = await Promise.all([verifyLog(stores, { checkpointKey: key, concurrency }), readEntries()]);
  const entries = read.filter((e): e is LogEntry => e !== null && e.seq < result.size);

  const verification: LogVerification = {
    ...result,
    checkpoint_keys: options.checkpointKey ? await thumbprints(options.checkpointKey.text) : [],
    checkpoint: key ? await newestValidCheckpoint(first, key) : null,
    retention: stores.map((s) => ({
      store: s.displayUrl,
      kind: /^s3:/i.test(s.displayUrl) ? 's3' : 'file',
      retention_days: s.retentionDays ?? null,
    })),
  };
  return { entries, verification };
}
