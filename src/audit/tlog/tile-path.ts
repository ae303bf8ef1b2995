/**
 * C2SP tlog-tiles coordinates and paths: hash tiles `tile/<L>/<N>[.p/<W>]`
 * and entry bundles `tile/entries/<N>[.p/<W>]`, with `<N>` split into
 * zero-padded 3-digit elements, all but the last prefixed `x`
 * (1234067 → `x001/x234/067`). Go's checksum database puts the tile height
 * in the path (`tile/8/<L>/<N>`); the hashes are the same.
 */

/** Hashes in a full tile, and records in a full bundle. */
export const TILE_WIDTH = 256;
/** Tile height: a tile spans 8 levels of the tree. */
export const TILE_HEIGHT = 8;

/** A hash tile (level ≥ 0) or an entry bundle (`level: 'entries'`). */
export interface TileCoord {
  level: number | 'entries';
  /** The tile's index within its level. */
  n: number;
  /** 1..256; 256 is a full tile (no `.p/` suffix). */
  width: number;
}

/** `x001/x234/067` for 1234067. */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a tile index: ${n}`);
  let s = String(n % 1000).padStart(3, '0');
  let rest = Math.floor(n / 1000);
  while (rest > 0) {
    s = `x${String(rest % 1000).padStart(3, '0')}/${s}`;
    rest = Math.floor(rest / 1000);
  }
  return s;
}

/** The store key of a tile or bundle, relative to the log's prefix. */
export function tilePath(t: TileCoord): string {
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) throw new RangeError(`not a tile width: ${t.width}`);
  if (t.level !== 'entries' && (!Number.isInteger(t.level) || t.level < 0 || t.level > 63)) {
    throw new RangeError(`not a tile level: ${t.level}`);
  }
  const partial = t.width < TILE_WIDTH ? `.p/${t.width}` : '';
  return `tile/${t.level}/${encodeTileIndex(t.n)}${partial}`;
}

const PATH_RE = /^tile\/(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/([1-9]\d{0,2}))?$/;

/** Parses a tile or bundle key; null for anything that is not one exactly as {@link tilePath} writes it. */
export function parseTilePath(path: string): TileCoord | null {
  const m = PATH_RE.exec(path);
  if (!m) return null;
  const level = m[1] === 'entries' ? 'entries' : Number(m[1]);
  if (level !== 'entries' && level > 63) return null;
  const parts = [...m[2].split('/').filter(Boolean).map((p) => p.slice(1)), m[3]];
  // No leading zero groups: 001/... would be a second name for the same tile.
  if (parts.length > 1 && parts[0] === '000') return null;
  let n = 0;
  for (const p of parts) n = n * 1000 + Number(p);
  if (!Number.isSafeInteger(n)) return null;
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (width < 1 || width >= TILE_WIDTH + (m[4] === undefined ? 1 : 0)) return null;
  return { level, n, width };
}
