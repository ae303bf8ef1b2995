/**
 * The audit store: where records and checkpoints live. Two adapters implement
 * it (file:// and s3://); the append protocol and the verifier see only this.
 *
 * Keys are relative to the store's prefix: `entries/<seq, 20 digits>.json` and
 * `checkpoints/<size, 20 digits>.jws` (docs/design.md §4, store layout); the
 * transparency log adds `checkpoints/<size, 20 digits>.note` and the C2SP
 * tiles `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>` (docs/transparency-log.md).
 */
import { parseTilePath, tilePath } from './tlog/tile-path.js';

import { indexKeys, parseKeyName, type KeyIndex, type StoreDir } from './key-index.js';

export type { StoreDir };

/** The outcome of a create-only write. */
export type CreateResult =
  /** This writer owns the key: its bytes are the record. */
  | { created: true }
  /** Someone else owns the key; `existing` are the owning bytes (compare for an idempotent retry). */
  | { created: false; existing: Uint8Array };

/** A later version of a key (S3 only): a race loser, a rogue write, or a delete marker. */
export interface LaterVersion {
  versionId: string;
  deleteMarker: boolean;
  /** The bytes of that version (absent for delete markers). */
  bytes?: Uint8Array;
}

/** Object Lock retention of the owning version (S3 only). */
export interface Retention {
  mode: 'COMPLIANCE' | 'GOVERNANCE' | null;
  retainUntil: Date | null;
  /** When the owning version was written. */
  createdAt: Date | null;
}

/** What the verifier learns about one key beyond its owning bytes. */
export interface KeyInspection {
  /** The owning bytes (S3: oldest version), or null when the key has no data version. */
  bytes: Uint8Array | null;
  /**
   * Why what sits at the key cannot be read as a record at all (file store:
   * a FIFO, a directory, a file larger than any record); `bytes` is then null.
   */
  problem?: string;
  laterVersions: LaterVersion[];
  retention?: Retention;
}

export interface AuditStore {
  /** The store's URL as the user wrote it, with secrets removed (for messages). */
  readonly displayUrl: string;
  /**
   * The retention every record must show, in days (S3: the URL's
   * `retention_days`, default 2,557). Undefined for stores without retention
   * (file://), whose records the verifier then does not check for `not-locked`.
   */
  readonly retentionDays?: number;
  /**
   * Refuses (GateError, exit 2) a store that must not be appended to: an S3
   * bucket without Object Lock, or with a default retention that is not
   * COMPLIANCE (unless GOVERNANCE is allowed) or shorter than required.
   */
  checkAppendable(): Promise<void>;
  /**
   * Create-only write. Never overwrites: on S3, `If-None-Match: *` and then
   * ownership confirmed by version order (the oldest version is the record).
   */
  create(key: string, bytes: Uint8Array): Promise<CreateResult>;
  /** The owning bytes of a key, or null when it does not exist. */
  read(key: string): Promise<Uint8Array | null>;
  /** Keys in one directory, sorted ascending (zero-padded, so numeric order). */
  list(dir: StoreDir): Promise<string[]>;
  /**
   * Optional: the keys of one directory that sort after `afterKey`, ascending
   * (S3: ListObjectsV2 StartAfter). Lets a verifier starting from a
   * checkpoint list only new records; without it, `list` is used.
   */
  listAfter?(dir: StoreDir, afterKey: string): Promise<string[]>;
  /** Owning bytes plus later versions and retention, for the verifier. */
  inspect(key: string): Promise<KeyInspection>;
  /**
   * Optional: the keys of one directory as a compact {@link KeyIndex}, so
   * a verifier of a long log does not hold every key as a string. Without
   * it, `list` is indexed.
   */
  listIndex?(dir: StoreDir): Promise<KeyIndex>;
  /**
   * Optional (S3): the keys of one directory that hold a record and also a
   * later version or a delete marker, from one listing of every version
   * (1,000 keys a request), so a verifier that reads records from bundles
   * still finds what `inspect` would show for each key.
   */
  keysWithLaterVersions?(dir: StoreDir): Promise<string[]>;
}

/** A store's keys of one directory as a {@link KeyIndex} (its own `listIndex`, or its `list` indexed). */
export async function listKeyIndex(store: AuditStore, dir: StoreDir): Promise<KeyIndex> {
  return store.listIndex ? store.listIndex(dir) : indexKeys(dir, await store.list(dir));
}

/** `entries/00000000000000000042.json` for seq 42. */
export function entryKey(seq: number): string {
  return `entries/${String(seq).padStart(20, '0')}.json`;
}

/** `checkpoints/00000000000000000042.jws` for a checkpoint at size 42. */
export function checkpointKey(size: number): string {
  return `checkpoints/${String(size).padStart(20, '0')}.jws`;
}

/**
 * The sequence number in an entry key, exactly, or null for a key that is
 * not one, or whose number is beyond 2^53 - 1 (no record can be there; the
 * verifier reports such a key, see {@link isOutOfRangeKey}).
 */
export function seqOfEntryKey(key: string): number | null {
  const v = key.startsWith('entries/') ? parseKeyName('entries', key.slice(8)) : null;
  return typeof v === 'number' ? v : null;
}

/** The size in a checkpoint key, exactly, or null for a key that is not one (or is beyond 2^53 - 1). */
export function sizeOfCheckpointKey(key: string): number | null {
  const v = key.startsWith('checkpoints/') ? parseKeyName('checkpoints', key.slice(12)) : null;
  return typeof v === 'number' ? v : null;
}

/** Whether a key has the layout's form but a number beyond 2^53 - 1. */
export function isOutOfRangeKey(key: string): boolean {
  const i = key.indexOf('/');
  const dir = key.slice(0, i);
  return (dir === 'entries' || dir === 'checkpoints') && parseKeyName(dir, key.slice(i + 1)) === 'out-of-range';
}

/**
 * Whether a key is one a store may hold: an entry, a checkpoint (JWS or
 * signed note), a record-index slot (tlog/record-index.ts), or a tile or bundle exactly as the tlog-tiles encoding writes
 * it (so no second name can alias a tile, and no `..` can reach out).
 */
export function isStoreKey(key: string): boolean {
  if (/^(entries\/\d{20}\.json|checkpoints\/\d{20}\.(jws|note)|index\/[0-9a-f]{64}\/\d{4})$/.test(key)) return true;
  const t = parseTilePath(key);
  return t !== null && tilePath(t) === key;
}
