/**
 * Appending and anchoring in one step: append records to every store, then
 * sign a checkpoint over each store's log, so a log written this way never
 * has an unanchored tail (an edit of its last record, or a cut, would
 * otherwise be undetectable). The Action, the App and `audit append
 * --checkpoint-key` all go through here.
 */
import { GateError, messageOf } from '../core/errors.js';
import { appendRecord, type AppendOptions, type AppendResult } from './append.js';
import { CHECKPOINT_KEY_ENV, loadSigningKey, type SigningKey, type VerifyKey } from './checkpoint.js';
import { writeCheckpoint, type CheckpointResult } from './checkpoint-write.js';
import type { RecordInput } from './record.js';
import type { AuditStore } from './store.js';
import type { AppendStreamer, StreamOutcome } from './stream/after-append.js';
import type { TreePublication } from './tlog/append-tiles.js';
import type { Cosigner } from './tlog/note-io.js';
import { indexRecords } from './tlog/record-index.js';

// The tree half is loaded on use: a CLI start-up that never appends does not pay for it.
const publishTree = async (...args: Parameters<typeof import('./tlog/append-tiles.js').publishTree>) =>
  (await import('./tlog/append-tiles.js')).publishTree(...args);

export interface AppendCheckpointOptions extends AppendOptions {
  /** Signs a checkpoint after the appends; without it this is `appendRecord` for each input. */
  signingKey?: SigningKey;
  /** Keys whose earlier checkpoints count (after a key rotation); default: the signing key's. */
  verifyKey?: VerifyKey;
  /**
   * Publishes the log to Kafka after the appends and checkpoints (bounded,
   * never throws: the append never depends on Kafka). See audit/stream/after-append.ts.
   */
  streamTo?: AppendStreamer;
  /** Witnesses asked to cosign the signed-note checkpoint (docs/transparency-log.md). */
  cosign?: Cosigner;
}

export interface AppendCheckpointResult {
  /** One per input, in order. */
  records: AppendResult[];
  /** One per store, in order; empty without a signing key. */
  checkpoints: Array<CheckpointResult & { store: string }>;
  /** With `streamTo`: whether the topic took the log (a failure is reported, not thrown). */
  stream?: StreamOutcome;
  /** Why the records could not all be indexed (tlog/record-index.ts; best-effort), or absent. */
  indexProblem?: string;
  /**
   * The transparency-log half, one per store: tiles published and, with an
   * Ed25519 key, the signed-note checkpoint at the JWS checkpoint's size.
   */
  tree: TreePublication[];
}

/**
 * Appends records, in order, to every store and, with a signing key, signs
 * one checkpoint over each store right after the last. A checkpoint may
 * cover more (another writer appended meanwhile): it still anchors these.
 * When records were stored but a checkpoint could not be, the error keeps
 * its code and names the stored records, so a caller does not append the
 * events again.
 */
export async function appendAndCheckpoint(
  stores: AuditStore[],
  inputs: RecordInput[],
  options: AppendCheckpointOptions = {},
): Promise<AppendCheckpointResult> {
  const { signingKey, verifyKey, streamTo, cosign, ...appendOptions } = options;
  const records: AppendResult[] = [];
  for (const input of inputs) records.push(await appendRecord(stores, input, appendOptions));
  const checkpoints: AppendCheckpointResult['checkpoints'] = [];
  const seqs = records.map((r) => r.seq);
  // The index (where the deployment rule finds a release or a decision) follows
  // the tree; streaming comes last: the records, their checkpoints and tiles
  // are durable before Kafka is asked.
  const withStream = async (tree: TreePublication[]): Promise<AppendCheckpointResult> => {
    const problem = await indexRecords(stores, records.map((r, i) => ({ seq: r.seq, input: inputs[i] })));
    const done: AppendCheckpointResult = { records, checkpoints, tree, ...(problem ? { indexProblem: problem } : {}) };
    return streamTo && records.length > 0 ? { ...done, stream: await streamTo.afterAppend(stores[0]) } : done;
  };
  if (records.length === 0) return { records, checkpoints, tree: [] };
  if (!signingKey) return withStream(await publishTree(stores, seqs));
  for (const store of stores) {
    try {
      const cp = await writeCheckpoint(store, signingKey, { verifyKey, now: appendOptions.now });
      checkpoints.push({ store: store.displayUrl, ...cp });
    } catch (e) {
      const code = e instanceof GateError ? e.code : 'E_SERVICE';
      const stored = records.map((r) => `${r.seq} (${r.digest})`).join(', ');
      throw new GateError(code, `record ${stored} was appended, but no checkpoint could be signed after it: ${messageOf(e)}`, {
        where: store.displayUrl,
        cause: e,
        hint: 'do not append the event again; fix the cause and run `model-gate audit checkpoint`',
      });
    }
  }
  // The tree is signed at the size the JWS checkpoint covered, so both checkpoints anchor the same records.
  return withStream(await publishTree(stores, seqs, { signingKey, cosign, sizes: checkpoints.map((c) => c.size) }));
}

/**
 * The checkpoint signing key a long-running front (the App) takes from
 * `MODEL_GATE_CHECKPOINT_KEY` (the private JWK's JSON): loaded once, on
 * first use, so a bad key fails the first append (closed) with its reason.
 * Undefined when the variable is unset.
 */
export function signingKeyFromEnv(env: Record<string, string | undefined>): (() => Promise<SigningKey>) | undefined {
  const text = env[CHECKPOINT_KEY_ENV];
  if (!text) return undefined;
  let loaded: Promise<SigningKey> | undefined;
  return () => (loaded ??= loadSigningKey(text, `$${CHECKPOINT_KEY_ENV}`));
}
