/**
 * The RFC 6962 Merkle tree as pure arithmetic: which subtree hashes a root,
 * an inclusion proof or a consistency proof is made of (RFC 6962 §2.1.1,
 * §2.1.2), how to fold them, and how a verifier checks a proof
 * (RFC 9162 §2.1.3.2, §2.1.4.2). No I/O: where hashes come from (tiles, leaves
 * in memory) is the caller's business, through {@link PerfectHash}.
 *
 * Sizes and indexes are plain numbers, exact up to 2^53; no 32-bit bitwise
 * operators are used on them.
 */
import { nodeHash, EMPTY_ROOT, type Hash } from './hash.js';

/**
 * A perfect subtree: the 2^level leaves starting at leaf `index * 2^level`.
 * Every hash a proof or a root needs is one of these, or a fold of several.
 */
export interface Subtree {
  level: number;
  index: number;
}

/** The hash of a perfect subtree (from a tile, or computed from leaves). */
export type PerfectHash = (level: number, index: number) => Hash;

/** A half-open leaf range [lo, hi) whose Merkle Tree Hash a proof carries. */
export type Range = readonly [lo: number, hi: number];

/** The largest power of two strictly less than n (n ≥ 2), as RFC 6962's k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * MTH(D[lo:hi]) as RFC 6962 splits it, decomposed into perfect subtrees
 * (left to right). `lo` must be a multiple of the largest power of two not
 * above hi − lo, which holds for every range a root or proof uses.
 */
export function perfectSubtrees(lo: number, hi: number): Subtree[] {
  const out: Subtree[] = [];
  while (hi > lo) {
    const n = hi - lo;
    let size = 1;
    let level = 0;
    while (size * 2 <= n) {
      size *= 2;
      level += 1;
    }
    if (lo % size !== 0) throw new Error(`range [${lo}, ${hi}) is not RFC 6962-aligned`);
    out.push({ level, index: lo / size });
    lo += size;
  }
  return out;
}

/** MTH(D[lo:hi]) from its perfect subtrees, folded right to left as RFC 6962 nests them. */
export function rangeHash(lo: number, hi: number, perfect: PerfectHash): Hash {
  if (hi <= lo) return EMPTY_ROOT;
  const parts = perfectSubtrees(lo, hi).map((s) => perfect(s.level, s.index));
  let h = parts[parts.length - 1];
  for (let i = parts.length - 2; i >= 0; i--) h = nodeHash(parts[i], h);
  return h;
}

/** The root of a tree of `size` leaves. */
export function treeRoot(size: number, perfect: PerfectHash): Hash {
  return rangeHash(0, size, perfect);
}

/** The ranges of PATH(index, D[0:size]) (RFC 6962 §2.1.1), from the leaf's sibling up. */
export function inclusionRanges(index: number, size: number): Range[] {
  checkIndex(index, size);
  const out: Range[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    if (hi - lo <= 1) return;
    const k = splitPoint(hi - lo);
    if (m < k) {
      walk(m, lo, lo + k);
      out.push([lo + k, hi]);
    } else {
      walk(m - k, lo + k, hi);
      out.push([lo, lo + k]);
    }
  };
  walk(index, 0, size);
  return out;
}

/** The ranges of PROOF(m, D[0:n]) (RFC 6962 §2.1.2); empty when m is 0 or n. */
export function consistencyRanges(m: number, n: number): Range[] {
  checkSizes(m, n);
  const out: Range[] = [];
  if (m === 0 || m === n) return out;
  const sub = (m: number, lo: number, hi: number, whole: boolean): void => {
    if (m === hi - lo) {
      if (!whole) out.push([lo, hi]);
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      sub(m, lo, lo + k, whole);
      out.push([lo + k, hi]);
    } else {
      sub(m - k, lo + k, hi, false);
      out.push([lo, lo + k]);
    }
  };
  sub(m, 0, n, true);
  return out;
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves. */
export function inclusionProof(index: number, size: number, perfect: PerfectHash): Hash[] {
  return inclusionRanges(index, size).map(([lo, hi]) => rangeHash(lo, hi, perfect));
}

/** The consistency proof from the tree of m leaves to the tree of n leaves. */
export function consistencyProof(m: number, n: number, perfect: PerfectHash): Hash[] {
  return consistencyRanges(m, n).map(([lo, hi]) => rangeHash(lo, hi, perfect));
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * The root an inclusion proof leads to from `leaf` (RFC 9162 §2.1.3.2), or
 * null when the proof has the wrong length for (index, size).
 */
export function rootFromInclusionProof(index: number, size: number, leaf: Hash, proof: readonly Hash[]): Hash | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

/** Whether `proof` shows leaf `index` with hash `leaf` in the tree of `size` with root `root`. */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  const r = rootFromInclusionProof(index, size, leaf, proof);
  return r !== null && r.equals(root);
}

/**
 * Whether `proof` shows the tree of m leaves with root `oldRoot` to be a
 * prefix of the tree of n leaves with root `newRoot` (RFC 9162 §2.1.4.2).
 * m = 0 is consistent with anything (empty proof); m = n needs equal roots.
 */
export function verifyConsistency(m: number, n: number, oldRoot: Hash, newRoot: Hash, proof: readonly Hash[]): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (m === 0) return proof.length === 0 && (n > 0 || newRoot.equals(EMPTY_ROOT));
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(m) ? [oldRoot, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

function isPowerOfTwo(x: number): boolean {
  let p = 1;
  while (p < x) p *= 2;
  return p === x;
}

function checkIndex(index: number, size: number): void {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  }
}

function checkSizes(m: number, n: number): void {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) {
    throw new RangeError(`no consistency proof from size ${m} to size ${n}`);
  }
}

/** Perfect subtree hashes computed from leaf hashes in memory (tests, small logs, bundles). */
export function perfectFromLeaves(leaves: readonly Hash[]): PerfectHash {
  const cache = new Map<string, Hash>();
  const get = (level: number, index: number): Hash => {
    if (level === 0) {
      const h = leaves[index];
      if (!h) throw new RangeError(`no leaf ${index}`);
      return h;
    }
    const key = `${level}/${index}`;
    let h = cache.get(key);
    if (!h) {
      h = nodeHash(get(level - 1, 2 * index), get(level - 1, 2 * index + 1));
      cache.set(key, h);
    }
    return h;
  };
  return get;
}
