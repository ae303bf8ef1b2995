/**
 * The tree half of an append: after `appendRecord` has made a record the
 * log's record `seq`, publish the tiles (and the bundle, when one fills) for
 * size seq + 1. Derived and idempotent: a writer that died before this step
 * is caught up by the next one (docs/transparency-log.md, "What is written when").
 */
import { GateError } from '../../core/errors.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { entryKey } from '../store.js';
import { publishTiles, type PublishResult, type TlogStore } from './tile-io.js';

/** Publishes the tiles for the tree that ends with record `seq` (its owning bytes are read back from the store). */
export async function publishAfterAppend(store: TlogStore, seq: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<PublishResult> {
  const key = entryKey(seq);
  const bytes = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.read(key));
  if (!bytes) throw new GateError('E_CHAIN_BROKEN', `record ${seq} was appended but cannot be read back`, { where: store.displayUrl });
  return publishTiles(store, seq, [bytes], policy);
}
