/**
 * Verifying a tiled log from its bundles (docs/transparency-log.md, "Full
 * verify from bundles"): one read per 256 records instead of one per record.
 * The records of each bundle go through the same pure chain verifier as an
 * entry-by-entry verify (windows of 256 with one record of overlap on each
 * side, so `modified` and `broken-link` are told apart as before); their
 * leaf hashes rebuild every tile, which must equal the stored ones
 * (`tile-mismatch`); and the roots of the signed notes must be the roots of
 * those leaves. Memory: the leaf hashes (32 bytes a record) and one window.
 *
 * From a trusted note (`fromNote`), the newest note is proved consistent with
 * it from the tiles (O(log n) reads) and only the records after it are read.
 */
import { GateError } from '../../core/errors.js';
import { classifyLaterVersion, notARaceLoser, retentionProblem, verifyChain, type EntryObservation } from '../chain-verify.js';
import { sortFindings, type Finding } from '../findings.js';
import { eventIdentity, parseRecord } from '../record.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { entryKey, seqOfEntryKey, type AuditStore } from '../store.js';
import type { Vkey } from './ed25519-keys.js';
import { hashToBase64, leafHash } from './hash.js';
import { decodeBundle } from './bundle.js';
import { meetsQuorum } from './checkpoint-note.js';
import { TILE_WIDTH, tilePath } from './tile-path.js';
import { lookupPacked, packedLevels, perfectFromTiles, tilesForSize } from './tiles.js';
import { consistencyProof, treeRoot, verifyConsistency } from './tree.js';
import { checkNote, listNoteSizes, readNote, type CheckedNote } from './note-io.js';
import { consistencyFromStore } from './tree-io.js';
import { readTiles } from './tile-io.js';

export interface TreeVerifyOptions {
  /** The log's verifier key(s) for signed notes. */
  logKeys: readonly Vkey[];
  /** The log's expected name (checkpoint origin). */
  origin?: string;
  witnesses?: readonly Vkey[];
  /** Valid cosignatures needed on the newest note (default 0). */
  quorum?: number;
  /** A note kept outside the store: must be valid, and the log must extend it. */
  trustedNote?: Buffer;
  /** With `trustedNote`: prove consistency from it and read only the records after it. */
  fromNote?: boolean;
  /** Also read every entry and compare it with its bundle (finds an entry file edited after it was bundled). */
  entries?: boolean;
  /** Accept GOVERNANCE-mode retention (COMPLIANCE only by default). */
  allowGovernance?: boolean;
  /** Reads in flight (default 16). */
  concurrency?: number;
  policy?: RetryPolicy;
}

export interface TreeVerifyResult {
  ok: boolean;
  size: number;
  /** The newest valid note's size and root (base64), or null. */
  note: { size: number; root: string; cosigners: number } | null;
  /** Records read from bundles, and one by one. */
  read: { bundled: number; entries: number; tiles: number };
  from: number;
  findings: Finding[];
}

/**
 * With `inspect` (every real store), entries and bundles are read with their
 * S3 retention, which must keep them for the store's retention period
 * (`not-locked`).
 */
type Store = Pick<AuditStore, 'displayUrl' | 'read' | 'list' | 'create'> & Partial<Pick<AuditStore, 'inspect' | 'retentionDays' | 'keysWithLaterVersions'>>;

async function mapOrdered<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, each: (r: R, item: T) => void): Promise<void> {
  // Bounded read-ahead that hands results over in order, so memory stays flat.
  const inflight: Promise<R>[] = [];
  let next = 0;
  while (next < items.length && inflight.length < limit) inflight.push(fn(items[next++]));
  for (let i = 0; i < items.length; i++) {
    const r = await inflight.shift()!;
    if (next < items.length) inflight.push(fn(items[next++]));
    each(r, items[i]);
  }
}

/** Verifies a tiled log from its bundles, tiles and signed notes. */
export async function verifyTree(store: Store, options: TreeVerifyOptions): Promise<TreeVerifyResult> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const limit = options.concurrency ?? 16;
  const where = store.displayUrl;
  const findings: Finding[] = [];
  const read = { bundled: 0, entries: 0, tiles: 0 };

  const keys = await withRetry(policy, 'listing entries', where, () => store.list('entries'));
  const present = new Set<number>();
  let highest = -1;
  for (const k of keys) {
    const s = seqOfEntryKey(k);
    if (s === null) continue;
    present.add(s);
    // A loop, not Math.max(...present): a million arguments overflow the stack (found at 1,000,000 records).
    if (s > highest) highest = s;
  }
  const size = highest + 1;

  // Notes: the newest valid one (newer bad ones are findings), and the trusted one.
  const noteOpts = { witnesses: options.witnesses, origin: options.origin };
  const sizes = await listNoteSizes(store, policy);
  let newest: (CheckedNote & { status: 'valid' }) | undefined;
  for (let i = sizes.length - 1; i >= 0 && !newest; i--) {
    const n = await readNote(store, sizes[i], policy);
    if (!n) continue;
    const c = checkNote(n, options.logKeys, noteOpts);
    if (c.status === 'valid') newest = c;
    else findings.push({ kind: 'bad-checkpoint', seq: Math.max(0, c.size - 1), message: `signed-note checkpoint at size ${c.size}: ${c.reason}` });
  }
  const quorum = options.quorum ?? 0;
  if (newest && quorum > 0) {
    const q = meetsQuorum(newest.checkpoint, options.witnesses ?? [], quorum);
    if (!q.ok) findings.push({ kind: 'bad-checkpoint', seq: newest.size - 1, message: `the newest checkpoint (size ${newest.size}) has ${q.count} valid witness cosignature(s); the quorum is ${quorum}` });
  }
  let trusted: (CheckedNote & { status: 'valid' }) | undefined;
  if (options.trustedNote) {
    const parsedSize = /\n(\d+)\n/.exec(options.trustedNote.toString('utf8'))?.[1];
    const c = checkNote({ size: Number(parsedSize ?? -1), bytes: options.trustedNote }, options.logKeys, { origin: options.origin });
    if (c.status !== 'valid') throw new GateError('E_INPUT', `the trusted checkpoint does not verify: ${c.reason}`, { hint: 'pass a signed-note checkpoint of this log, signed by the given key' });
    trusted = c;
  }
  if (!newest && !trusted) {
    findings.push({ kind: 'bad-checkpoint', seq: Math.max(0, size - 1), message: 'no signed-note checkpoint verifies with the given key: nothing anchors the tree' });
  }

  // A trusted note must be extended by the newest one (a rollback or fork fails here whatever the sizes say).
  if (trusted && newest && newest.size >= trusted.size) {
    try {
      const c = await consistencyFromStore(store, trusted.size, newest.size, policy);
      if (!c.root.equals(newest.checkpoint.head.root) || !verifyConsistency(trusted.size, newest.size, trusted.checkpoint.head.root, newest.checkpoint.head.root, c.proof)) {
        findings.push({ kind: 'modified', seq: trusted.size - 1, message: `the log at size ${newest.size} does not extend the trusted checkpoint at size ${trusted.size}: records below ${trusted.size} were changed, or the log was rolled back and refilled` });
      }
    } catch (e) {
      findings.push({ kind: 'tile-mismatch', seq: trusted.size - 1, message: `no consistency proof from size ${trusted.size} to ${newest.size}: ${(e as Error).message}` });
    }
  } else if (trusted && (!newest || newest.size < trusted.size)) {
    findings.push({ kind: 'truncated', seq: Math.max(0, size - 1), message: `the trusted checkpoint has ${trusted.size} records; the newest signed note in the store has ${newest?.size ?? 0}` });
  }
  if (trusted && size < trusted.size) {
    findings.push({ kind: 'truncated', seq: size, message: `the log has ${size} records; the trusted checkpoint says ${trusted.size}` });
  }

  // From a trusted note: the consistency proof vouches for everything below it; read what follows.
  const from = options.fromNote && trusted ? trusted.size : 0;
  // Leaf hashes packed, 32 bytes a record; `have` marks the ones read.
  const leaves = Buffer.alloc((size - from) * 32);
  const have = new Uint8Array(size - from);
  let logName: string | undefined = options.origin ?? trusted?.checkpoint.head.origin ?? newest?.checkpoint.head.origin;

  // Windows of records, each checked with one record of overlap on both sides.
  let previous: EntryObservation | undefined;
  let pending: EntryObservation[] = [];
  const check = (window: EntryObservation[], nextFirst: EntryObservation | undefined): void => {
    if (window.length === 0) return;
    const lo = window[0].seq;
    const hi = window[window.length - 1].seq;
    const entries = [...(previous ? [previous] : []), ...window, ...(nextFirst ? [nextFirst] : [])];
    const report = verifyChain({ entries, checkpoints: [], expectLog: logName, retentionDays: store.retentionDays, allowGovernance: options.allowGovernance });
    for (const f of report.findings) if (f.seq >= lo && f.seq <= hi && f.kind !== 'missing') findings.push(f);
    if (!logName && lo === 0) logName = report.log ?? undefined;
    previous = window[window.length - 1];
  };
  const feed = (obs: EntryObservation[]): void => {
    resolveAwaiting(obs);
    for (const o of obs) {
      if (!o.bytes) continue;
      leafHash(o.bytes).copy(leaves, (o.seq - from) * 32);
      have[o.seq - from] = 1;
    }
    check(pending, obs[0]);
    pending = obs;
  };

  const inspect = store.inspect?.bind(store);
  // S3: later versions and delete markers of entry keys, found from one
  // listing of every version (not by inspecting each key), then classified
  // as `audit verify` does; a race loser's version is cleared when its event
  // reappears at a later seq (checked as the records stream past in `feed`).
  const awaiting = new Map<string, { seq: number; versionId: string }[]>();
  if (inspect && store.keysWithLaterVersions) {
    const versioned = await withRetry(policy, 'listing the versions of entries', where, () => store.keysWithLaterVersions!('entries'));
    for (const k of versioned) {
      const seq = seqOfEntryKey(k);
      if (seq === null || seq < from) continue;
      const got = await withRetry(policy, `reading ${k}`, where, () => inspect(k));
      for (const v of got.laterVersions) {
        const c = classifyLaterVersion(seq, v);
        if ('message' in c) findings.push({ kind: 'extra-version', seq, message: c.message });
        else awaiting.set(c.awaits, [...(awaiting.get(c.awaits) ?? []), { seq, versionId: v.versionId }]);
      }
    }
  }
  const resolveAwaiting = (obs: readonly EntryObservation[]): void => {
    for (const o of obs) {
      if (!o.bytes || awaiting.size === 0) continue;
      const parsed = parseRecord(o.bytes);
      if (!parsed.ok) continue;
      const id = eventIdentity(parsed.record);
      const list = awaiting.get(id)?.filter((w) => w.seq >= o.seq);
      if (list === undefined) continue;
      if (list.length) awaiting.set(id, list);
      else awaiting.delete(id);
    }
  };
  const readEntry = async (seq: number): Promise<EntryObservation> => {
    read.entries += 1;
    if (!present.has(seq)) return { seq, bytes: null };
    const key = entryKey(seq);
    if (!inspect) return { seq, bytes: await withRetry(policy, `reading ${key}`, where, () => store.read(key)) };
    const got = await withRetry(policy, `reading ${key}`, where, () => inspect(key));
    // Later versions are taken from the version listing above, for bundled records too.
    const e: EntryObservation = { seq, bytes: got.bytes, retention: got.retention };
    if (got.problem !== undefined) e.problem = got.problem;
    return e;
  };
  /** A bundle's owning bytes; on S3 its retention must keep it as long as the records it holds. */
  const readBundle = async (key: string, start: number): Promise<Uint8Array | null> => {
    if (!inspect) return withRetry(policy, `reading ${key}`, where, () => store.read(key));
    const got = await withRetry(policy, `reading ${key}`, where, () => inspect(key));
    if (got.bytes && got.retention && store.retentionDays !== undefined) {
      const problem = retentionProblem(got.retention, store.retentionDays, options.allowGovernance === true);
      if (problem) findings.push({ kind: 'not-locked', seq: start, message: `${key} ${problem}` });
    }
    return got.bytes;
  };
  if (from > 0) {
    // The record before the first one read, so the first one's prev is checked.
    const r = await readEntry(from - 1);
    previous = r;
  }
  const firstBundle = Math.ceil(from / TILE_WIDTH);
  const fullBundles = Math.floor(size / TILE_WIDTH);
  // Records between `from` and the first bundle boundary are read one by one.
  const headEnd = Math.min(size, firstBundle * TILE_WIDTH);
  const head: number[] = [];
  for (let s = from; s < headEnd; s++) head.push(s);
  if (head.length) {
    const obs: EntryObservation[] = [];
    await mapOrdered(head, limit, readEntry, (r) => obs.push(r));
    feed(obs);
  }
  const bundles = Array.from({ length: Math.max(0, fullBundles - firstBundle) }, (_, i) => firstBundle + i);
  await mapOrdered(
    bundles,
    limit,
    async (n): Promise<EntryObservation[]> => {
      const key = tilePath({ level: 'entries', n, width: TILE_WIDTH });
      const start = n * TILE_WIDTH;
      const bytes = await readBundle(key, start);
      const decoded = bytes ? decodeBundle(bytes, TILE_WIDTH) : null;
      if (!decoded || !decoded.ok) {
        findings.push({ kind: 'tile-mismatch', seq: start, message: `${key} ${decoded ? `is not a bundle of 256 records: ${decoded.reason}` : 'is missing'}; its records were read one by one` });
        const obs: EntryObservation[] = [];
        for (let s = start; s < start + TILE_WIDTH; s++) obs.push(await readEntry(s));
        return obs;
      }
      read.bundled += TILE_WIDTH;
      const obs = decoded.records.map((b, i) => ({ seq: start + i, bytes: b as Uint8Array | null }));
      for (const o of obs) {
        if (!present.has(o.seq)) findings.push({ kind: 'missing', seq: o.seq, message: `${entryKey(o.seq)} is gone; ${key} still holds the record` });
      }
      if (options.entries) {
        for (const o of obs) {
          if (!present.has(o.seq)) continue;
          const e = await readEntry(o.seq);
          if (e.bytes && !Buffer.from(e.bytes).equals(o.bytes as Uint8Array)) {
            findings.push({ kind: 'tile-mismatch', seq: o.seq, message: `${entryKey(o.seq)} differs from its copy in ${key}: the entry was changed after it was bundled` });
          }
        }
      }
      return obs;
    },
    (obs) => feed(obs),
  );
  const tail: number[] = [];
  for (let s = Math.max(headEnd, fullBundles * TILE_WIDTH); s < size; s++) tail.push(s);
  const tailObs: EntryObservation[] = [];
  await mapOrdered(tail, limit, readEntry, (r) => tailObs.push(r));
  for (const o of tailObs) if (!o.bytes) findings.push({ kind: 'missing', seq: o.seq, message: `record ${o.seq} has no entry` });
  if (tailObs.length) feed(tailObs);
  check(pending, undefined);
  for (const [, list] of awaiting) for (const w of list) findings.push({ kind: 'extra-version', seq: w.seq, message: notARaceLoser(w.seq, w.versionId) });

  // Tiles and roots, from the leaves.
  const known = have.every((x) => x === 1);
  if (!known) {
    findings.push({ kind: 'tile-mismatch', seq: size - 1, message: 'some records are missing, so the tiles and signed roots cannot be recomputed' });
  } else if (from === 0 && size > 0) {
    const levels = packedLevels(leaves, size);
    const lookup = lookupPacked(levels);
    const coords = tilesForSize(size);
    read.tiles += coords.length;
    const stored = await readTiles(store, coords, policy);
    for (const c of coords) {
      const key = tilePath(c);
      const want = lookup(c) as Buffer;
      const s = stored.get(key);
      if (!s) findings.push({ kind: 'tile-mismatch', seq: c.n * TILE_WIDTH * TILE_WIDTH ** c.level, message: `${key} is missing (\`model-gate audit tiles\` publishes it)` });
      else if (!s.equals(want)) findings.push({ kind: 'tile-mismatch', seq: firstDiffering(s, want, c.n, c.level), message: `${key} differs from the tile the records give` });
    }
    for (const n of [newest, trusted]) {
      if (!n || n.size > size) continue;
      if (!treeRoot(n.size, perfectFromTiles(n.size, lookup)).equals(n.checkpoint.head.root)) {
        findings.push({ kind: 'modified', seq: n.size - 1, message: `records 0..${n.size - 1} are not the ones the signed checkpoint at size ${n.size} covers (its root is ${hashToBase64(n.checkpoint.head.root)}): the log was changed after it was signed` });
      }
    }
    if (trusted && newest && newest.size >= trusted.size && newest.size <= size) {
      const proof = consistencyProof(trusted.size, newest.size, perfectFromTiles(newest.size, lookup));
      if (!verifyConsistency(trusted.size, newest.size, trusted.checkpoint.head.root, newest.checkpoint.head.root, proof)) {
        findings.push({ kind: 'modified', seq: trusted.size - 1, message: `the checkpoints at sizes ${trusted.size} and ${newest.size} are not consistent` });
      }
    }
  } else if (from > 0 && newest && newest.size <= size) {
    // The new leaves must be where the tiles (proved consistent above) have them.
    const coords = [];
    for (let n = Math.floor(from / TILE_WIDTH); n * TILE_WIDTH < newest.size; n++) coords.push({ level: 0, n, width: Math.min(TILE_WIDTH, newest.size - n * TILE_WIDTH) });
    const tiles = await readTiles(store, coords, policy);
    read.tiles += coords.length;
    try {
      const p = perfectFromTiles(newest.size, (c) => tiles.get(tilePath(c)));
      for (let s = from; s < newest.size; s++) {
        if (!p(0, s).equals(leaves.subarray((s - from) * 32, (s - from + 1) * 32))) findings.push({ kind: 'tile-mismatch', seq: s, message: `record ${s} is not the leaf the tiles hold` });
      }
    } catch (e) {
      findings.push({ kind: 'tile-mismatch', seq: from, message: (e as Error).message });
    }
  }
  const ok = findings.length === 0;
  return {
    ok,
    size,
    note: newest ? { size: newest.size, root: hashToBase64(newest.checkpoint.head.root), cosigners: newest.checkpoint.cosignatures.length } : null,
    read,
    from,
    findings: sortFindings(findings),
  };
}

function firstDiffering(a: Buffer, b: Buffer, n: number, level: number): number {
  for (let i = 0; i * 32 < Math.min(a.length, b.length); i++) {
    if (!a.subarray(i * 32, i * 32 + 32).equals(b.subarray(i * 32, i * 32 + 32))) return (n * TILE_WIDTH + i) * TILE_WIDTH ** level;
  }
  return n * TILE_WIDTH * TILE_WIDTH ** level;
}

/** The log name a tree verify should pin: record 0's. */
export async function logNameOf(store: Store): Promise<string | null> {
  const b = await store.read(entryKey(0));
  if (!b) return null;
  const p = parseRecord(b);
  return p.ok ? p.record.log : null;
}
