/**
 * Roots and proofs computed from the tiles in a store: the pure planners say
 * which tiles a computation needs, those are read (in parallel, O(log n) of
 * them), and the pure tree code does the rest.
 */
import { GateError } from '../../core/errors.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry.js';
import type { Hash } from './hash.js';
import { tilePath, type TileCoord } from './tile-path.js';
import { MissingTile, perfectFromTiles, tilesForConsistency, tilesForInclusion, tilesForRoot } from './tiles.js';
import { consistencyProof, inclusionProof, treeRoot } from './tree.js';
import { readTiles, type TlogStore } from './tile-io.js';

async function withTiles<T>(store: TlogStore, size: number, coords: readonly TileCoord[], policy: RetryPolicy, fn: (perfect: ReturnType<typeof perfectFromTiles>) => T): Promise<T> {
  const tiles = await readTiles(store, coords, policy);
  try {
    return fn(perfectFromTiles(size, (c) => tiles.get(tilePath(c))));
  } catch (e) {
    if (e instanceof MissingTile) {
      throw new GateError('E_CHAIN_BROKEN', `${tilePath(e.coord)} is missing: the tree of size ${size} cannot be computed from the store's tiles`, {
        where: store.displayUrl,
        hint: 'a log written before tiles existed needs `model-gate audit tiles --store URL` once',
        cause: e,
      });
    }
    throw e;
  }
}

/** The root of the tree of `size` records, from the store's tiles. */
export async function rootFromStore(store: TlogStore, size: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<Hash> {
  return withTiles(store, size, tilesForRoot(size), policy, (p) => treeRoot(size, p));
}

/** The inclusion proof of record `index` in the tree of `size`, and that tree's root, from the store's tiles. */
export async function inclusionFromStore(store: TlogStore, index: number, size: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<{ proof: Hash[]; root: Hash }> {
  return withTiles(store, size, tilesForInclusion(index, size), policy, (p) => ({ proof: inclusionProof(index, size, p), root: treeRoot(size, p) }));
}

/** The consistency proof from size m to size n, and the root at n, from the store's tiles. */
export async function consistencyFromStore(store: TlogStore, m: number, n: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<{ proof: Hash[]; root: Hash }> {
  return withTiles(store, n, tilesForConsistency(m, n), policy, (p) => ({ proof: consistencyProof(m, n, p), root: treeRoot(n, p) }));
}
