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
 */
import { ZERO_DIGEST, type Digest } from '../core/digest.js';
import type { CheckedCheckpoint } from './checkpoint.js';
import { sortFindings, type Finding, type FindingKind, type Superseded } from './findings.js';
import { eventIdentity, parseRecord, recordDigest, type AuditRecord } from './record.js';
import type { LaterVersion, Retention } from './store.js';

/** What was read for one entry key. */
export interface EntryObservation {
  /** The seq in the key (`entries/<seq>.json`). */
  seq: number;
  /** The owning bytes (S3: oldest version), or null when the key holds no data version. */
  bytes: Uint8Array | null;
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

/**
 * A size and head learned outside the store. It anchors records 0..size-1
 * exactly as a signed checkpoint in the store would: the log must be at
 * least that long and record size-1 must hash to `head`.
 */
export interface ExternalAnchor {
  /** Records covered; absent: the log as it is now (its last record must be `head`). */
  size?: number;
  head: Digest;
  /** The log it is for, when known (a trusted checkpoint's). */
  log?: string;
  /** Where it came from, for messages: "the trusted checkpoint cp.jws", "--expect-head". */
  source: string;
}

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

const DAY_MS = 86_400_000;

/** Verifies one store's view of a chain. Reports every finding, not just the first. */
export function verifyChain(obs: ChainObservation): ChainReport {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const add = (kind: FindingKind, seq: number, message: string): void => {
    const id = `${kind}:${seq}`;
    if (kind !== 'extra-version' && kind !== 'not-locked' && kind !== 'bad-checkpoint') {
      if (reported.has(id)) return;
    }
    reported.add(id);
    findings.push({ kind, seq, message });
  };

  const startSeq = obs.start?.seq ?? 0;
  // Per record only its digest and its prev are kept: holding every parsed
  // record made the garbage collector the verifier's main cost. Maps, not
  // arrays, because keys can be sparse (a stray entries/9999....json).
  const digestBy = new Map<number, Digest>();
  const prevBy = new Map<number, Digest>();
  /** Seqs of readable records, ascending. */
  const parsedSeqs: number[] = [];
  let maxSeq = -1;
  let log: string | null = obs.expectLog ?? obs.start?.log ?? null;
  const entries = obs.entries.filter((e) => e.seq >= startSeq).sort((a, b) => a.seq - b.seq);

  // Entries in seq order: record 0 (or the first readable one) names the log.
  let expectNext = startSeq;
  const reportGap = (from: number, to: number): void => {
    if (to - from < 1000) {
      for (let s = from; s <= to; s++) add('missing', s, `record ${s} is missing`);
    } else {
      add('missing', from, `records ${from} to ${to} (${to - from + 1} records) are missing`);
    }
  };
  for (const e of entries) {
    maxSeq = e.seq;
    if (e.bytes === null) continue;
    if (e.seq > expectNext) reportGap(expectNext, e.seq - 1);
    expectNext = e.seq + 1;
    digestBy.set(e.seq, recordDigest(e.bytes));
    const parsed = parseRecord(e.bytes);
    if (!parsed.ok) {
      add('unparseable', e.seq, `record ${e.seq} is not a valid audit record: ${parsed.reason}`);
      continue;
    }
    const r = parsed.record;
    prevBy.set(e.seq, r.prev);
    parsedSeqs.push(e.seq);
    if (r.seq !== e.seq) add('misplaced', e.seq, `the record stored as entry ${e.seq} says seq ${r.seq}`);
    if (log === null) log = r.log;
    else if (r.log !== log) add('wrong-log', e.seq, `record ${e.seq} belongs to log ${JSON.stringify(r.log)}, not ${JSON.stringify(log)}`);
  }
  if (maxSeq >= expectNext) reportGap(expectNext, maxSeq);
  const size = obs.start && obs.listedSize !== undefined ? Math.max(obs.listedSize, maxSeq + 1) : maxSeq + 1;
  const head = maxSeq >= 0 ? (digestBy.get(maxSeq) ?? null) : null;

  // Checkpoints: each valid one anchors record size-1 to its head.
  const anchors = new Map<number, { head: Digest; size: number }>();
  let anchoredSize = 0;
  let anchoredBy = null as string | null;
  const anchorHolds = (size: number, head: Digest, by: string): void => {
    const s = size - 1;
    // Below the start, the record was not read: the start's own anchor covers it.
    const holds = s < startSeq || digestBy.get(s) === head;
    if (holds && size > anchoredSize) {
      anchoredSize = size;
      anchoredBy = by;
    }
  };
  let newestValid = 0;
  const counts = { valid: 0, bad: 0, unchecked: 0 };
  for (const c of [...obs.checkpoints].sort((a, b) => a.size - b.size)) {
    counts[c.status] += 1;
    if (c.status === 'unchecked') continue;
    if (c.status === 'bad') {
      add('bad-checkpoint', c.size - 1, `checkpoint at size ${c.size}: ${c.reason}`);
      continue;
    }
    const p = c.payload;
    if (log !== null && p.log !== log) {
      add('bad-checkpoint', c.size - 1, `checkpoint at size ${c.size} is for log ${JSON.stringify(p.log)}, not ${JSON.stringify(log)}`);
      continue;
    }
    newestValid = Math.max(newestValid, c.size);
    anchorHolds(c.size, p.head, `the signed checkpoint at size ${c.size}`);
    const s = c.size - 1;
    if (s < startSeq) continue;
    anchors.set(s, { head: p.head, size: c.size });
    const d = digestBy.get(s);
    if (d !== undefined && d !== p.head) {
      add('modified', s, `record ${s} has digest ${d}, but the signed checkpoint at size ${c.size} says ${p.head}`);
    }
  }
  // External anchors: the same checks as a stored checkpoint, from evidence kept elsewhere.
  let externalSize = 0;
  let externalSource = '';
  for (const a of obs.externalAnchors ?? []) {
    const asize = a.size ?? size;
    if (a.log !== undefined && log !== null && a.log !== log) {
      add('bad-checkpoint', Math.max(asize - 1, 0), `${a.source} is for log ${JSON.stringify(a.log)}, not ${JSON.stringify(log)}`);
      continue;
    }
    if (asize > externalSize) {
      externalSize = asize;
      externalSource = a.source;
    }
    if (asize === 0 || asize > size) continue; // an empty log, or truncated (below)
    const s = asize - 1;
    anchorHolds(asize, a.head, `${a.source} (size ${asize})`);
    if (s < startSeq) continue;
    if (!anchors.has(s)) anchors.set(s, { head: a.head, size: asize });
    const d = digestBy.get(s);
    if (d !== undefined && d !== a.head) {
      add('modified', s, `record ${s} has digest ${d}, but ${a.source} says ${a.head} at size ${asize}`);
    }
  }
  const required = Math.max(newestValid, externalSize, obs.minSize ?? 0);
  if (required > size) {
    const why =
      newestValid >= required
        ? 'a signed checkpoint says it had at least'
        : externalSize >= required
          ? `${externalSource} says it had at least`
          : 'fewer than the --min-size of';
    add('truncated', size, `the log has ${size} records, ${why} ${required}`);
  }

  // Links. mismatch(s): record s's prev disagrees with record s-1's digest.
  const expectedPrev = (s: number): Digest | undefined => {
    if (s === 0) return ZERO_DIGEST;
    if (s <= startSeq) return undefined; // the link into the trusted start is covered by the checkpoint
    return digestBy.get(s - 1);
  };
  const mismatch = (s: number): boolean => {
    const prev = prevBy.get(s);
    const want = expectedPrev(s);
    return prev !== undefined && want !== undefined && prev !== want;
  };
  const vouched = (s: number): boolean => {
    const a = anchors.get(s);
    if (a) return a.head === digestBy.get(s);
    const next = prevBy.get(s + 1);
    return next !== undefined && next === digestBy.get(s);
  };
  // First every record that evidence shows altered: a vouched record t whose
  // prev disagrees with record t-1 proves t-1 changed.
  for (const t of parsedSeqs) {
    if (t - 1 >= startSeq && mismatch(t) && vouched(t)) {
      add('modified', t - 1, `record ${t - 1} has digest ${digestBy.get(t - 1)}, but record ${t} (confirmed by what follows it) says ${prevBy.get(t)}`);
    }
  }
  for (const s of parsedSeqs) {
    if (!mismatch(s) || vouched(s)) continue;
    if (reported.has(`modified:${s}`)) continue; // s itself was altered: its prev proves nothing
    const prev = prevBy.get(s);
    add(
      'broken-link',
      s,
      s === 0
        ? `record 0's prev is ${prev}, not the zero digest: the log does not start at its first record`
        : `record ${s}'s prev is ${prev}, but record ${s - 1} has digest ${expectedPrev(s)}: one of the two was altered`,
    );
  }

  // Later versions (S3): race losers are information, anything else a finding.
  let identities: Map<string, number[]> | undefined;
  const superseded: Superseded[] = [];
  for (const e of entries) {
    for (const v of e.laterVersions ?? []) {
      if (v.deleteMarker) {
        add('extra-version', e.seq, `entry ${e.seq} has a delete marker (version ${v.versionId})`);
        continue;
      }
      const parsed = v.bytes ? parseRecord(v.bytes) : undefined;
      let at: number | undefined;
      if (parsed?.ok && parsed.record.seq === e.seq) {
        identities ??= indexIdentities(entries);
        at = identities.get(eventIdentity(parsed.record))?.find((t) => t > e.seq);
      }
      if (at !== undefined) superseded.push({ seq: e.seq, versionId: v.versionId, reappearsAt: at });
      else add('extra-version', e.seq, `entry ${e.seq} has a later version ${v.versionId} that is not a race loser's record`);
    }
  }

  // Retention (S3 Object Lock).
  if (obs.retentionDays !== undefined) {
    for (const e of entries) {
      const r = e.retention;
      if (!r || e.bytes === null) continue;
      const modeOk = r.mode === 'COMPLIANCE' || (obs.allowGovernance === true && r.mode === 'GOVERNANCE');
      if (!modeOk) {
        add('not-locked', e.seq, `record ${e.seq} has retention mode ${r.mode ?? 'none'}, not COMPLIANCE`);
      } else if (r.retainUntil === null) {
        add('not-locked', e.seq, `record ${e.seq} has no retain-until date`);
      } else if (r.createdAt !== null) {
        const needed = r.createdAt.getTime() + (obs.retentionDays - 1) * DAY_MS;
        if (r.retainUntil.getTime() < needed) {
          add('not-locked', e.seq, `record ${e.seq} is retained until ${r.retainUntil.toISOString()}, less than ${obs.retentionDays} days after it was written (${r.createdAt.toISOString()})`);
        }
      }
    }
  }

  const ok = findings.length === 0;
  return {
    ok,
    status: statusOf(ok, size, anchoredSize),
    anchored_size: anchoredSize,
    anchored_by: anchoredBy,
    size,
    head,
    log,
    findings: sortFindings(findings),
    superseded: superseded.sort((a, b) => a.seq - b.seq),
    checkpoints: counts,
  };
}

/** The status a verification reads as (see {@link VerifyStatus}). */
export function statusOf(ok: boolean, size: number, anchoredSize: number): VerifyStatus {
  if (!ok) return 'findings';
  if (size === 0) return 'empty';
  return anchoredSize >= size ? 'intact' : 'unanchored-tail';
}

function indexIdentities(entries: EntryObservation[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (const e of entries) {
    const parsed = e.bytes ? parseRecord(e.bytes) : undefined;
    if (!parsed?.ok) continue;
    const id = eventIdentity(parsed.record);
    const list = index.get(id);
    if (list) list.push(e.seq);
    else index.set(id, [e.seq]);
  }
  return index;
}
