/**
 * RFC 6962 §2.1 hashing: the leaf and interior-node hashes of the Merkle tree
 * over the audit log's records. The leaf is a record's stored bytes, exactly
 * as in `entries/<seq>.json`, never re-serialised. The 0x00 / 0x01 prefixes
 * keep a leaf from ever being read as an interior node (second-preimage
 * attacks on the tree shape).
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

/** A SHA-256 tree hash: 32 bytes. */
export type Hash = Buffer;

export const HASH_SIZE = 32;

/** MTH({}) = SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/**
 * One-shot hashing (Node >= 20.12): half the CPU of a createHash object for
 * record-sized inputs, and a full verify hashes every record twice (leaf and
 * tile node). The prefix and the input are copied into one scratch buffer
 * first; hashing is synchronous, so the scratch is never shared.
 */
const oneShotHex = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'hex') => string }).hash;
/**
 * One-shot SHA-256 as a Buffer. Asked for hex and decoded: Node 20 and 24 both
 * take half again as long to return the digest as a Buffer directly (measured:
 * bench/README.md, "one-pass canonical check").
 */
const oneShot = oneShotHex && ((data: Uint8Array): Buffer => Buffer.from(oneShotHex('sha256', data, 'hex'), 'hex'));
/** Records are under 64 KiB; anything larger goes through createHash. */
const LEAF_SCRATCH = Buffer.allocUnsafe(1 + 65536);
const NODE_SCRATCH = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);
NODE_SCRATCH[0] = 0x01;

/** Leaf hash of one record: SHA-256(0x00 ‖ bytes). */
export function leafHash(record: Uint8Array): Hash {
  if (!oneShot || record.length >= LEAF_SCRATCH.length) return createHash('sha256').update(LEAF_PREFIX).update(record).digest();
  LEAF_SCRATCH[0] = 0x00;
  LEAF_SCRATCH.set(record, 1);
  return oneShot(LEAF_SCRATCH.subarray(0, record.length + 1));
}

/** Interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (!oneShot || left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  }
  NODE_SCRATCH.set(left, 1);
  NODE_SCRATCH.set(right, 1 + HASH_SIZE);
  return oneShot(NODE_SCRATCH);
}

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** Standard base64 (RFC 4648 §4) of a hash, as checkpoints and proofs write it. */
export function hashToBase64(h: Uint8Array): string {
  return Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('base64');
}

/**
 * Parses one base64 hash strictly: exactly 32 bytes, canonical padding, no
 * whitespace (Buffer.from would silently skip junk characters).
 */
export function hashFromBase64(text: string): Hash | null {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text)) return null;
  const h = Buffer.from(text, 'base64');
  if (h.length !== HASH_SIZE || h.toString('base64') !== text) return null;
  return h;
}
