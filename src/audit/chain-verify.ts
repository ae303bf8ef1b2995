/**
 * Chain verification as a pure function: what was read from one store goes
 * in, findings come out. No I/O, no clock, no crypto beyond SHA-256 of the
 * bytes given (checkpoint signatures are checked before, see checkpoint.ts),
 * so the same function serves the CLI, the Action, the App and property tests.
 *
 * How an altered record is told apart from a broken link. When record s's
 * `prev` disagrees with the digest of record s-1, one of the two was altered
 * and the chain alone cannot always say which:
 * - if record s is itself vouched for (record s+1's `prev` equals its digest,
 *   or a valid checkpoint at size s+1 has it as head), its `prev` is the
 *   original, so record s-1 is reported `modified`;
 * - if evidence shows record s itself was altered, the mismatch is explained
 *   by that alteration and not reported again;
 * - otherwise (typically s is the last record and no checkpoint covers it)
 *   it is reported as `broken-link` at s.
 * A valid checkpoint whose head differs from record size-1's digest reports
 * that record `modified` directly. The last record of a log can only be
 * vouched for by a checkpoint: without one, an edit that keeps it a valid
 * canonical record is undetectable, which is why checkpoints exist.
 *
 * The verifier streams: {@link ChainVerifier} takes entries in ascending seq
 * order and keeps only a window of three records' digests and links, so its
 * memory does not grow with the log (what a reader holds is its read-ahead).
 * Every decision about record s needs only records s-1..s+2 and the anchors
 * at s and s+1, and is taken once record s+2 (or the end) has been seen.
 */
import { ZERO_DIGEST, type Digest } from '../core/digest.js';
import type { CheckedCheckpoint, ExternalAnchor } from './checkpoint.js';
import { sortFindings, type Finding, type FindingKind, type Superseded } from './findings.js';
import { eventIdentity, parseRecord, recordDigest, type AuditRecord } from './record.js';
import type { LaterVersion, Retention } from './store.js';

/** The finding for a later version of entry `seq` whose record never reappears further on. */
export function notARaceLoser(seq: number, versionId: string): string {
  return `entry ${seq} has a later version ${versionId} that is not a race loser's record`;
}

/**
 * What a later version of entry `seq` is (S3): a delete marker or a record
 * of another seq is a finding (its message); a record of the same seq may be
 * a race loser's, whose event then reappears at a later seq (`awaits`: its
 * identity). Shared by the entry-by-entry and the bundle verifier.
 */
export function classifyLaterVersion(seq: number, v: LaterVersion): { message: string } | { awaits: string } {
  if (v.deleteMarker) return { message: `entry ${seq} has a delete marker (version ${v.versionId})` };
  const parsed = v.bytes ? parseRecord(v.bytes) : undefined;
  if (parsed?.ok && parsed.record.seq === seq) return { awaits: eventIdentity(parsed.record) };
  return { message: notARaceLoser(seq, v.versionId) };
}

/** What was read for one entry key. */
export interface EntryObservation {
  /** The seq in the key (`entries/<seq>.json`). */
  seq: number;
  /** The owning bytes (S3: oldest version), or null when the key holds no data version. */
  bytes: Uint8Array | null;
  /**
   * Why the key holds something that cannot be read as a record at all
   * (file store: a FIFO, a directory, a file larger than any record); then
   * `bytes` is null and the entry is reported `unparseable`, not `missing`.
   */
  problem?: string;
  laterVersions?: LaterVersion[];
  retention?: Retention;
}

export interface ChainObservation {
  /** Every entry key read, in any order. */
  entries: EntryObservation[];
  /** Checkpoints, checked against the public key (or `unchecked` without one). */
  checkpoints: CheckedCheckpoint[];
  /**
   * Verification starts here: records below `seq` were not read (they are
   * covered by a trusted checkpoint at size `seq + 1`, which must be among
   * `checkpoints` and anchors record `seq`). Default: from record 0.
   */
  start?: { seq: number; log: string };
  /** With `start`: highest listed entry key + 1 (entries below `start` are not passed). */
  listedSize?: number;
  /** The log must have at least this many records (learned elsewhere). */
  minSize?: number;
  /** The log's expected name (`--log`): records and checkpoints of another log are findings. */
  expectLog?: string;
  /**
   * Entry keys of the layout's form whose number is beyond any sequence
   * number (2^53 - 1), raw: each is an `unparseable` finding naming the key.
   */
  outOfRangeKeys?: string[];
  /**
   * Anchors learned outside the store: a trusted checkpoint kept elsewhere
   * (`--trusted-checkpoint`), or a size and head published elsewhere
   * (`--min-size` with `--expect-head`). Each must hold like a stored checkpoint.
   */
  externalAnchors?: ExternalAnchor[];
  /** The store's required retention; checks `not-locked` when set and retention was read. */
  retentionDays?: number;
  /** Accept GOVERNANCE retention as locked (COMPLIANCE only by default). */
  allowGovernance?: boolean;
}

export type { ExternalAnchor };

/**
 * How far the evidence reaches. `intact`: no findings and every record is
 * anchored (covered by a signed checkpoint or an external anchor whose head
 * matches). `unanchored-tail`: no findings, but records from `anchored_size`
 * on are covered by nothing, so an edit of the last of them, a cut of the
 * tail, or a tail replaced by a forged chain cannot be detected. `empty`: no
 * records and no anchor saying there should be any. `findings`: see them.
 */
export type VerifyStatus = 'intact' | 'unanchored-tail' | 'empty' | 'findings';

export interface ChainReport {
  ok: boolean;
  status: VerifyStatus;
  /**
   * Records 0..anchored_size-1 are anchored: the largest size of a valid
   * signed checkpoint (or external anchor) whose head is the digest of the
   * record at size-1. 0 when nothing anchors the log.
   */
  anchored_size: number;
  /** What anchors `anchored_size` ("the signed checkpoint at size 12"), or null. */
  anchored_by: string | null;
  /** Number of records: highest entry key's seq + 1 (0 for an empty log). */
  size: number;
  /** Digest of the last record's stored bytes, or null for an empty log. */
  head: Digest | null;
  /** The log's name (record 0's, or the trusted checkpoint's), null if unknown. */
  log: string | null;
  findings: Finding[];
  superseded: Superseded[];
  /** How many checkpoints were valid, bad, or not checked for want of a key. */
  checkpoints: { valid: number; bad: number; unchecked: number };
}

/** The observation without its entries: what a streaming verifier is set up with. */
export type ChainSetup = Omit<ChainObservation, 'entries' | 'checkpoints'>;

const DAY_MS = 86_400_000;

/** What the window keeps per record: its digest and, if it parsed, its prev. */
interface Link {
  digest?: Digest;
  prev?: Digest;
}

/** A signed checkpoint or external anchor: record `seq` (= size - 1) must hash to `head`. */
interface Anchor {
  seq: number;
  size: number;
  head: Digest;
  /** The log it is for, when it says (checked when it is used: the log's name may be learned later). */
  log?: string;
  /** For messages. */
  by: string;
  external: boolean;
}

/**
 * Incremental chain verification. Push checkpoints (ascending size) and
 * entries (ascending seq), every checkpoint of size <= n + 1 before entry n;
 * then `finish()`. Pure: no I/O, no clock.
 */
export class ChainVerifier {
  private readonly findings: Finding[] = [];
  private readonly reported = new Set<string>();
  private readonly startSeq: number;
  private log: string | null;
  private expectNext: number;
  private maxSeq = -1;
  private headDigest: Digest | null = null;
  /** Records not yet finalised, and the one before them. */
  private readonly window = new Map<number, Link>();
  /** Seqs pushed and not yet finalised, ascending. */
  private readonly pending: number[] = [];
  /** Anchors by seq, kept while a decision may still need them. */
  private readonly anchors = new Map<number, Anchor[]>();
  /** Anchors not yet processed (their findings), ascending by seq. */
  private readonly anchorQueue: Anchor[] = [];
  /** Seqs of processed anchors, ascending: dropped from `anchors` once no decision needs them. */
  private readonly processed: number[] = [];
  private lastCheckpointSize = 0;
  private newestValid = 0;
  private externalSize = 0;
  private externalSource = '';
  private anchoredSize = 0;
  private anchoredBy: string | null = null;
  private readonly counts = { valid: 0, bad: 0, unchecked: 0 };
  /** Later versions whose event may reappear further on (S3 race losers), by event identity. */
  private readonly awaiting = new Map<string, Array<{ seq: number; versionId: string }>>();
  private readonly superseded: Superseded[] = [];
  private finished = false;

  constructor(private readonly setup: ChainSetup) {
    this.startSeq = setup.start?.seq ?? 0;
    this.expectNext = this.startSeq;
    this.log = setup.expectLog ?? setup.start?.log ?? null;
    for (const a of setup.externalAnchors ?? []) {
      if (a.size === undefined) continue; // the current head: known at the end
      this.addExternal(a, a.size);
    }
  }

  private add(kind: FindingKind, seq: number, message: string, key?: string): void {
    const id = key === undefined ? `${kind}:${seq}` : `${kind}:${seq}:${key}`;
    if (kind !== 'extra-version' && kind !== 'not-locked' && kind !== 'bad-checkpoint' && this.reported.has(id)) return;
    this.reported.add(id);
    this.findings.push(key === undefined ? { kind, seq, message } : { kind, seq, message, key });
  }

  private addExternal(a: ExternalAnchor, size: number): void {
    if (a.log !== undefined && this.log !== null && a.log !== this.log) {
      this.add('bad-checkpoint', Math.max(size - 1, 0), `${a.source} is for log ${JSON.stringify(a.log)}, not ${JSON.stringify(this.log)}`);
      return;
    }
    if (size > this.externalSize) {
      this.externalSize = size;
      this.externalSource = a.source;
    }
    if (size === 0) return;
    this.register({ seq: size - 1, size, head: a.head, log: a.log, by: `${a.source} (size ${size})`, external: true });
  }

  private register(a: Anchor): void {
    const list = this.anchors.get(a.seq);
    if (list) list.push(a);
    else this.anchors.set(a.seq, [a]);
    // Kept sorted: checkpoints arrive ascending, external anchors at any time.
    let i = this.anchorQueue.length;
    while (i > 0 && this.anchorQueue[i - 1].seq > a.seq) i--;
    this.anchorQueue.splice(i, 0, a);
  }

  private anchorHolds(a: Anchor, holds: boolean): void {
    if (holds && a.size > this.anchoredSize) {
      this.anchoredSize = a.size;
      this.anchoredBy = a.by;
    }
  }

  /** Whether an anchor applies to this log (its name may have been learned after it was pushed). */
  private forThisLog(a: Anchor): boolean {
    return a.log === undefined || this.log === null || a.log === this.log;
  }

  /** A checkpoint, checked against the key (or not). Ascending by size. */
  pushCheckpoint(c: CheckedCheckpoint): void {
    if (c.size < this.lastCheckpointSize) throw new Error(`checkpoints out of order: ${c.size} after ${this.lastCheckpointSize}`);
    this.lastCheckpointSize = c.size;
    this.counts[c.status] += 1;
    if (c.status === 'unchecked') return;
    if (c.status === 'bad') {
      this.add('bad-checkpoint', c.size - 1, `checkpoint at size ${c.size}: ${c.reason}`);
      return;
    }
    this.register({ seq: c.size - 1, size: c.size, head: c.payload.head, log: c.payload.log, by: `the signed checkpoint at size ${c.size}`, external: false });
  }

  /** One entry key's observation. Ascending by seq; entries below the start are ignored. */
  push(e: EntryObservation): void {
    if (e.seq < this.startSeq) return;
    if (e.seq <= this.maxSeq) throw new Error(`entries out of order: ${e.seq} after ${this.maxSeq}`);
    this.maxSeq = e.seq;
    this.headDigest = null;
    if (e.bytes === null && e.problem === undefined) {
      this.finalizeThrough(e.seq - 2);
      return;
    }
    if (e.seq > this.expectNext) this.reportGap(this.expectNext, e.seq - 1);
    this.expectNext = e.seq + 1;
    if (e.bytes === null) {
      this.add('unparseable', e.seq, `entry ${e.seq} is not a record: ${e.problem}`, entryKeyName(e.seq));
      this.window.set(e.seq, {});
      this.pending.push(e.seq);
      this.finalizeThrough(e.seq - 2);
      return;
    }
    const digest = recordDigest(e.bytes);
    this.headDigest = digest;
    const link: Link = { digest };
    const parsed = parseRecord(e.bytes);
    if (!parsed.ok) {
      this.add('unparseable', e.seq, `record ${e.seq} is not a valid audit record: ${parsed.reason}`);
    } else {
      const r = parsed.record;
      link.prev = r.prev;
      if (r.seq !== e.seq) this.add('misplaced', e.seq, `the record stored as entry ${e.seq} says seq ${r.seq}`);
      if (this.log === null) this.log = r.log;
      else if (r.log !== this.log) this.add('wrong-log', e.seq, `record ${e.seq} belongs to log ${JSON.stringify(r.log)}, not ${JSON.stringify(this.log)}`);
      if (this.awaiting.size > 0) this.resolveAwaiting(e.seq, r);
    }
    this.window.set(e.seq, link);
    this.pending.push(e.seq);
    this.laterVersions(e);
    this.retention(e);
    this.finalizeThrough(e.seq - 2);
  }

  private reportGap(from: number, to: number): void {
    if (to - from < 1000) {
      for (let s = from; s <= to; s++) this.add('missing', s, `record ${s} is missing`);
    } else {
      this.add('missing', from, `records ${from} to ${to} (${to - from + 1} records) are missing`);
    }
  }

  /** The digest record s-1 must have for record s's prev to hold, or undefined when it cannot be known. */
  private expectedPrev(s: number): Digest | undefined {
    if (s === 0) return ZERO_DIGEST;
    if (s <= this.startSeq) return undefined; // the link into the trusted start is covered by its checkpoint
    return this.window.get(s - 1)?.digest;
  }

  private mismatch(s: number): boolean {
    const prev = this.window.get(s)?.prev;
    const want = this.expectedPrev(s);
    return prev !== undefined && want !== undefined && prev !== want;
  }

  private vouched(s: number): boolean {
    const a = this.anchors.get(s)?.find((x) => this.forThisLog(x));
    const d = this.window.get(s)?.digest;
    if (a) return a.head === d;
    const next = this.window.get(s + 1)?.prev;
    return next !== undefined && next === d;
  }

  /** Takes every decision about records and anchors up to `limit` (their neighbours are all known). */
  private finalizeThrough(limit: number): void {
    for (;;) {
      const r = this.pending.length ? this.pending[0] : Infinity;
      const a = this.anchorQueue.length ? this.anchorQueue[0].seq : Infinity;
      const next = Math.min(r, a);
      if (next > limit || next === Infinity) return;
      // An anchor is processed before the record it anchors: its `modified` explains a broken link.
      if (a <= r) this.processAnchor(this.anchorQueue.shift() as Anchor);
      else this.finalizeRecord(this.pending.shift() as number);
    }
  }

  private processAnchor(a: Anchor): void {
    this.processed.push(a.seq);
    if (!this.forThisLog(a)) {
      const what = a.external ? a.by : `checkpoint at size ${a.size}`;
      this.add('bad-checkpoint', a.seq, `${what} is for log ${JSON.stringify(a.log)}, not ${JSON.stringify(this.log)}`);
      this.anchors.set(a.seq, (this.anchors.get(a.seq) ?? []).filter((x) => x !== a));
      return;
    }
    if (!a.external) this.newestValid = Math.max(this.newestValid, a.size);
    // Below the start the record is not read: the start's own anchor covers it.
    if (a.seq < this.startSeq) {
      this.anchorHolds(a, true);
      return;
    }
    const d = this.window.get(a.seq)?.digest;
    this.anchorHolds(a, d === a.head);
    if (d !== undefined && d !== a.head) {
      const says = a.external ? `${a.by.replace(/ \(size \d+\)$/, '')} says ${a.head} at size ${a.size}` : `the signed checkpoint at size ${a.size} says ${a.head}`;
      this.add('modified', a.seq, `record ${a.seq} has digest ${d}, but ${says}`);
    }
  }

  private finalizeRecord(s: number): void {
    // Record s+1, if vouched for, proves record s changed when its prev disagrees.
    if (s >= this.startSeq && this.mismatch(s + 1) && this.vouched(s + 1)) {
      this.add('modified', s, `record ${s} has digest ${this.window.get(s)?.digest}, but record ${s + 1} (confirmed by what follows it) says ${this.window.get(s + 1)?.prev}`);
    }
    if (this.mismatch(s) && !this.vouched(s) && !this.reported.has(`modified:${s}`)) {
      const prev = this.window.get(s)?.prev;
      this.add(
        'broken-link',
        s,
        s === 0
          ? `record 0's prev is ${prev}, not the zero digest: the log does not start at its first record`
          : `record ${s}'s prev is ${prev}, but record ${s - 1} has digest ${this.expectedPrev(s)}: one of the two was altered`,
      );
    }
    // Nothing later looks further back than record s.
    for (const k of this.window.keys()) {
      if (k >= s) break;
      this.window.delete(k);
    }
    while (this.processed.length && this.processed[0] < s) this.anchors.delete(this.processed.shift() as number);
  }

  /** S3: race losers are information, any other later version or delete marker a finding. */
  private laterVersions(e: EntryObservation): void {
    for (const v of e.laterVersions ?? []) {
      const c = classifyLaterVersion(e.seq, v);
      if ('message' in c) {
        this.add('extra-version', e.seq, c.message);
        continue;
      }
      // A race loser writes the same event again at a later seq: wait for it.
      const list = this.awaiting.get(c.awaits) ?? [];
      list.push({ seq: e.seq, versionId: v.versionId });
      this.awaiting.set(c.awaits, list);
    }
  }

  private resolveAwaiting(seq: number, r: AuditRecord): void {
    const id = eventIdentity(r);
    const list = this.awaiting.get(id);
    if (!list) return;
    const keep = list.filter((w) => {
      if (w.seq >= seq) return true;
      this.superseded.push({ seq: w.seq, versionId: w.versionId, reappearsAt: seq });
      return false;
    });
    if (keep.length) this.awaiting.set(id, keep);
    else this.awaiting.delete(id);
  }

  /** S3 Object Lock retention of the owning version. */
  private retention(e: EntryObservation): void {
    const days = this.setup.retentionDays;
    if (days === undefined || !e.retention || e.bytes === null) return;
    const problem = retentionProblem(e.retention, days, this.setup.allowGovernance === true);
    if (problem) this.add('not-locked', e.seq, `record ${e.seq} ${problem}`);
  }

  /** Every remaining decision, then the report. */
  finish(): ChainReport {
    if (this.finished) throw new Error('ChainVerifier.finish() called twice');
    this.finished = true;
    const obs = this.setup;
    if (this.maxSeq >= this.expectNext) this.reportGap(this.expectNext, this.maxSeq);
    const size = obs.start && obs.listedSize !== undefined ? Math.max(obs.listedSize, this.maxSeq + 1) : this.maxSeq + 1;
    for (const a of obs.externalAnchors ?? []) if (a.size === undefined) this.addExternal(a, size);
    this.finalizeThrough(Infinity);
    for (const [, list] of this.awaiting) {
      for (const w of list) this.add('extra-version', w.seq, notARaceLoser(w.seq, w.versionId));
    }
    for (const key of obs.outOfRangeKeys ?? []) {
      this.add('unparseable', size, `entry key ${key} is beyond the largest sequence number a log can reach (2^53 - 1): it is not a record of this log`, key);
    }
    const required = Math.max(this.newestValid, this.externalSize, obs.minSize ?? 0);
    if (required > size) {
      const why =
        this.newestValid >= required
          ? 'a signed checkpoint says it had at least'
          : this.externalSize >= required
            ? `${this.externalSource} says it had at least`
            : 'fewer than the --min-size of';
      this.add('truncated', size, `the log has ${size} records, ${why} ${required}`);
    }
    const ok = this.findings.length === 0;
    return {
      ok,
      status: statusOf(ok, size, this.anchoredSize),
      anchored_size: this.anchoredSize,
      anchored_by: this.anchoredBy,
      size,
      head: this.maxSeq >= 0 ? this.headDigest : null,
      log: this.log,
      findings: sortFindings(this.findings),
      superseded: this.superseded.sort((a, b) => a.seq - b.seq),
      checkpoints: this.counts,
    };
  }
}

/** `entries/<seq, 20 digits>.json` (as in store.ts, without importing the store layer here). */
function entryKeyName(seq: number): string {
  return `entries/${String(seq).padStart(20, '0')}.json`;
}

/** Verifies one store's view of a chain held in memory. Reports every finding, not just the first. */
export function verifyChain(obs: ChainObservation): ChainReport {
  const { entries, checkpoints, ...setup } = obs;
  const v = new ChainVerifier(setup);
  for (const c of [...checkpoints].sort((a, b) => a.size - b.size)) v.pushCheckpoint(c);
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) v.push(e);
  return v.finish();
}

/**
 * Why an object's S3 Object Lock retention does not keep it for `days`
 * ("has retention mode none, not COMPLIANCE", ...), or null when it does.
 * Pure; shared by the chain verifier and the tree verifier (bundles).
 */
export function retentionProblem(r: Retention, days: number, allowGovernance: boolean): string | null {
  const modeOk = r.mode === 'COMPLIANCE' || (allowGovernance && r.mode === 'GOVERNANCE');
  if (!modeOk) return `has retention mode ${r.mode ?? 'none'}, not COMPLIANCE`;
  if (r.retainUntil === null) return 'has no retain-until date';
  if (r.createdAt !== null && r.retainUntil.getTime() < r.createdAt.getTime() + (days - 1) * DAY_MS) {
    return `is retained until ${r.retainUntil.toISOString()}, less than ${days} days after it was written (${r.createdAt.toISOString()})`;
  }
  return null;
}

/** The status a verification reads as (see {@link VerifyStatus}). */
export function statusOf(ok: boolean, size: number, anchoredSize: number): VerifyStatus {
  if (!ok) return 'findings';
  if (size === 0) return 'empty';
  return anchoredSize >= size ? 'intact' : 'unanchored-tail';
}
