/**
 * Signed-note checkpoints in a store (`checkpoints/<size, 20 digits>.note`,
 * create-only, beside the JWS ones), and the one safe way to sign one: a
 * root is signed only after it was shown consistent with the previous root
 * this key signed and the records added since were read from `entries/` and
 * found at their leaves, so a tile altered or planted in between can never
 * be blessed by a signature (docs/transparency-log.md).
 */
import { GateError } from '../../core/errors.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { checkpointKey, type AuditStore } from '../store.js';
import { formatVkey, keyId, SIG_TYPE, type NoteKey, type Vkey } from './ed25519-keys.js';
import { hashToBase64, type Hash } from './hash.js';
import { openCheckpoint, signCheckpoint, type OpenedCheckpoint } from './checkpoint-note.js';
import { perfectFromTiles } from './tiles.js';
import { tilePath } from './tile-path.js';
import { verifyConsistency } from './tree.js';
import { ensureTilesAt, readRecords, readTiles, type TlogStore } from './tile-io.js';
import { consistencyFromStore, rootFromStore } from './tree-io.js';

/** A store that can also list its checkpoints. */
export type NoteStore = TlogStore & Pick<AuditStore, 'list' | 'listAfter'>;

/** `checkpoints/00000000000000000042.note` for the note at size 42. */
export function noteKey(size: number): string {
  return `checkpoints/${String(size).padStart(20, '0')}.note`;
}

/** The size in a note key, or null for another key. */
export function sizeOfNoteKey(key: string): number | null {
  const m = /^checkpoints\/(\d{20})\.note$/.exec(key);
  return m ? Number(m[1]) : null;
}

/**
 * Sizes that have a stored note, ascending; with `minSize`, only those at or
 * above it, listed after it where the store can (S3: `StartAfter`), so a
 * reader that needs a note covering one record does not list the log's
 * every checkpoint.
 */
export async function listNoteSizes(store: NoteStore, policy: RetryPolicy = DEFAULT_RETRY, minSize = 0): Promise<number[]> {
  const keys = await withRetry(policy, 'listing checkpoints', store.displayUrl, () =>
    minSize > 0 && store.listAfter ? store.listAfter('checkpoints', checkpointKey(minSize - 1)) : store.list('checkpoints'),
  );
  return keys.map(sizeOfNoteKey).filter((s): s is number => s !== null && s >= minSize).sort((a, b) => a - b);
}

export interface StoredNote {
  size: number;
  bytes: Buffer;
}

/** A stored note that opened with the given keys, or why one did not. */
export type CheckedNote =
  | { size: number; status: 'valid'; checkpoint: OpenedCheckpoint; bytes: Buffer }
  | { size: number; status: 'bad'; reason: string };

/** Opens one stored note: the log key's signature, the origin (the log's name) and the size in its key. */
export function checkNote(note: StoredNote, logKeys: readonly Vkey[], options: { witnesses?: readonly Vkey[]; origin?: string } = {}): CheckedNote {
  const opened = openCheckpoint(note.bytes, logKeys, options);
  if (!opened.ok) return { size: note.size, status: 'bad', reason: opened.reason };
  if (opened.checkpoint.head.size !== note.size) {
    return { size: note.size, status: 'bad', reason: `signed size ${opened.checkpoint.head.size} differs from its key's size ${note.size}` };
  }
  return { size: note.size, status: 'valid', checkpoint: opened.checkpoint, bytes: note.bytes };
}

/** Reads the note at `size`, or null. */
export async function readNote(store: TlogStore, size: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<StoredNote | null> {
  const key = noteKey(size);
  const bytes = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.read(key));
  return bytes ? { size, bytes: Buffer.from(bytes) } : null;
}

/**
 * The newest note that opens with the keys (at or below `maxSize`), and the
 * newer ones that did not (each a finding for a verifier).
 */
export async function newestValidNote(
  store: NoteStore,
  logKeys: readonly Vkey[],
  options: { witnesses?: readonly Vkey[]; origin?: string; maxSize?: number; minSize?: number; policy?: RetryPolicy } = {},
): Promise<{ valid?: CheckedNote & { status: 'valid' }; bad: (CheckedNote & { status: 'bad' })[] }> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const sizes = (await listNoteSizes(store, policy, options.minSize)).filter((s) => options.maxSize === undefined || s <= options.maxSize);
  const bad: (CheckedNote & { status: 'bad' })[] = [];
  for (let i = sizes.length - 1; i >= 0; i--) {
    const note = await readNote(store, sizes[i], policy);
    if (!note) continue;
    const c = checkNote(note, logKeys, options);
    if (c.status === 'valid') return { valid: c, bad };
    bad.push(c);
  }
  return { bad };
}

/** The verifier key of a note key: what auditors and witnesses are given. */
export function vkeyOf(key: NoteKey): string {
  return formatVkey(key.name, SIG_TYPE.ed25519, key.publicKey);
}

/** The verifier key of a note key, parsed. */
export function vkeyStruct(key: NoteKey): Vkey {
  return { name: key.name, keyId: keyId(key.name, SIG_TYPE.ed25519, key.publicKey), type: SIG_TYPE.ed25519, publicKey: key.publicKey };
}

/** Asks witnesses for cosignature lines on a checkpoint (witness-client.ts); none when no witness is configured. */
export type Cosigner = (note: Buffer, head: { size: number; root: Hash }, consistency: (oldSize: number) => Promise<Hash[]>) => Promise<string[]>;

export interface SignedNote {
  key: string;
  size: number;
  root: Hash;
  note: Buffer;
  /** False when this note was already stored (same root, same key). */
  created: boolean;
}

/**
 * Signs and stores the signed-note checkpoint at `size` (docs/transparency-log.md,
 * "Checkpoints"). Refuses (E_VERIFY_FAILED) when the tiles at `size` are not
 * consistent with the newest root this key signed, or a record added since
 * is not at its leaf: a signature never covers a tile that disagrees with
 * the entries.
 */
export async function signTreeCheckpoint(
  store: NoteStore,
  key: NoteKey,
  size: number,
  options: { cosign?: Cosigner; policy?: RetryPolicy } = {},
): Promise<SignedNote> {
  const policy = options.policy ?? DEFAULT_RETRY;
  if (!Number.isSafeInteger(size) || size < 1) throw new GateError('E_INPUT', 'the log is empty: there is nothing to checkpoint', { where: store.displayUrl });
  const ownKey = vkeyStruct(key);
  const previous = (await newestValidNote(store, [ownKey], { origin: key.name, maxSize: size, policy })).valid;
  const ensured = await ensureTilesAt(store, size, policy);
  const refuse = (why: string): never => {
    throw new GateError('E_VERIFY_FAILED', `refusing to sign a checkpoint at size ${size}: ${why}`, {
      where: store.displayUrl,
      hint: 'run `model-gate audit verify` and investigate before signing',
    });
  };
  if (ensured.conflicts.length) refuse(ensured.conflicts.map((c) => c.message).join('; '));
  const from = previous?.checkpoint.head.size ?? 0;
  let root: Hash;
  if (previous && from > 0) {
    const c = await consistencyFromStore(store, from, size, policy);
    root = c.root;
    if (!verifyConsistency(from, size, previous.checkpoint.head.root, root, c.proof)) {
      refuse(`the tiles are not consistent with the checkpoint this key signed at size ${from} (a tile was altered, or the log was rolled back)`);
    }
  } else {
    root = await rootFromStore(store, size, policy);
  }
  // The records added since the previous signature, read from entries/, must be the leaves the tiles hold.
  if (from < size) {
    const { leaves } = await readRecords(store, from, size, policy);
    const firstTile = Math.floor(from / 256);
    const lastTile = Math.floor((size - 1) / 256);
    const coords = [];
    for (let n = firstTile; n <= lastTile; n++) coords.push({ level: 0, n, width: Math.min(256, size - n * 256) });
    const tiles = await readTiles(store, coords, policy);
    const perfect = perfectFromTiles(size, (c) => tiles.get(tilePath(c)));
    for (let i = from; i < size; i++) {
      if (!perfect(0, i).equals(leaves[i - from])) refuse(`record ${i} read from entries/ is not the leaf the tiles hold (tile-mismatch)`);
    }
  }
  if (previous && from === size) {
    return { key: noteKey(size), size, root, note: previous.bytes, created: false };
  }
  let note = signCheckpoint({ origin: key.name, size, root }, key);
  if (options.cosign) {
    const lines = await options.cosign(note, { size, root }, async (oldSize) => (await consistencyFromStore(store, oldSize, size, policy)).proof);
    if (lines.length) note = Buffer.concat([note, Buffer.from(`${lines.join('\n')}\n`, 'utf8')]);
  }
  const k = noteKey(size);
  const r = await withRetry(policy, `writing ${k}`, store.displayUrl, () => store.create(k, note));
  if (r.created) return { key: k, size, root, note, created: true };
  const existing = checkNote({ size, bytes: Buffer.from(r.existing) }, [ownKey], { origin: key.name });
  if (existing.status === 'valid' && existing.checkpoint.head.root.equals(root)) {
    return { key: k, size, root, note: Buffer.from(r.existing), created: false };
  }
  throw new GateError('E_CONFLICT', `${k} already exists and is not this key's checkpoint of root ${hashToBase64(root)}`, {
    where: store.displayUrl,
    hint: 'run `model-gate audit verify` with the log\'s verifier key',
  });
}
