/**
 * Builds a transparency-log directory in the store layout straight from the
 * pure functions (records, per-append tiles, full bundles, signed notes), for
 * tests that check the artefacts themselves, e.g. with the Go checker.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ZERO_DIGEST, type Digest } from '../../../src/core/digest.js';
import { RECORD_VERSION, encodeRecord, recordDigest } from '../../../src/audit/record.js';
import { entryKey } from '../../../src/audit/store.js';
import { leafHash, type Hash } from '../../../src/audit/tlog/hash.js';
import { extendTiles, perfectFromTiles } from '../../../src/audit/tlog/tiles.js';
import { encodeBundle } from '../../../src/audit/tlog/bundle.js';
import { tilePath, TILE_WIDTH } from '../../../src/audit/tlog/tile-path.js';
import { signCheckpoint } from '../../../src/audit/tlog/checkpoint-note.js';
import { treeRoot } from '../../../src/audit/tlog/tree.js';
import type { NoteKey } from '../../../src/audit/tlog/ed25519-keys.js';
import { TileMap } from './tree-fixtures.js';

export interface BuiltLog {
  dir: string;
  records: Buffer[];
  leaves: Hash[];
  tiles: TileMap;
  notes: Map<number, Buffer>;
}

const write = (path: string, bytes: Uint8Array): void => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes, { mode: 0o444 });
};

export function recordBytes(log: string, seq: number, prev: Digest, tag = 'release', subject: Digest[] = []): Buffer {
  return encodeRecord({
    v: RECORD_VERSION, log, seq, prev, time: new Date(1_767_225_600_000 + seq * 1000).toISOString(),
    event_type: 'MODEL_RELEASE', component: 'test', actor: 'alice', action: `${tag} ${seq}`,
    subject, details: { n: seq }, compliance_tags: [],
  });
}

/** Writes `size` records appended one at a time, with a signed note at each size in `checkpointSizes`. */
/** `forgedFrom`: records from that seq on carry other content (a log rolled back there and refilled). */
/** `subjects`: the subject of the records at those seqs (default none). */
export function buildLog(
  dir: string,
  log: string,
  size: number,
  key: NoteKey,
  checkpointSizes: readonly number[],
  forgedFrom = Infinity,
  subjects: ReadonlyMap<number, Digest[]> = new Map(),
): BuiltLog {
  const records: Buffer[] = [];
  const leaves: Hash[] = [];
  const tiles = new TileMap();
  const notes = new Map<number, Buffer>();
  let prev: Digest = ZERO_DIGEST;
  for (let seq = 0; seq < size; seq++) {
    const bytes = recordBytes(log, seq, prev, seq >= forgedFrom ? 'forged' : 'release', subjects.get(seq));
    prev = recordDigest(bytes);
    write(join(dir, entryKey(seq)), bytes);
    records.push(bytes);
    leaves.push(leafHash(bytes));
    const fresh = extendTiles(seq, [leaves[seq]], tiles.lookup);
    tiles.put(fresh);
    for (const t of fresh) write(join(dir, tilePath(t.coord)), t.data);
    const s = seq + 1;
    if (s % TILE_WIDTH === 0) {
      const n = s / TILE_WIDTH - 1;
      write(join(dir, tilePath({ level: 'entries', n, width: TILE_WIDTH })), encodeBundle(records.slice(n * TILE_WIDTH, s)));
    }
    if (checkpointSizes.includes(s)) {
      const note = signCheckpoint({ origin: log, size: s, root: treeRoot(s, perfectFromTiles(s, tiles.lookup)) }, key);
      notes.set(s, note);
      write(join(dir, 'checkpoints', `${String(s).padStart(20, '0')}.note`), note);
    }
  }
  return { dir, records, leaves, tiles, notes };
}
