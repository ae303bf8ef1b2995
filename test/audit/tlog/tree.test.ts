import fc from 'fast-check';
import { leafHash, nodeHash, EMPTY_ROOT } from '../../../src/audit/tlog/hash.js';
import {
  consistencyProof,
  inclusionProof,
  perfectFromLeaves,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/audit/tlog/tree.js';
import {
  extendTiles,
  partialTilesAt,
  perfectFromTiles,
  tilesForConsistency,
  tilesForInclusion,
  tilesForRoot,
  tilesForSize,
  tilesFromLeaves,
  MissingTile,
} from '../../../src/audit/tlog/tiles.js';
import { tilePath } from '../../../src/audit/tlog/tile-path.js';
import { leavesOf, naiveMth, TileMap } from './tree-fixtures.js';

const LEAVES = leavesOf(600);

describe('RFC 6962 tree: roots and inclusion proofs', () => {
  it('the empty tree has SHA-256("") as its root, one leaf is its own root', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(treeRoot(1, perfectFromLeaves(LEAVES)).equals(LEAVES[0])).toBe(true);
  });

  it('leaf and node hashes are domain-separated (RFC 6962 §2.1): 0x00 ‖ leaf, 0x01 ‖ left ‖ right', () => {
    // Known answer: SHA-256(0x00) is the leaf hash of the empty record.
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    const l = Buffer.alloc(32, 1);
    const r = Buffer.alloc(32, 2);
    expect(nodeHash(l, r).equals(leafHash(Buffer.concat([Buffer.from([1]), l, r])))).toBe(false);
  });

  it('every index of every log of sizes 1..600 has an inclusion proof that verifies against the root', () => {
    const perfect = perfectFromLeaves(LEAVES);
    for (let size = 1; size <= 600; size++) {
      const root = naiveMth(LEAVES, 0, size);
      expect(treeRoot(size, perfect).equals(root)).toBe(true);
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(i, size, perfect);
        if (!verifyInclusion(i, size, LEAVES[i], proof, root)) throw new Error(`proof of ${i} in ${size} does not verify`);
      }
    }
  });

  it('an inclusion proof fails for another leaf, another index, or one altered, missing or extra hash (property)', () => {
    const perfect = perfectFromLeaves(LEAVES);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 600 }), fc.nat(), fc.nat(), fc.nat(), (size, a, b, c) => {
        const i = a % size;
        const root = treeRoot(size, perfect);
        const proof = inclusionProof(i, size, perfect);
        const other = (i + 1 + (b % (size - 1))) % size;
        expect(verifyInclusion(i, size, LEAVES[other], proof, root)).toBe(false);
        expect(verifyInclusion(other, size, LEAVES[i], proof, root)).toBe(false);
        if (proof.length > 0) {
          const k = c % proof.length;
          const bad = proof.map((h, j) => (j === k ? Buffer.from(h.map((x, n) => (n === 0 ? x ^ 1 : x))) : h));
          expect(verifyInclusion(i, size, LEAVES[i], bad, root)).toBe(false);
          expect(verifyInclusion(i, size, LEAVES[i], proof.slice(0, -1), root)).toBe(false);
        }
        expect(verifyInclusion(i, size, LEAVES[i], [...proof, root], root)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('RFC 6962 tree: consistency proofs', () => {
  it('every pair of sizes m ≤ n ≤ 140 has a consistency proof that verifies', () => {
    const perfect = perfectFromLeaves(LEAVES);
    for (let n = 1; n <= 140; n++) {
      const newRoot = naiveMth(LEAVES, 0, n);
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, n, perfect);
        if (!verifyConsistency(m, n, naiveMth(LEAVES, 0, m), newRoot, proof)) throw new Error(`consistency ${m} → ${n} does not verify`);
      }
    }
  });

  it('a rolled-back-and-refilled log fails consistency with the checkpoint it had (property)', () => {
    const perfect = perfectFromLeaves(LEAVES);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 599 }), fc.nat(), fc.nat(), (m, a, b) => {
        const n = m + 1 + (a % (600 - m));
        const oldRoot = treeRoot(m, perfect);
        // The attacker cuts the log back to `cut` < m records and appends forged ones up to n.
        const cut = b % m;
        const forged = [...LEAVES.slice(0, cut), ...leavesOf(n - cut, 'forged')];
        const forgedPerfect = perfectFromLeaves(forged);
        const forgedRoot = treeRoot(n, forgedPerfect);
        const proof = consistencyProof(m, n, forgedPerfect);
        expect(verifyConsistency(m, n, oldRoot, forgedRoot, proof)).toBe(false);
        // The honest log passes.
        expect(verifyConsistency(m, n, oldRoot, treeRoot(n, perfect), consistencyProof(m, n, perfect))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('rejects sizes out of order, a changed root at the same size, and an empty proof between different sizes', () => {
    const perfect = perfectFromLeaves(LEAVES);
    const r5 = treeRoot(5, perfect);
    const r9 = treeRoot(9, perfect);
    expect(verifyConsistency(9, 5, r9, r5, consistencyProof(5, 9, perfect))).toBe(false);
    expect(verifyConsistency(5, 5, r5, r9, [])).toBe(false);
    expect(verifyConsistency(5, 9, r5, r9, [])).toBe(false);
    expect(verifyConsistency(0, 9, EMPTY_ROOT, r9, [r5])).toBe(false);
    expect(verifyConsistency(0, 9, EMPTY_ROOT, r9, [])).toBe(true);
  });
});

describe('hash tiles', () => {
  it('a tree of 70,000 has the tiles the tlog-tiles spec lists: 273 full + a 112-wide partial at level 0, 1 full + 17 at level 1, 1 at level 2', () => {
    const tiles = tilesForSize(70_000);
    const at = (l: number) => tiles.filter((t) => t.level === l);
    expect(at(0).filter((t) => t.width === 256)).toHaveLength(273);
    expect(at(0).filter((t) => t.width < 256).map((t) => t.width)).toEqual([112]);
    expect(at(1).map((t) => t.width)).toEqual([256, 17]);
    expect(at(2).map((t) => t.width)).toEqual([1]);
    // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
    expect(tilesForSize(256).map(tilePath)).toEqual(['tile/0/000', 'tile/1/000.p/1']);
  });

  it('appending one record at a time publishes, at every size 1..600, the tiles from which root and every proof compute', () => {
    const store = new TileMap();
    for (let size = 1; size <= 600; size++) {
      store.put(extendTiles(size - 1, [LEAVES[size - 1]], store.lookup));
      for (const c of tilesForSize(size)) expect(store.lookup(c)).toBeDefined();
      const perfect = perfectFromTiles(size, store.lookup);
      const root = naiveMth(LEAVES, 0, size);
      expect(treeRoot(size, perfect).equals(root)).toBe(true);
      for (const i of new Set([0, size - 1, Math.floor(size / 2), 255 % size, 256 % size])) {
        expect(verifyInclusion(i, size, LEAVES[i], inclusionProof(i, size, perfect), root)).toBe(true);
      }
    }
  });

  it('a batch extension publishes the same full tiles and final partials as one append at a time (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }), (steps) => {
        const store = new TileMap();
        let size = 0;
        for (const s of steps) {
          const add = LEAVES.slice(size, Math.min(600, size + s));
          if (add.length === 0) break;
          store.put(extendTiles(size, add, store.lookup));
          size += add.length;
        }
        const expected = new TileMap();
        expected.put(tilesFromLeaves(LEAVES.slice(0, size)));
        for (const [p, data] of expected.tiles) expect(store.tiles.get(p)?.equals(data)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('the tile sets a computation needs are exactly enough: root, inclusion and consistency read only those tiles', () => {
    const all = new TileMap();
    all.put(tilesFromLeaves(LEAVES.slice(0, 600)));
    const only = (coords: ReturnType<typeof tilesForRoot>) => {
      const m = new TileMap();
      for (const c of coords) m.tiles.set(tilePath(c), all.lookup(c)!);
      return m.lookup;
    };
    for (const size of [1, 255, 256, 257, 511, 512, 513, 600]) {
      const partial = new TileMap();
      partial.put(tilesFromLeaves(LEAVES.slice(0, size)));
      const root = naiveMth(LEAVES, 0, size);
      const sub = (coords: ReturnType<typeof tilesForRoot>) => {
        const m = new TileMap();
        for (const c of coords) m.tiles.set(tilePath(c), partial.lookup(c)!);
        return m.lookup;
      };
      expect(treeRoot(size, perfectFromTiles(size, sub(tilesForRoot(size)))).equals(root)).toBe(true);
      for (const i of [0, size - 1, Math.floor(size / 3)]) {
        const p = inclusionProof(i, size, perfectFromTiles(size, sub(tilesForInclusion(i, size))));
        expect(verifyInclusion(i, size, LEAVES[i], p, root)).toBe(true);
      }
      for (const m of [1, Math.floor(size / 2), size - 1].filter((m) => m > 0)) {
        const p = consistencyProof(m, size, perfectFromTiles(size, sub(tilesForConsistency(m, size))));
        expect(verifyConsistency(m, size, naiveMth(LEAVES, 0, m), root, p)).toBe(true);
      }
    }
    expect(() => treeRoot(600, perfectFromTiles(600, only([])))).toThrow(MissingTile);
  });

  it('across the tile and bundle boundaries 255, 256, 257 and 65,536: roots, proofs and per-append tiles agree with the leaves', () => {
    const N = 65_537;
    const leaves = leavesOf(N, 'big');
    const store = new TileMap();
    store.put(extendTiles(0, leaves.slice(0, 65_534), store.lookup));
    // One at a time over the 65,536 boundary, where a level-1 tile fills and level 2 begins.
    for (let size = 65_535; size <= N; size++) store.put(extendTiles(size - 1, [leaves[size - 1]], store.lookup));
    const perfect = perfectFromLeaves(leaves);
    for (const size of [255, 256, 257, 65_535, 65_536, 65_537]) {
      const root = treeRoot(size, perfect);
      const fromTiles = perfectFromTiles(size, store.lookup);
      if (size >= 65_535) expect(treeRoot(size, fromTiles).equals(root)).toBe(true);
      for (const i of [0, 254, 255, 256, 65_535, 65_536].filter((i) => i < size)) {
        expect(verifyInclusion(i, size, leaves[i], inclusionProof(i, size, perfect), root)).toBe(true);
        if (size >= 65_535) expect(verifyInclusion(i, size, leaves[i], inclusionProof(i, size, fromTiles), root)).toBe(true);
      }
      for (const m of [1, 255, 256, 257, 65_535, 65_536].filter((m) => m <= size)) {
        expect(verifyConsistency(m, size, treeRoot(m, perfect), root, consistencyProof(m, size, perfect))).toBe(true);
        if (size >= 65_535) expect(verifyConsistency(m, size, treeRoot(m, perfect), root, consistencyProof(m, size, fromTiles))).toBe(true);
      }
    }
    expect(partialTilesAt(65_536).map(tilePath)).toEqual(['tile/2/000.p/1']);
    expect(store.tiles.has('tile/1/000')).toBe(true);
    expect(store.tiles.get('tile/2/000.p/1')?.equals(naiveMth(leaves, 0, 65_536))).toBe(true);
  });
});

describe('per-append tile cost (the design\'s table)', () => {
  it('the partial level-0 tiles of one full tile hold 32 × (1 + … + 255) = 1,044,480 bytes: 4,080 bytes a record', () => {
    const store = new TileMap();
    for (let size = 1; size <= 256; size++) store.put(extendTiles(size - 1, [LEAVES[size - 1]], store.lookup));
    let partial = 0;
    for (const [p, d] of store.tiles) if (p.startsWith('tile/0/') && p.includes('.p/')) partial += d.length;
    expect(partial).toBe(1_044_480);
    expect(partial / 256).toBe(4_080);
  });
});

