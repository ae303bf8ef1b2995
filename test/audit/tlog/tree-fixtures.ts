import { leafHash, nodeHash, type Hash } from '../../../src/audit/tlog/hash.js';
import { EMPTY_ROOT } from '../../../src/audit/tlog/hash.js';
import { tilePath, type TileCoord } from '../../../src/audit/tlog/tile-path.js';
import type { Tile, TileLookup } from '../../../src/audit/tlog/tiles.js';

/** Leaf hashes of n synthetic records `record <i>`. */
export function leavesOf(n: number, tag = 'record'): Hash[] {
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`${tag} ${i}`)));
}

/** MTH(D[lo:hi]) by RFC 6962's recursive definition, straight from the leaves (the referee). */
export function naiveMth(leaves: readonly Hash[], lo = 0, hi = leaves.length): Hash {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[lo];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(naiveMth(leaves, lo, lo + k), naiveMth(leaves, lo + k, hi));
}

/** An in-memory tile store keyed by path, as a TileLookup. */
export class TileMap {
  readonly tiles = new Map<string, Buffer>();
  put(tiles: readonly Tile[]): void {
    for (const t of tiles) {
      const p = tilePath(t.coord);
      const had = this.tiles.get(p);
      if (had && !had.equals(t.data)) throw new Error(`tile ${p} written twice with different bytes`);
      this.tiles.set(p, t.data);
    }
  }
  lookup: TileLookup = (c: TileCoord & { level: number }) => this.tiles.get(tilePath(c));
}
