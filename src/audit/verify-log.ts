/**
 * Verifies a log held in one or more stores: each store's chain on its own
 * (pure {@link verifyChain}), then that every store holds the same record at
 * every sequence number (redundant stores must be copies, or one was altered).
 */
import type { Digest } from '../core/digest.js';
import { sha256 } from '../core/digest.js';
import { GateError } from '../core/errors.js';
import type { VerifyKey } from './checkpoint.js';
import { statusOf, verifyChain, type ChainObservation, type ChainReport, type ExternalAnchor, type VerifyStatus } from './chain-verify.js';
import { sortFindings, type Finding, type Superseded } from './findings.js';
import { readChain } from './read-chain.js';
import type { AuditStore } from './store.js';

export interface VerifyLogOptions {
  /** Public key (or key set) to check checkpoints; without it checkpoints are not used. */
  checkpointKey?: VerifyKey;
  /** The log must have at least this many records (a size learned elsewhere). */
  minSize?: number;
  /**
   * The log's expected name. Pins it: a record or checkpoint of another log
   * is a finding, and `fromCheckpoint` never starts from another log's
   * checkpoint (one key may sign several logs).
   */
  log?: string;
  /**
   * Sizes and heads learned outside the store (a trusted checkpoint file,
   * `--expect-head`): each is checked like a signed checkpoint in the store,
   * so a log rolled back past a deleted checkpoint and refilled fails.
   */
  externalAnchors?: ExternalAnchor[];
  /** Start from the newest checkpoint whose signature verifies: O(new records). Needs `checkpointKey`. */
  fromCheckpoint?: boolean;
  /** Entries read at once per store (default 32). */
  concurrency?: number;
  /** Accept GOVERNANCE-mode retention (COMPLIANCE only by default). */
  allowGovernance?: boolean;
}

export interface StoreSummary {
  store: string;
  size: number;
  head: Digest | null;
  anchored_size: number;
  checkpoints: ChainReport['checkpoints'];
}

export interface VerifyLogResult {
  /** No findings (the chain, checkpoints, retention and stores agree). */
  ok: boolean;
  /** `intact` only when `ok` and every record is anchored; see {@link VerifyStatus}. */
  status: VerifyStatus;
  /**
   * Records 0..anchored_size-1 are anchored by a signed checkpoint or an
   * external anchor whose head matches (the largest over the stores, which
   * must hold the same bytes or `store-mismatch` says where not). Records
   * from anchored_size on are covered by nothing.
   */
  anchored_size: number;
  /** What anchors them, for messages ("the signed checkpoint at size 12"), or null. */
  anchored_by: string | null;
  /** The first store's size and head (the others must match, or `store-mismatch` says where not). */
  size: number;
  head: Digest | null;
  log: string | null;
  findings: Finding[];
  superseded: Superseded[];
  /** Per store, in the order given. */
  stores: StoreSummary[];
  /** Where verification started (0, or the trusted checkpoint's last record). */
  from: number;
}

/** Reads and verifies a log in every store given. */
export async function verifyLog(stores: AuditStore[], options: VerifyLogOptions = {}): Promise<VerifyLogResult> {
  if (stores.length === 0) throw new GateError('E_USAGE', 'no audit store given', { hint: 'pass --store URL' });
  if (options.fromCheckpoint && !options.checkpointKey) {
    throw new GateError('E_USAGE', 'starting from a checkpoint needs the public key to check its signature', {
      hint: 'pass --checkpoint-key FILE',
    });
  }
  const observations = await Promise.all(
    stores.map((s) =>
      readChain(s, {
        verifyKey: options.checkpointKey,
        fromCheckpoint: options.fromCheckpoint,
        log: options.log,
        concurrency: options.concurrency,
        readFrom: firstAnchoredSeq(options.externalAnchors),
      }),
    ),
  );
  const reports = observations.map((o) =>
    verifyChain({ ...o, expectLog: options.log, minSize: options.minSize, allowGovernance: options.allowGovernance, externalAnchors: options.externalAnchors }),
  );
  const several = stores.length > 1;
  const findings: Finding[] = [];
  const superseded: Superseded[] = [];
  reports.forEach((r, i) => {
    const store = stores[i].displayUrl;
    findings.push(...r.findings.map((f) => (several ? { ...f, store } : f)));
    superseded.push(...r.superseded.map((s) => (several ? { ...s, store } : s)));
  });
  for (let i = 1; i < stores.length; i++) {
    findings.push(...compareStores(stores[0].displayUrl, observations[0], stores[i].displayUrl, observations[i]));
  }
  const from = Math.max(...observations.map((o) => o.start?.seq ?? 0));
  const ok = findings.length === 0;
  const best = reports.reduce((a, r) => (r.anchored_size > a.anchored_size ? r : a), reports[0]);
  return {
    ok,
    status: statusOf(ok, reports[0].size, best.anchored_size),
    anchored_size: best.anchored_size,
    anchored_by: best.anchored_by,
    size: reports[0].size,
    head: reports[0].head,
    log: reports[0].log,
    findings: sortFindings(findings),
    superseded: superseded.sort((a, b) => a.seq - b.seq),
    stores: reports.map((r, i) => ({
      store: stores[i].displayUrl,
      size: r.size,
      head: r.head,
      anchored_size: r.anchored_size,
      checkpoints: r.checkpoints,
    })),
    from,
  };
}

/** The lowest record an external anchor with a size vouches for: a verifier starting from a checkpoint must read from there. */
function firstAnchoredSeq(anchors: ExternalAnchor[] | undefined): number | undefined {
  const seqs = (anchors ?? []).flatMap((a) => (a.size !== undefined && a.size > 0 ? [a.size - 1] : []));
  return seqs.length ? Math.min(...seqs) : undefined;
}

/** Pure: `store-mismatch` findings where two stores' owning bytes differ. */
export function compareStores(nameA: string, a: ChainObservation, nameB: string, b: ChainObservation): Finding[] {
  const from = Math.max(a.start?.seq ?? 0, b.start?.seq ?? 0);
  const mapOf = (o: ChainObservation): Map<number, Uint8Array | null> =>
    new Map(o.entries.filter((e) => e.seq >= from).map((e) => [e.seq, e.bytes]));
  const ma = mapOf(a);
  const mb = mapOf(b);
  const seqs = [...new Set([...ma.keys(), ...mb.keys()])].sort((x, y) => x - y);
  const out: Finding[] = [];
  const describe = (bytes: Uint8Array | null | undefined): string => (bytes ? sha256(bytes) : 'no record');
  for (const s of seqs) {
    const x = ma.get(s);
    const y = mb.get(s);
    if (x && y && Buffer.from(x).equals(y)) continue;
    out.push({
      kind: 'store-mismatch',
      seq: s,
      message: `record ${s} differs between stores: ${nameA} has ${describe(x)}, ${nameB} has ${describe(y)}`,
      store: nameB,
    });
  }
  return out;
}
