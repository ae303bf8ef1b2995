/**
 * Indexing a log written before the record index existed (`audit tiles`):
 * one pass over the records, 256 a read from the bundles and the tail from
 * `entries/`, each release and deployment decision added to the index as
 * the append would have (idempotent: a slot already naming the record is
 * success). The index stays untrusted (record-index.ts); this only lets the
 * deployment rule prove old releases instead of reading the whole log.
 */
import { parseRecord } from '../record.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { entryKey } from '../store.js';
import { decodeBundle } from './bundle.js';
import { addToIndex, indexNamesOf } from './record-index.js';
import type { TlogStore } from './tile-io.js';
import { TILE_WIDTH, tilePath } from './tile-path.js';

export interface IndexBackfill {
  /** Records that have index names (releases, decisions). */
  indexed: number;
  /** Names whose every slot was taken by other seqs. */
  full: string[];
}

/** Adds records 0..size-1 to the record index. */
export async function backfillIndex(store: TlogStore, size: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<IndexBackfill> {
  const out: IndexBackfill = { indexed: 0, full: [] };
  const index = async (seq: number, bytes: Uint8Array | null): Promise<void> => {
    if (!bytes) return;
    const p = parseRecord(bytes);
    if (!p.ok || p.record.seq !== seq) return;
    const names = indexNamesOf(p.record);
    if (names.length) out.indexed += 1;
    for (const name of names) if (!(await addToIndex(store, name, seq, policy))) out.full.push(name);
  };
  const readEntry = (seq: number) => withRetry(policy, `reading ${entryKey(seq)}`, store.displayUrl, () => store.read(entryKey(seq)));
  const fullBundles = Math.floor(size / TILE_WIDTH);
  for (let n = 0; n < fullBundles; n++) {
    const key = tilePath({ level: 'entries', n, width: TILE_WIDTH });
    const bytes = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.read(key));
    const decoded = bytes ? decodeBundle(bytes, TILE_WIDTH) : null;
    for (let i = 0; i < TILE_WIDTH; i++) {
      const seq = n * TILE_WIDTH + i;
      await index(seq, decoded?.ok ? decoded.records[i] : await readEntry(seq));
    }
  }
  for (let seq = fullBundles * TILE_WIDTH; seq < size; seq++) await index(seq, await readEntry(seq));
  return out;
}
