/**
 * The tree half of an append: after `appendRecord` has made a record the
 * log's record `seq`, publish the tiles (and the bundle, when one fills) for
 * size seq + 1. Derived and idempotent: a writer that died before this step
 * is caught up by the next one (docs/transparency-log.md, "What is written when").
 */
import { KeyObject } from 'node:crypto';
import { GateError, messageOf } from '../../core/errors.js';
import type { SigningKey } from '../checkpoint.js';
import { parseRecord } from '../record.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { entryKey, type AuditStore } from '../store.js';
import type { NoteKey } from './ed25519-keys.js';
import { signTreeCheckpoint, vkeyOf, type Cosigner, type SignedNote } from './note-io.js';
import { NotTiled, publishTiles, type PublishResult, type TlogStore } from './tile-io.js';

/** Publishes the tiles for the tree that ends with record `seq` (its owning bytes are read back from the store). */
export async function publishAfterAppend(store: TlogStore, seq: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<PublishResult> {
  return publishTiles(store, seq, [await readBack(store, seq, policy)], policy);
}

async function readBack(store: TlogStore, seq: number, policy: RetryPolicy): Promise<Uint8Array> {
  const key = entryKey(seq);
  const bytes = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.read(key));
  if (!bytes) throw new GateError('E_CHAIN_BROKEN', `record ${seq} was appended but cannot be read back`, { where: store.displayUrl });
  return bytes;
}

/** What the tree half of an append did in one store. */
export interface TreePublication {
  store: string;
  /** Tiles published, or why not (a log written before tiles existed). */
  tiles: PublishResult | { skipped: string };
  /** The signed-note checkpoint, when the signing key is an Ed25519 key. */
  note?: SignedNote;
  /** The verifier key of that checkpoint (`name+id+base64`): what check-proof and witnesses are given. */
  vkey?: string;
}

/**
 * A signing key for notes from the project's checkpoint key: the same
 * Ed25519 key (docs/transparency-log.md, "Keys"), named after the log.
 * Null for an ES256 key, which signs only JWS checkpoints.
 */
export function noteKeyFromSigningKey(key: SigningKey, origin: string): NoteKey | null {
  if (key.alg !== 'EdDSA' || typeof key.publicJwk.x !== 'string' || key.key instanceof Uint8Array) return null;
  return { name: origin, privateKey: KeyObject.from(key.key), publicKey: Buffer.from(key.publicJwk.x, 'base64url') };
}

/**
 * After records were appended: publish their tiles in every store and, with
 * an Ed25519 checkpoint key, sign the tree at `sizes[i]` (the size the JWS
 * checkpoint covered in store i, or the last record + 1). A tile conflict or a
 * refusal to sign is an error that names the stored records (they are in the
 * log; the tree is not), so the caller does not append them again.
 */
export async function publishTree(
  stores: readonly AuditStore[],
  seqs: readonly number[],
  options: { signingKey?: SigningKey; sizes?: readonly (number | undefined)[]; cosign?: Cosigner; policy?: RetryPolicy } = {},
): Promise<TreePublication[]> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const out: TreePublication[] = [];
  const stored = seqs.join(', ');
  for (const [i, store] of stores.entries()) {
    const pub: TreePublication = { store: store.displayUrl, tiles: { skipped: 'no record appended' } };
    out.push(pub);
    let last: Uint8Array | undefined;
    try {
      let total: PublishResult | undefined;
      for (const seq of seqs) {
        last = await readBack(store, seq, policy);
        const r = await publishTiles(store, seq, [last], policy);
        total = { size: r.size, created: (total?.created ?? 0) + r.created, conflicts: [...(total?.conflicts ?? []), ...r.conflicts] };
      }
      if (total) pub.tiles = total;
      if (total?.conflicts.length) {
        throw new GateError('E_CHAIN_BROKEN', `tile-mismatch: ${total.conflicts.map((c) => c.message).join('; ')}`, { where: store.displayUrl });
      }
    } catch (e) {
      if (e instanceof NotTiled) {
        pub.tiles = { skipped: e.message };
        continue;
      }
      throw afterStored(e, stored, store.displayUrl, 'its tiles could not be published');
    }
    if (!options.signingKey || !last) continue;
    const parsed = parseRecord(last);
    if (!parsed.ok) continue;
    const noteKey = noteKeyFromSigningKey(options.signingKey, parsed.record.log);
    if (!noteKey) continue;
    const size = options.sizes?.[i] ?? seqs[seqs.length - 1] + 1;
    try {
      pub.note = await signTreeCheckpoint(store, noteKey, size, { cosign: options.cosign, policy });
      pub.vkey = vkeyOf(noteKey);
    } catch (e) {
      throw afterStored(e, stored, store.displayUrl, 'no signed-note checkpoint could be signed after it');
    }
  }
  return out;
}

function afterStored(e: unknown, stored: string, where: string, what: string): GateError {
  const code = e instanceof GateError ? e.code : 'E_SERVICE';
  return new GateError(code, `record ${stored} was appended, but ${what}: ${messageOf(e)}`, {
    where,
    cause: e,
    hint: 'do not append the event again; run `model-gate audit verify` to see why, and `model-gate audit tiles` to publish what is missing',
  });
}
