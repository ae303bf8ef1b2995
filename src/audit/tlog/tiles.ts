/**
 * Hash tiles as pure functions (C2SP tlog-tiles): which tiles a tree of a
 * given size has, where the hash of a perfect subtree sits in them, and the
 * tiles an append publishes. A tile at level t holds consecutive hashes of
 * perfect subtrees of 256^t leaves; the 8 tree levels inside a tile are
 * recomputed by hashing, so hashes of level 8t+r come from 2^r tile hashes.
 */
import { HASH_SIZE, nodeHash, type Hash } from './hash.js';
import { perfectSubtrees, inclusionRanges, consistencyRanges, type PerfectHash, type Subtree } from './tree.js';
import { TILE_HEIGHT, TILE_WIDTH, tilePath, type TileCoord } from './tile-path.js';

/** A hash tile (numeric level) with its bytes. */
export interface Tile {
  coord: TileCoord & { level: number };
  data: Buffer;
}

/** Reads a tile already in memory; undefined when it was not loaded (or does not exist). */
export type TileLookup = (coord: TileCoord & { level: number }) => Buffer | undefined;

/** A tile the computation needed and the lookup did not have. */
export class MissingTile extends Error {
  constructor(readonly coord: TileCoord & { level: number }) {
    super(`missing tile ${tilePath(coord)}`);
    this.name = 'MissingTile';
  }
}

const pow256 = (t: number): number => 256 ** t;

/** How many level-t tile hashes a tree of `size` has: floor(size / 256^t). */
export function hashesAtLevel(size: number, t: number): number {
  return Math.floor(size / pow256(t));
}

/** The width of tile (t, n) in a tree of `size`, or 0 when the tree has no such tile. */
export function tileWidthAt(size: number, t: number, n: number): number {
  const w = hashesAtLevel(size, t) - n * TILE_WIDTH;
  return w <= 0 ? 0 : Math.min(w, TILE_WIDTH);
}

/** Every tile of a tree of `size`: full tiles and one partial per level where the count is not a multiple of 256. */
export function tilesForSize(size: number): (TileCoord & { level: number })[] {
  const out: (TileCoord & { level: number })[] = [];
  for (let t = 0; hashesAtLevel(size, t) > 0; t++) {
    const count = hashesAtLevel(size, t);
    const full = Math.floor(count / TILE_WIDTH);
    for (let n = 0; n < full; n++) out.push({ level: t, n, width: TILE_WIDTH });
    if (count % TILE_WIDTH) out.push({ level: t, n: full, width: count % TILE_WIDTH });
  }
  return out;
}

/** The partial tiles of a tree of `size` (at most one per level): what an append extends. */
export function partialTilesAt(size: number): (TileCoord & { level: number })[] {
  const out: (TileCoord & { level: number })[] = [];
  for (let t = 0; hashesAtLevel(size, t) > 0; t++) {
    const count = hashesAtLevel(size, t);
    if (count % TILE_WIDTH) out.push({ level: t, n: Math.floor(count / TILE_WIDTH), width: count % TILE_WIDTH });
  }
  return out;
}

/** Where the hash of a perfect subtree sits in the tiles of a tree of `size`. */
export function locateSubtree(size: number, s: Subtree): { coord: TileCoord & { level: number }; first: number; count: number } {
  const t = Math.floor(s.level / TILE_HEIGHT);
  const r = s.level - t * TILE_HEIGHT;
  const count = 2 ** r;
  const firstInLevel = s.index * count;
  const n = Math.floor(firstInLevel / TILE_WIDTH);
  const width = tileWidthAt(size, t, n);
  const first = firstInLevel - n * TILE_WIDTH;
  if (width < first + count) throw new RangeError(`subtree ${s.level}/${s.index} is not complete in a tree of size ${size}`);
  return { coord: { level: t, n, width }, first, count };
}

/** The Merkle hash of 2^k consecutive tile hashes. */
export function hashOfTileSlice(data: Buffer, first: number, count: number): Hash {
  if (count === 1) return Buffer.from(data.subarray(first * HASH_SIZE, (first + 1) * HASH_SIZE));
  // Pairs of the slice, then pairs of those: no array of views per level (a full verify does this for every 256 leaves).
  let level: Buffer[] = new Array<Buffer>(count / 2);
  for (let i = 0; i < count; i += 2) {
    const at = (first + i) * HASH_SIZE;
    level[i / 2] = nodeHash(data.subarray(at, at + HASH_SIZE), data.subarray(at + HASH_SIZE, at + 2 * HASH_SIZE));
  }
  while (level.length > 1) {
    const next: Buffer[] = new Array<Buffer>(level.length / 2);
    for (let i = 0; i < level.length; i += 2) next[i / 2] = nodeHash(level[i], level[i + 1]);
    level = next;
  }
  return level[0];
}

/** Perfect subtree hashes read from tiles of a tree of `size`; throws {@link MissingTile} for a tile not loaded. */
export function perfectFromTiles(size: number, lookup: TileLookup): PerfectHash {
  return (level, index) => {
    const { coord, first, count } = locateSubtree(size, { level, index });
    const data = lookup(coord);
    if (!data) throw new MissingTile(coord);
    if (data.length !== coord.width * HASH_SIZE) throw new RangeError(`tile ${tilePath(coord)} has ${data.length} bytes, not ${coord.width * HASH_SIZE}`);
    return hashOfTileSlice(data, first, count);
  };
}

function tilesOf(size: number, subtrees: Subtree[]): (TileCoord & { level: number })[] {
  const seen = new Map<string, TileCoord & { level: number }>();
  for (const s of subtrees) {
    const { coord } = locateSubtree(size, s);
    seen.set(tilePath(coord), coord);
  }
  return [...seen.values()];
}

/** The tiles needed for the root of a tree of `size`. */
export function tilesForRoot(size: number): (TileCoord & { level: number })[] {
  return tilesOf(size, perfectSubtrees(0, size));
}

/** The tiles needed for an inclusion proof of `index` in a tree of `size` (and its root). */
export function tilesForInclusion(index: number, size: number): (TileCoord & { level: number })[] {
  const subs = [...perfectSubtrees(0, size), { level: 0, index }];
  for (const [lo, hi] of inclusionRanges(index, size)) subs.push(...perfectSubtrees(lo, hi));
  return tilesOf(size, subs);
}

/** The tiles needed for a consistency proof from size m to size n (read in the tree of size n). */
export function tilesForConsistency(m: number, n: number): (TileCoord & { level: number })[] {
  const subs = [...perfectSubtrees(0, n)];
  for (const [lo, hi] of consistencyRanges(m, n)) subs.push(...perfectSubtrees(lo, hi));
  return tilesOf(n, subs);
}

/**
 * The tiles to publish when a tree grows from `oldSize` by `newLeaves`: every
 * tile that becomes full on the way, and the partial tile of each level at
 * the new size (partial tiles of sizes in between are not needed: no
 * checkpoint names those sizes). `lookup` must hold the partial tiles of the
 * old size ({@link partialTilesAt}).
 */
export function extendTiles(oldSize: number, newLeaves: readonly Hash[], lookup: TileLookup): Tile[] {
  const out: Tile[] = [];
  let incoming: Hash[] = [...newLeaves];
  for (let t = 0; incoming.length > 0; t++) {
    const oldCount = hashesAtLevel(oldSize, t);
    let n = Math.floor(oldCount / TILE_WIDTH);
    const oldWidth = oldCount % TILE_WIDTH;
    let current: Buffer[] = [];
    if (oldWidth > 0) {
      const coord = { level: t, n, width: oldWidth };
      const data = lookup(coord);
      if (!data) throw new MissingTile(coord);
      if (data.length !== oldWidth * HASH_SIZE) throw new RangeError(`tile ${tilePath(coord)} has ${data.length} bytes, not ${oldWidth * HASH_SIZE}`);
      for (let i = 0; i < oldWidth; i++) current.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    }
    const up: Hash[] = [];
    for (const h of incoming) {
      current.push(h);
      if (current.length === TILE_WIDTH) {
        const data = Buffer.concat(current);
        out.push({ coord: { level: t, n, width: TILE_WIDTH }, data });
        up.push(hashOfTileSlice(data, 0, TILE_WIDTH));
        current = [];
        n += 1;
      }
    }
    // A partial tile is new unless it is the old size's partial tile, unchanged.
    const oldN = Math.floor(oldCount / TILE_WIDTH);
    if (current.length > 0 && (n !== oldN || current.length !== oldWidth)) {
      out.push({ coord: { level: t, n, width: current.length }, data: Buffer.concat(current) });
    }
    incoming = up;
  }
  return out;
}

/** Every tile of a tree of `size` computed from its leaf hashes (backfill, verification). */
export function tilesFromLeaves(leaves: readonly Hash[]): Tile[] {
  return extendTiles(0, leaves, () => undefined);
}

/**
 * Every level of a tree's tile hashes, packed: level 0 is the leaf hashes
 * (32 bytes each), level t the hashes of the full tiles of level t − 1. Any
 * tile of any tree size up to `size` is a slice of one level, so roots and
 * proofs at several sizes come from one pass, in 32 bytes a record.
 */
export function packedLevels(leaves: Buffer, size: number): Buffer[] {
  const levels = [leaves.subarray(0, size * HASH_SIZE)];
  for (let count = Math.floor(size / TILE_WIDTH); count > 0; count = Math.floor(count / TILE_WIDTH)) {
    const below = levels[levels.length - 1];
    const next = Buffer.allocUnsafe(count * HASH_SIZE);
    for (let i = 0; i < count; i++) hashOfTileSlice(below, i * TILE_WIDTH, TILE_WIDTH).copy(next, i * HASH_SIZE);
    levels.push(next);
  }
  return levels;
}

/** A TileLookup over packed levels: tile (t, n, w) is w hashes of level t from n × 256. */
export function lookupPacked(levels: readonly Buffer[]): TileLookup {
  return (c) => {
    const level = levels[c.level];
    const from = c.n * TILE_WIDTH * HASH_SIZE;
    const to = from + c.width * HASH_SIZE;
    return level && to <= level.length ? level.subarray(from, to) : undefined;
  };
}
