/**
 * The record index: create-only objects beside the log that say where a
 * release or a deployment decision was recorded, so the deployment rule can
 * find a record without reading the log, then prove it (docs/transparency-log.md,
 * "The deployment rule"). The index is untrusted: a reader must read the
 * entry a slot names and check that it says what it needs.
 *
 * `index/<SHA-256 of the name, hex>/<slot, 4 digits>`, body `<seq>\n`;
 * slots 0, 1, 2, … of one name, each create-only.
 */
import { createHash } from 'node:crypto';
import { DEPLOYMENT_DECISION } from '../deployment-record.js';
import { MODEL_RELEASE } from '../release-record.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import type { TlogStore } from './tile-io.js';

/** Slots of one name a writer tries and a reader reads: beyond them the index is full (the rule reads the log). */
export const MAX_INDEX_SLOTS = 64;

/** The index name under which a release of `digest` is found. */
export function subjectIndexName(digest: string): string {
  return `subject:${digest}`;
}

/** The index name under which the rule's decisions for one run and environment are found. */
export function deploymentIndexName(runId: number | string, environment: string): string {
  return `deployment:${runId}:${environment.toLowerCase()}`;
}

/** The key of slot `slot` of index name `name`. */
export function indexKey(name: string, slot: number): string {
  return `index/${createHash('sha256').update(name, 'utf8').digest('hex')}/${String(slot).padStart(4, '0')}`;
}

/** The seq a slot's bytes name, or null for bytes that are not exactly `<seq>\n`. */
export function parseIndexSlot(bytes: Uint8Array): number | null {
  const m = /^(0|[1-9]\d{0,15})\n$/.exec(Buffer.from(bytes).toString('latin1'));
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

const slotBytes = (seq: number) => Buffer.from(`${seq}\n`, 'latin1');

/**
 * Adds `seq` under `name`: the first free slot, or success when a slot
 * already names it (a retry). False when every slot is taken by other seqs.
 */
export async function addToIndex(store: TlogStore, name: string, seq: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<boolean> {
  const mine = slotBytes(seq);
  for (let slot = 0; slot < MAX_INDEX_SLOTS; slot++) {
    const key = indexKey(name, slot);
    const existing = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.read(key));
    if (existing) {
      if (parseIndexSlot(existing) === seq) return true;
      continue;
    }
    const r = await withRetry(policy, `writing ${key}`, store.displayUrl, () => store.create(key, mine));
    if (r.created || parseIndexSlot(r.existing) === seq) return true;
  }
  return false;
}

/** What the index says about a name: the seqs its slots name, and whether every slot was read (false: all taken). */
export interface IndexLookup {
  seqs: number[];
  /** A free slot ended the list (false: {@link MAX_INDEX_SLOTS} slots were full, there may be more). */
  complete: boolean;
}

/** The seqs under `name`, slot by slot until a free one; unreadable slots are skipped. */
export async function readIndex(store: TlogStore, name: string, policy: RetryPolicy = DEFAULT_RETRY): Promise<IndexLookup> {
  const seqs: number[] = [];
  for (let slot = 0; slot < MAX_INDEX_SLOTS; slot++) {
    const key = indexKey(name, slot);
    const bytes = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.read(key));
    if (!bytes) return { seqs, complete: true };
    const seq = parseIndexSlot(bytes);
    if (seq !== null && !seqs.includes(seq)) seqs.push(seq);
  }
  return { seqs, complete: false };
}

/** The index names of a record: its subjects when a release, its run and environment when a deployment decision. */
export function indexNamesOf(record: { event_type: string; subject?: readonly string[]; details?: unknown }): string[] {
  if (record.event_type === MODEL_RELEASE) return [...new Set(record.subject ?? [])].map(subjectIndexName);
  if (record.event_type === DEPLOYMENT_DECISION) {
    const d = (record.details ?? {}) as { run_id?: unknown; environment?: unknown };
    if ((typeof d.run_id === 'number' || typeof d.run_id === 'string') && typeof d.environment === 'string') {
      return [deploymentIndexName(d.run_id, d.environment)];
    }
  }
  return [];
}

/**
 * Indexes appended records in every store (after their tiles and
 * checkpoints). Best-effort by design: the record is in, and a missing index
 * only sends the deployment rule to the full verify, so a failure is
 * returned as a sentence, never thrown.
 */
export async function indexRecords(
  stores: readonly TlogStore[],
  appended: ReadonlyArray<{ seq: number; input: Parameters<typeof indexNamesOf>[0] }>,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<string | null> {
  const problems: string[] = [];
  for (const store of stores) {
    for (const { seq, input } of appended) {
      for (const name of indexNamesOf(input)) {
        try {
          if (!(await addToIndex(store, name, seq, policy))) problems.push(`${store.displayUrl}: every index slot of ${name} is taken`);
        } catch (e) {
          problems.push(`${store.displayUrl}: indexing record ${seq} under ${name}: ${(e as Error).message}`);
        }
      }
    }
  }
  return problems.length ? problems.join('; ') : null;
}

/**
 * What to tell whoever appended a record the index could not take: the
 * record is in, the deployment rule will find it the slow way, and slots
 * held by other records are a sign someone who can write the store is
 * filling the index.
 */
export function unindexedWarning(seq: number, problem: string): { message: string; hint: string } {
  return {
    message: `record ${seq} is appended, but the record index could not take it: ${problem}`,
    hint:
      'the deployment rule then verifies the whole log to find it (slower, never weaker); ' +
      "slots taken by other records mean someone who can write the store is filling the index: look at the store's index/ objects",
  };
}
