/**
 * Making a tlog-proof receipt for one record: the signed note at the chosen
 * size (default: the newest this key signed), the inclusion path computed
 * from the tiles (O(log n) reads), and a check of the result against the
 * record's stored bytes before it is handed out.
 */
import { GateError } from '../../core/errors.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { entryKey } from '../store.js';
import type { Vkey } from './ed25519-keys.js';
import { leafHash } from './hash.js';
import { formatProof } from './proof-file.js';
import { verifyInclusion } from './tree.js';
import { inclusionFromStore } from './tree-io.js';
import { checkNote, newestValidNote, readNote, type NoteStore } from './note-io.js';

export interface ProveOptions {
  /** The checkpoint's size (default: the newest valid note). */
  size?: number;
  logKeys: readonly Vkey[];
  witnesses?: readonly Vkey[];
  origin?: string;
  policy?: RetryPolicy;
}

export interface ProveResult {
  proof: Buffer;
  record: Uint8Array;
  size: number;
  index: number;
}

/** A c2sp.org/tlog-proof@v1 file for record `seq`. */
export async function proveRecord(store: NoteStore, seq: number, options: ProveOptions): Promise<ProveResult> {
  const policy = options.policy ?? DEFAULT_RETRY;
  let checked;
  if (options.size !== undefined) {
    const note = await readNote(store, options.size, policy);
    if (!note) throw new GateError('E_NOT_FOUND', `there is no signed-note checkpoint at size ${options.size}`, { where: store.displayUrl, hint: 'leave out --size for the newest' });
    checked = checkNote(note, options.logKeys, { witnesses: options.witnesses, origin: options.origin });
    if (checked.status === 'bad') throw new GateError('E_VERIFY_FAILED', `the checkpoint at size ${options.size}: ${checked.reason}`, { where: store.displayUrl });
  } else {
    const found = await newestValidNote(store, options.logKeys, { witnesses: options.witnesses, origin: options.origin, policy });
    if (!found.valid) {
      const why = found.bad.length ? `: ${found.bad[0].reason}` : '';
      throw new GateError('E_NOT_FOUND', `no signed-note checkpoint verifies with the given key${why}`, {
        where: store.displayUrl,
        hint: 'a checkpoint is signed by `model-gate audit checkpoint --key KEY` (or after each append when a key is configured)',
      });
    }
    checked = found.valid;
  }
  const { head } = checked.checkpoint;
  if (!Number.isSafeInteger(seq) || seq < 0 || seq >= head.size) {
    throw new GateError('E_INPUT', `record ${seq} is not covered by the checkpoint at size ${head.size}`, {
      where: store.displayUrl,
      hint: 'sign a newer checkpoint first, or pick a record below that size',
    });
  }
  const { proof, root } = await inclusionFromStore(store, seq, head.size, policy);
  if (!root.equals(head.root)) {
    throw new GateError('E_VERIFY_FAILED', `the tiles give another root at size ${head.size} than the signed checkpoint (tile-mismatch)`, {
      where: store.displayUrl,
      hint: 'run `model-gate audit verify`',
    });
  }
  const key = entryKey(seq);
  const record = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.read(key));
  if (!record) throw new GateError('E_CHAIN_BROKEN', `record ${seq} is missing`, { where: store.displayUrl, hint: 'run `model-gate audit verify`' });
  if (!verifyInclusion(seq, head.size, leafHash(record), proof, head.root)) {
    throw new GateError('E_VERIFY_FAILED', `${key} is not the record the tree holds at ${seq}: the entry was altered after it was logged (tile-mismatch)`, {
      where: store.displayUrl,
      hint: 'run `model-gate audit verify --entries`',
    });
  }
  return { proof: formatProof({ index: seq, path: proof, checkpoint: checked.bytes }), record, size: head.size, index: seq };
}
