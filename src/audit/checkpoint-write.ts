/**
 * Writing a checkpoint: verify the log (from the newest checkpoint this key
 * signed), then sign {log, size, head, time} and store it create-only at
 * `checkpoints/<size>.jws`. Verifying first matters: a signature over a log
 * that was already altered would bless the alteration.
 */
import type { Digest } from '../core/digest.js';
import { GateError } from '../core/errors.js';
import { checkCheckpoint, loadVerifyKey, signCheckpoint, type CheckpointPayload, type SigningKey, type VerifyKey } from './checkpoint.js';
import { DEFAULT_RETRY, withRetry } from './retry.js';
import { checkpointKey, type AuditStore } from './store.js';
import { verifyLog } from './verify-log.js';

export interface CheckpointResult {
  /** The store key written (or found). */
  key: string;
  size: number;
  head: Digest;
  log: string;
  /** False when a checkpoint of this key at this size and head already existed. */
  created: boolean;
  /** The JWS compact serialisation stored. */
  jws: string;
}

export interface WriteCheckpointOptions {
  now?: () => Date;
  /**
   * Keys whose checkpoints count when verifying before signing (a JWK Set
   * with earlier keys after a key rotation). Default: the signing key's
   * public key, so a checkpoint by any other key is a finding.
   */
  verifyKey?: VerifyKey;
}

/** Verifies the log in `store` and writes a signed checkpoint of its current size and head. */
export async function writeCheckpoint(store: AuditStore, key: SigningKey, options: WriteCheckpointOptions = {}): Promise<CheckpointResult> {
  await withRetry(DEFAULT_RETRY, 'checking the store', store.displayUrl, () => store.checkAppendable());
  const ownKey = await loadVerifyKey(JSON.stringify(key.publicJwk), 'checkpoint key');
  const result = await verifyLog([store], { checkpointKey: options.verifyKey ?? ownKey, fromCheckpoint: true });
  if (!result.ok) {
    const first = result.findings.slice(0, 5).map((f) => `${f.kind} at ${f.seq}: ${f.message}`).join('; ');
    throw new GateError('E_VERIFY_FAILED', `refusing to sign a checkpoint over a log with ${result.findings.length} finding(s): ${first}`, {
      where: store.displayUrl,
      hint: 'run `model-gate audit verify` and investigate before signing',
    });
  }
  if (result.size === 0 || result.head === null || result.log === null) {
    throw new GateError('E_INPUT', 'the log is empty: there is nothing to checkpoint', { where: store.displayUrl });
  }
  const payload: CheckpointPayload = {
    log: result.log,
    size: result.size,
    head: result.head,
    time: (options.now ?? (() => new Date()))().toISOString(),
  };
  const jws = await signCheckpoint(payload, key);
  const k = checkpointKey(payload.size);
  const created = await withRetry(DEFAULT_RETRY, `writing ${k}`, store.displayUrl, () => store.create(k, Buffer.from(jws, 'utf8')));
  if (created.created) return { key: k, size: payload.size, head: payload.head, log: payload.log, created: true, jws };
  // Someone checkpointed this size already: fine if it is ours and says the same.
  const existing = await checkCheckpoint(payload.size, created.existing, ownKey);
  if (existing.status === 'valid' && existing.payload.head === payload.head && existing.payload.log === payload.log) {
    return { key: k, size: payload.size, head: payload.head, log: payload.log, created: false, jws: Buffer.from(created.existing).toString('utf8') };
  }
  throw new GateError('E_CONFLICT', `${k} already exists and is not a checkpoint of this head by this key`, {
    where: store.displayUrl,
    hint: 'run `model-gate audit verify --checkpoint-key` with the right public key',
  });
}
