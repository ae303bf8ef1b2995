/**
 * RFC 6962 §2.1 hashing: the leaf and interior-node hashes of the Merkle tree
 * over the audit log's records. The leaf is a record's stored bytes, exactly
 * as in `entries/<seq>.json`, never re-serialised. The 0x00 / 0x01 prefixes
 * keep a leaf from ever being read as an interior node (second-preimage
 * attacks on the tree shape).
 */
import { createHash } from 'node:crypto';

/** A SHA-256 tree hash: 32 bytes. */
export type Hash = Buffer;

export const HASH_SIZE = 32;

/** MTH({}) = SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** Leaf hash of one record: SHA-256(0x00 ‖ bytes). */
export function leafHash(record: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(record).digest();
}

/** Interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
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
