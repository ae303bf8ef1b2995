/**
 * Verifies a log held in one or more stores: each store's chain on its own
 * (pure {@link verifyChain}), then that every store holds the same record at
 * every sequence number (redundant stores must be copies, or one was altered).
 */
import type { Digest } from '../core/digest.js';
import { sha256 } from '../core/digest.js';
import { GateError } from '../core/errors.js';
import type { VerifyKey } from './checkpoint.js';
import { ChainVerifier, statusOf, type ChainObservation, type ChainReport, type ExternalAnchor } from './chain-verify.js';
import { sortFindings, type Finding, type Superseded } from './findings.js';
import { orderedMap, planChain, readCheckpoint, readEntry, readLogName, type ChainPlan } from './read-chain.js';
import type { AuditStore } from './store.js';
import type { Vkey } from './tlog/ed25519-keys.js';
import type { NoteCheck, TrustedNote } from './tlog/verify-notes.js';

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
  /**
   * Signed-note checkpoints (docs/transparency-log.md): the log's Ed25519
   * public keys, trusted notes the newest note must extend, and witnesses.
   * Each store's newest note (and each trusted note it is proved to extend)
   * anchors like a signed checkpoint. Without it notes are not read.
   */
  notes?: VerifyNotesOptions;
}

export interface VerifyNotesOptions {
  /** Raw 32-byte Ed25519 public keys of the log (its checkpoint JWKs); named after the log. */
  publicKeys: readonly Uint8Array[];
  trusted?: readonly TrustedNote[];
  /** Witness verifier keys (type 0x04). */
  witnesses?: readonly Vkey[];
  /** Valid cosignatures the newest note needs from distinct witnesses (default 0). */
  quorum?: number;
}

/** What the signed notes of one store showed. */
export interface NoteSummary {
  store: string;
  note: NoteCheck['note'];
  trusted: NoteCheck['trusted'];
}

export interface StoreSummary {
  store: string;
  size: number;
  head: Digest | null;
  anchored_size: number;
  checkpoints: ChainReport['checkpoints'];
}

/**
 * The report over every store: a {@link ChainReport} without the per-store
 * checkpoint counts, where `ok` also needs the stores to agree (or
 * `store-mismatch` says where not), `anchored_size` is the largest over the
 * stores, and `size` and `head` are the first store's.
 */
export interface VerifyLogResult extends Omit<ChainReport, 'checkpoints'> {
  /** Per store, in the order given. */
  stores: StoreSummary[];
  /** Where verification started (0, or the trusted checkpoint's last record). */
  from: number;
  /** With `notes`: per store, the newest signed note and the trusted notes it extends. */
  tree?: NoteSummary[];
}

/** Reads and verifies a log in every store given, streaming: memory is bounded by the read-ahead, not the log. */
export async function verifyLog(stores: AuditStore[], options: VerifyLogOptions = {}): Promise<VerifyLogResult> {
  if (stores.length === 0) throw new GateError('E_USAGE', 'no audit store given', { hint: 'pass --store URL' });
  if (options.fromCheckpoint && !options.checkpointKey) {
    throw new GateError('E_USAGE', 'starting from a checkpoint needs the public key to check its signature', {
      hint: 'pass --checkpoint-key FILE',
    });
  }
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const noteChecks = options.notes ? await checkStoresNotes(stores, options.notes, options.log) : undefined;
  // The notes' anchors are per store (each store has its own tiles and notes).
  const anchorsOf = (i: number): ExternalAnchor[] | undefined =>
    noteChecks ? [...(options.externalAnchors ?? []), ...noteChecks[i].anchors] : options.externalAnchors;
  const plans = await Promise.all(
    stores.map((s, i) =>
      planChain(s, {
        verifyKey: options.checkpointKey,
        fromCheckpoint: options.fromCheckpoint,
        log: options.log,
        concurrency,
        readFrom: firstAnchoredSeq(anchorsOf(i)),
      }),
    ),
  );
  const verifiers = plans.map(
    (p, i) =>
      new ChainVerifier({ ...p.setup, expectLog: options.log, minSize: options.minSize, allowGovernance: options.allowGovernance, externalAnchors: anchorsOf(i) }),
  );
  const feeds = plans.map((p, i) => checkpointFeed(p, verifiers[i], options.checkpointKey, concurrency));
  const from = Math.max(...plans.map((p) => p.setup.start?.seq ?? 0));
  const several = stores.length > 1;
  const mismatches: Finding[] = [];

  // Every seq any store lists, ascending, with the stores that list it; read with a bounded read-ahead.
  const reads = orderedMap(mergeSeqs(plans.map((p) => p.entrySeqs)), concurrency, async ({ seq, holders }) => ({
    seq,
    got: await Promise.all(holders.map(async (i) => ({ i, e: await readEntry(stores[i], seq) }))),
  }));
  for await (const { seq, got } of reads) {
    for (const { i, e } of got) {
      await feeds[i].through(seq + 1);
      verifiers[i].push(e);
    }
    if (several && seq >= from) mismatches.push(...compareAt(seq, stores, got.map(({ i, e }) => [i, e.bytes] as const)));
  }
  const reports: ChainReport[] = [];
  for (let i = 0; i < stores.length; i++) {
    await feeds[i].through(Infinity);
    reports.push(verifiers[i].finish());
  }

  const findings: Finding[] = [];
  const superseded: Superseded[] = [];
  reports.forEach((r, i) => {
    const store = stores[i].displayUrl;
    findings.push(...r.findings.map((f) => (several ? { ...f, store } : f)));
    superseded.push(...r.superseded.map((x) => (several ? { ...x, store } : x)));
  });
  findings.push(...mismatches);
  noteChecks?.forEach((c, i) => {
    // An edited record under a note is usually found by the chain too (a JWS checkpoint at the same size): say it once.
    const seen = new Set(reports[i].findings.map((f) => `${f.kind}@${f.seq}`));
    for (const f of c.findings) if (!seen.has(`${f.kind}@${f.seq}`)) findings.push(several ? { ...f, store: stores[i].displayUrl } : f);
  });
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
    ...(noteChecks ? { tree: noteChecks.map((c, i) => ({ store: stores[i].displayUrl, note: c.note, trusted: c.trusted })) } : {}),
  };
}

/**
 * Checks every store's signed notes (src/audit/tlog/verify-notes.ts, loaded
 * only when asked). The log's name, which names its note keys, is `--log`,
 * else the trusted notes' origin, else record 0's; with none (an empty log
 * and nothing trusted) there is nothing to check, unless a quorum was asked.
 */
async function checkStoresNotes(stores: AuditStore[], opts: VerifyNotesOptions, log: string | undefined): Promise<NoteCheck[]> {
  const tlog = await import('./tlog/verify-notes.js');
  const keys = await import('./tlog/ed25519-keys.js');
  const origin = log ?? opts.trusted?.map((t) => tlog.originOfNote(t.bytes)).find((o) => o !== undefined) ?? (await readLogName(stores[0])) ?? undefined;
  if (origin === undefined || !keys.isValidKeyName(origin)) {
    const none: NoteCheck = { anchors: [], findings: [], note: null, trusted: [] };
    if (opts.quorum) none.findings.push({ kind: 'bad-checkpoint', seq: 0, message: 'the log has no name to check signed-note checkpoints under (pass --log)' });
    return stores.map(() => none);
  }
  const logKeys = keys.logVkeys(origin, opts.publicKeys);
  return Promise.all(
    stores.map((s) => tlog.checkNotes(s, { logKeys, origin, trusted: opts.trusted, witnesses: opts.witnesses, quorum: opts.quorum })),
  );
}

/**
 * Feeds one store's checkpoints to its verifier in ascending size, reading
 * those not read yet with the same bounded read-ahead as the entries (a log
 * checkpointed after every append has as many checkpoints as records).
 */
function checkpointFeed(plan: ChainPlan, verifier: ChainVerifier, key: VerifyKey | undefined, concurrency: number): { through(limit: number): Promise<void> } {
  for (const c of plan.checkpoints) verifier.pushCheckpoint(c);
  const sizes = plan.checkpointSizes;
  const stream = orderedMap(sizes, concurrency, (size) => readCheckpoint(plan.store, size, key));
  let next = 0;
  return {
    async through(limit: number) {
      while (next < sizes.length && sizes[next] <= limit) {
        const r = await stream.next();
        if (r.done) throw new Error('checkpoint stream ended early');
        verifier.pushCheckpoint(r.value);
        next++;
      }
    },
  };
}

/** Merges ascending seq lists: each seq once, with the indexes of the lists that hold it. */
function* mergeSeqs(lists: Float64Array[]): Generator<{ seq: number; holders: number[] }> {
  const at = lists.map(() => 0);
  for (;;) {
    let seq = Infinity;
    for (let i = 0; i < lists.length; i++) if (at[i] < lists[i].length && lists[i][at[i]] < seq) seq = lists[i][at[i]];
    if (seq === Infinity) return;
    const holders: number[] = [];
    for (let i = 0; i < lists.length; i++) {
      if (at[i] < lists[i].length && lists[i][at[i]] === seq) {
        holders.push(i);
        at[i]++;
      }
    }
    yield { seq, holders };
  }
}

/** `store-mismatch` findings at one seq: every store must hold the first store's bytes. */
function compareAt(seq: number, stores: AuditStore[], got: ReadonlyArray<readonly [number, Uint8Array | null]>): Finding[] {
  const bytesOf = new Map(got);
  const a = bytesOf.get(0) ?? null;
  const out: Finding[] = [];
  const describe = (b: Uint8Array | null): string => (b ? sha256(b) : 'no record');
  for (let i = 1; i < stores.length; i++) {
    const b = bytesOf.get(i) ?? null;
    if (a === null && b === null) continue; // neither holds it: each reports it missing
    if (a && b && Buffer.from(a).equals(b)) continue;
    out.push({
      kind: 'store-mismatch',
      seq,
      message: `record ${seq} differs between stores: ${stores[0].displayUrl} has ${describe(a)}, ${stores[i].displayUrl} has ${describe(b)}`,
      store: stores[i].displayUrl,
    });
  }
  return out;
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
