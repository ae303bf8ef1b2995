/**
 * Reading and publishing tiles and bundles in an audit store. Everything
 * here derives from the entries: a tile or bundle has exactly one correct
 * content, so publishing is create-only and idempotent (same bytes already
 * there: success), and a key that holds other bytes is reported as a
 * mismatch, never overwritten (docs/transparency-log.md).
 */
import { GateError } from '../../core/errors.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { entryKey, type AuditStore } from '../store.js';
import { HASH_SIZE, leafHash, type Hash } from './hash.js';
import { encodeBundle } from './bundle.js';
import { TILE_WIDTH, tilePath, type TileCoord } from './tile-path.js';
import { extendTiles, hashOfTileSlice, partialTilesAt, tilesForSize, type Tile } from './tiles.js';

/** What tile publishing needs from a store: create-only writes and reads by key. */
export type TlogStore = Pick<AuditStore, 'displayUrl' | 'create' | 'read'>;

type HashTile = TileCoord & { level: number };

/** Tiles read at once. */
const CONCURRENCY = 16;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Reads tiles (or bundles) by coordinate; absent ones are left out of the map (keyed by path). */
export async function readTiles(store: TlogStore, coords: readonly TileCoord[], policy: RetryPolicy = DEFAULT_RETRY): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await mapLimit(coords, CONCURRENCY, async (c) => {
    const p = tilePath(c);
    const bytes = await withRetry(policy, `reading ${p}`, store.displayUrl, () => store.read(p));
    if (bytes) out.set(p, Buffer.from(bytes));
  });
  return out;
}

/** A tile key that already held other bytes than the entries give. */
export interface TileConflict {
  key: string;
  message: string;
}

export interface PublishResult {
  /** The tree size the tiles now cover. */
  size: number;
  /** Tiles and bundles this call created (others were already there with the same bytes). */
  created: number;
  conflicts: TileConflict[];
}

/**
 * Creates one derived object; returns a conflict when the key holds other
 * bytes (the caller decides whether that stops it).
 */
async function createDerived(store: TlogStore, key: string, bytes: Buffer, policy: RetryPolicy): Promise<{ created: boolean; conflict?: TileConflict }> {
  const r = await withRetry(policy, `writing ${key}`, store.displayUrl, () => store.create(key, bytes));
  if (r.created) return { created: true };
  if (Buffer.from(r.existing).equals(bytes)) return { created: false };
  return {
    created: false,
    conflict: { key, message: `${key} holds ${r.existing.byteLength} bytes that differ from what the entries give (${bytes.length} bytes); it cannot be replaced (create-only)` },
  };
}

/**
 * Thrown when catching up would read more entries than allowed: the log was
 * written (at least partly) before tiles existed and needs a backfill.
 */
export class NotTiled extends Error {
  constructor(readonly size: number) {
    super(`the log has no tiles below size ${size}: publish them once with \`model-gate audit tiles\``);
    this.name = 'NotTiled';
  }
}

interface Budget {
  /** Entry reads left for catching up (Infinity: no limit). */
  left: number;
  size: number;
}

/** Leaf hashes of records [from, to), read from `entries/` (or taken from `known`). */
async function leavesFromEntries(store: TlogStore, from: number, to: number, known: ReadonlyMap<number, Uint8Array>, policy: RetryPolicy, budget?: Budget): Promise<{ leaves: Hash[]; records: Uint8Array[] }> {
  const seqs = Array.from({ length: to - from }, (_, i) => from + i);
  if (budget) {
    budget.left -= seqs.filter((s) => !known.has(s)).length;
    if (budget.left < 0) throw new NotTiled(budget.size);
  }
  const records = await mapLimit(seqs, CONCURRENCY, async (seq) => {
    const k = known.get(seq);
    if (k) return k;
    const key = entryKey(seq);
    const bytes = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.read(key));
    if (!bytes) {
      throw new GateError('E_CHAIN_BROKEN', `record ${seq} is missing, so the tree over it cannot be built`, {
        where: store.displayUrl,
        hint: 'run `model-gate audit verify` on this store',
      });
    }
    return bytes;
  });
  return { leaves: records.map((r) => leafHash(r)), records };
}

/**
 * A partial tile of the same level and index as `coord` but narrower, that
 * is stored with the right length (width × 32 bytes), or null when none is
 * found. Any such tile is a correct base (tiles are create-only and derived);
 * the wider, the fewer hashes left to compute. Probed in three parallel
 * batches, stopping at the first that finds one: widths w−1 and w−2 (a racing
 * predecessor still publishing), then w−3 … w−8, then every 16th width below
 * (w−16, w−32, …): at most 2 + 6 + 15 reads, so a log written before tiles
 * existed costs a few probes before it is found untiled, not 255. A stored
 * tile of another length is passed over, never built on. One of the right
 * length is trusted as the append's own previous partial tile always is:
 * `verify` checks every stored tile against the entries, and a wrong one
 * makes the writers after it meet a conflict, never a silent fork.
 */
async function storedNarrowerTile(store: TlogStore, coord: HashTile, policy: RetryPolicy): Promise<Buffer | null> {
  const w = coord.width;
  const sparse: number[] = [];
  for (let x = w - 16; x >= 1; x -= 16) sparse.push(x);
  const batches = [[w - 1, w - 2], [w - 3, w - 4, w - 5, w - 6, w - 7, w - 8], sparse].map((b) => b.filter((x) => x >= 1));
  for (const widths of batches) {
    if (widths.length === 0) continue;
    const found = await readTiles(store, widths.map((width) => ({ level: coord.level, n: coord.n, width })), policy);
    for (const width of widths) {
      const bytes = found.get(tilePath({ level: coord.level, n: coord.n, width }));
      if (bytes && bytes.length === width * HASH_SIZE) return bytes;
    }
  }
  return null;
}

/**
 * Makes sure a hash tile exists, computing and creating it (and, first, any
 * tile it is made from) from the entries when it is missing. Returns its
 * bytes. Used to catch up after a writer died between its entry and its
 * tiles, and to backfill a log written before tiles existed.
 */
async function ensureTile(
  store: TlogStore,
  coord: HashTile,
  ctx: { known: ReadonlyMap<number, Uint8Array>; policy: RetryPolicy; result: PublishResult; cache: Map<string, Buffer>; budget?: Budget; noProbe?: boolean },
): Promise<Buffer> {
  const path = tilePath(coord);
  const cached = ctx.cache.get(path);
  if (cached) return cached;
  const stored = await withRetry(ctx.policy, `reading ${path}`, store.displayUrl, () => store.read(path));
  if (stored) {
    const b = Buffer.from(stored);
    ctx.cache.set(path, b);
    return b;
  }
  // Build on a narrower partial tile that is there (normally the one a
  // racing predecessor published a moment ago), so only the hashes after it
  // are computed: rebuilding the whole tile made racing writers read up to
  // 255 entries each, over and over (docs/transparency-log.md).
  // A full tile too: its writer may have died after 000.p/255 was published.
  // Not in a backfill, where no narrower tile exists and probing is 255 reads for nothing.
  const prefix = ctx.noProbe ? null : await storedNarrowerTile(store, coord, ctx.policy);
  const have = prefix ? prefix.length / HASH_SIZE : 0;
  let data: Buffer;
  if (coord.level === 0) {
    const from = coord.n * TILE_WIDTH;
    const rest = (await leavesFromEntries(store, from + have, from + coord.width, ctx.known, ctx.policy, ctx.budget)).leaves;
    data = Buffer.concat([...(prefix ? [prefix] : []), ...rest]);
  } else {
    const children: HashTile[] = Array.from({ length: coord.width - have }, (_, j) => ({ level: coord.level - 1, n: coord.n * TILE_WIDTH + have + j, width: TILE_WIDTH }));
    const parts: Buffer[] = prefix ? [prefix] : [];
    for (const c of children) parts.push(hashOfTileSlice(await ensureTile(store, c, ctx), 0, TILE_WIDTH));
    data = Buffer.concat(parts);
  }
  const w = await createDerived(store, path, data, ctx.policy);
  if (w.created) ctx.result.created += 1;
  if (w.conflict) ctx.result.conflicts.push(w.conflict);
  ctx.cache.set(path, data);
  return data;
}

/**
 * Publishes the tiles (and full bundles) for records appended at
 * `oldSize ..` (their owning bytes, in order): reads the partial tiles of the
 * old size (one read per level, normally one in all), rebuilding any that is
 * missing from the entries, then creates the new tiles and every bundle that
 * became full. A key holding other bytes is a conflict in the result; the
 * tiles that could be written still are. Catching up reads at most
 * `maxCatchUp` entries (default: one tile's worth, what a writer that died
 * before publishing leaves); a log without tiles further back throws
 * {@link NotTiled} instead of reading the whole log inside an append.
 */
export async function publishTiles(
  store: TlogStore,
  oldSize: number,
  records: readonly Uint8Array[],
  policy: RetryPolicy = DEFAULT_RETRY,
  maxCatchUp = TILE_WIDTH,
): Promise<PublishResult> {
  const newSize = oldSize + records.length;
  const result: PublishResult = { size: newSize, created: 0, conflicts: [] };
  if (records.length === 0) return result;
  const known = new Map<number, Uint8Array>(records.map((r, i) => [oldSize + i, r]));
  const cache = new Map<string, Buffer>();
  const ctx = { known, policy, result, cache, budget: { left: maxCatchUp, size: oldSize } };
  for (const c of partialTilesAt(oldSize)) await ensureTile(store, c, ctx);
  const tiles: Tile[] = extendTiles(oldSize, records.map((r) => leafHash(r)), (c) => cache.get(tilePath(c)));
  for (const t of tiles) {
    const w = await createDerived(store, tilePath(t.coord), t.data, policy);
    if (w.created) result.created += 1;
    if (w.conflict) result.conflicts.push(w.conflict);
  }
  const firstFull = Math.ceil((oldSize + 1) / TILE_WIDTH) - 1;
  for (let n = Math.max(0, firstFull); (n + 1) * TILE_WIDTH <= newSize; n++) {
    if ((n + 1) * TILE_WIDTH <= oldSize) continue;
    const from = n * TILE_WIDTH;
    const { records: bundled } = await leavesFromEntries(store, from, from + TILE_WIDTH, known, policy);
    const w = await createDerived(store, tilePath({ level: 'entries', n, width: TILE_WIDTH }), encodeBundle(bundled), policy);
    if (w.created) result.created += 1;
    if (w.conflict) result.conflicts.push(w.conflict);
  }
  return result;
}

/**
 * Makes sure the partial tiles of `size` exist (rebuilding missing ones from
 * the entries), so that the root and proofs at `size` can be computed.
 */
export async function ensureTilesAt(store: TlogStore, size: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<PublishResult> {
  const result: PublishResult = { size, created: 0, conflicts: [] };
  const ctx = { known: new Map<number, Uint8Array>(), policy, result, cache: new Map<string, Buffer>() };
  for (const c of partialTilesAt(size)) await ensureTile(store, c, ctx);
  return result;
}

/** Records [from, to) read from `entries/`, with their leaf hashes. */
export async function readRecords(store: TlogStore, from: number, to: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<{ leaves: Hash[]; records: Uint8Array[] }> {
  return leavesFromEntries(store, from, to, new Map(), policy);
}

/**
 * Backfills the tiles and bundles of a log written before tiles existed, up
 * to `size`: every full tile and bundle, and the partial tiles of `size`.
 * One pass over the entries; already published objects are read, not redone.
 */
export async function backfillTiles(store: TlogStore, size: number, policy: RetryPolicy = DEFAULT_RETRY): Promise<PublishResult> {
  const result: PublishResult = { size, created: 0, conflicts: [] };
  const ctx = { known: new Map<number, Uint8Array>(), policy, result, cache: new Map<string, Buffer>(), noProbe: true };
  const all = tilesForSize(size);
  for (let t = 0; all.some((c) => c.level === t); t++) {
    // Level t is built from level t - 1 (cached); what is below that is no longer needed.
    for (const c of all.filter((x) => x.level === t)) await ensureTile(store, c, ctx);
    for (const k of [...ctx.cache.keys()]) if (k.startsWith(`tile/${t - 1}/`)) ctx.cache.delete(k);
  }
  for (let n = 0; (n + 1) * TILE_WIDTH <= size; n++) {
    const from = n * TILE_WIDTH;
    const key = tilePath({ level: 'entries', n, width: TILE_WIDTH });
    const had = await withRetry(policy, `reading ${key}`, store.displayUrl, () => store.read(key));
    if (had) continue;
    const { records } = await leavesFromEntries(store, from, from + TILE_WIDTH, ctx.known, policy);
    const w = await createDerived(store, key, encodeBundle(records), policy);
    if (w.created) result.created += 1;
    if (w.conflict) result.conflicts.push(w.conflict);
  }
  return result;
}

