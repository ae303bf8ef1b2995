/**
 * The signed-note half of `audit verify` (docs/transparency-log.md,
 * "Proofs"): the newest note in a store (with a quorum of witness
 * cosignatures when asked), trusted notes kept outside the store proved
 * consistent with it from the tiles (O(log n) reads), and each turned into an
 * anchor the chain verifier checks like a signed checkpoint: the record at
 * the note's last index, shown by an inclusion proof to be the leaf the
 * signed root holds, with its digest as the head. A log rolled back and
 * refilled, even with the writer's key, has another root at the trusted
 * size, so it fails here whatever `--min-size` says.
 */
import { GateError } from '../../core/errors.js';
import type { ExternalAnchor } from '../chain-verify.js';
import type { Finding } from '../findings.js';
import { recordDigest } from '../record.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry.js';
import { entryKey } from '../store.js';
import { meetsQuorum, openCheckpoint, parseCheckpoint } from './checkpoint-note.js';
import type { Vkey } from './ed25519-keys.js';
import { hashToBase64, leafHash } from './hash.js';
import { checkNote, listNoteSizes, readNote, type CheckedNote, type NoteStore } from './note-io.js';
import { verifyConsistency, verifyInclusion } from './tree.js';
import { consistencyFromStore, inclusionFromStore } from './tree-io.js';

/** A signed note kept outside the store (the verifier's own evidence from an earlier run). */
export interface TrustedNote {
  bytes: Buffer;
  /** Where it came from, for messages (its file name). */
  where: string;
}

export interface NoteCheckOptions {
  logKeys: readonly Vkey[];
  /** The log's name: every note's origin must be it. */
  origin: string;
  trusted?: readonly TrustedNote[];
  witnesses?: readonly Vkey[];
  /** Valid cosignatures the newest note needs from distinct `witnesses` (default 0). */
  quorum?: number;
  policy?: RetryPolicy;
}

export interface NoteCheck {
  /** Sizes and heads the notes vouch for, for the chain verifier. */
  anchors: ExternalAnchor[];
  findings: Finding[];
  /** The newest note whose log signature verifies, or null. */
  note: { size: number; root: string; cosigners: number } | null;
  /** Each trusted note, and whether the newest note was proved to extend it. */
  trusted: { source: string; size: number; consistent: boolean }[];
}

/** Whether bytes are a signed note rather than a JWS checkpoint: a note's signature lines start with an em dash after a blank line. */
export function looksLikeNote(bytes: Uint8Array): boolean {
  return Buffer.from(bytes).includes('\n\n\u2014 ', 0, 'utf8');
}

/**
 * The origin a trusted note names (its first line), without checking its
 * signature: lets a verifier learn the log's name when it was not given.
 */
export function originOfNote(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes).toString('utf8');
  const body = text.slice(0, text.indexOf('\n\n') + 1);
  const parsed = parseCheckpoint(body);
  return parsed.ok ? parsed.head.origin : undefined;
}

type Valid = CheckedNote & { status: 'valid' };

/**
 * Opens a trusted note with the log keys. Refuses (E_INPUT, exit 2) one that
 * does not verify or is another log's: it is the caller's own evidence.
 */
export function openTrustedNote(note: TrustedNote, logKeys: readonly Vkey[], origin: string): Valid {
  const opened = openCheckpoint(note.bytes, logKeys, { origin });
  if (!opened.ok) {
    throw new GateError('E_INPUT', `the trusted checkpoint is not a valid signed note of log ${JSON.stringify(origin)}: ${opened.reason}`, {
      where: note.where,
      hint: 'pass the .note file as it was stored, and the public key that signed it with --checkpoint-key',
    });
  }
  return { size: opened.checkpoint.head.size, status: 'valid', checkpoint: opened.checkpoint, bytes: note.bytes };
}

/** Checks one store's signed notes; see the module comment. */
export async function checkNotes(store: NoteStore, options: NoteCheckOptions): Promise<NoteCheck> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const quorum = options.quorum ?? 0;
  const out: NoteCheck = { anchors: [], findings: [], note: null, trusted: [] };
  const trusted = (options.trusted ?? []).map((t) => ({ source: `the trusted checkpoint ${t.where}`, note: openTrustedNote(t, options.logKeys, options.origin) }));

  // The newest note whose log signature verifies; newer ones that do not are findings.
  const sizes = await listNoteSizes(store, policy);
  let newest: Valid | undefined;
  for (let i = sizes.length - 1; i >= 0 && !newest; i--) {
    const stored = await readNote(store, sizes[i], policy);
    if (!stored) continue;
    const c = checkNote(stored, options.logKeys, { witnesses: options.witnesses, origin: options.origin });
    if (c.status === 'valid') newest = c;
    else out.findings.push({ kind: 'bad-checkpoint', seq: Math.max(0, c.size - 1), message: `signed-note checkpoint at size ${c.size}: ${c.reason}` });
  }
  if (!newest) {
    if (sizes.length || trusted.length || quorum > 0) {
      out.findings.push({ kind: 'bad-checkpoint', seq: 0, message: 'no signed-note checkpoint in the store verifies with the given key' });
    }
    for (const t of trusted) {
      out.trusted.push({ source: t.source, size: t.note.size, consistent: false });
      out.findings.push({ kind: 'truncated', seq: Math.max(0, t.note.size - 1), message: `${t.source} has ${t.note.size} records; the store holds no signed note that extends it` });
    }
    return out;
  }
  const head = newest.checkpoint.head;
  out.note = { size: head.size, root: hashToBase64(head.root), cosigners: newest.checkpoint.cosignatures.length };
  if (quorum > 0) {
    const q = meetsQuorum(newest.checkpoint, options.witnesses ?? [], quorum);
    if (!q.ok) {
      out.findings.push({ kind: 'bad-checkpoint', seq: Math.max(0, head.size - 1), message: `the newest signed-note checkpoint (size ${head.size}) has ${q.count} valid witness cosignature(s); the quorum is ${quorum}` });
    }
  }

  const anchorAt = async (size: number, source: string): Promise<void> => {
    if (size === 0) return;
    const seq = size - 1;
    const bytes = await withRetry(policy, `reading ${entryKey(seq)}`, store.displayUrl, () => store.read(entryKey(seq)));
    if (!bytes) {
      out.findings.push({ kind: 'truncated', seq, message: `record ${seq} is gone; ${source} covers it` });
      return;
    }
    let proved: boolean;
    try {
      const p = await inclusionFromStore(store, seq, head.size, policy);
      if (!p.root.equals(head.root)) {
        out.findings.push({ kind: 'tile-mismatch', seq, message: `the tiles give another root at size ${head.size} than the signed-note checkpoint there` });
        return;
      }
      proved = verifyInclusion(seq, head.size, leafHash(bytes), p.proof, head.root);
    } catch (e) {
      if (e instanceof GateError && e.category === 'service') throw e;
      out.findings.push({ kind: 'tile-mismatch', seq, message: `no inclusion proof of record ${seq} at size ${head.size}: ${(e as Error).message}` });
      return;
    }
    if (!proved) {
      out.findings.push({ kind: 'modified', seq, message: `record ${seq} is not the record ${source} covers: it was changed after it was signed` });
      return;
    }
    out.anchors.push({ size, head: recordDigest(bytes), log: options.origin, source });
  };

  for (const t of trusted) {
    const m = t.note.size;
    if (m > head.size) {
      out.trusted.push({ source: t.source, size: m, consistent: false });
      out.findings.push({ kind: 'truncated', seq: m - 1, message: `${t.source} has ${m} records; the newest signed note in the store has ${head.size}: its newer checkpoints are gone` });
      continue;
    }
    let consistent = false;
    try {
      const c = await consistencyFromStore(store, m, head.size, policy);
      consistent = c.root.equals(head.root) && verifyConsistency(m, head.size, t.note.checkpoint.head.root, head.root, c.proof);
    } catch (e) {
      if (e instanceof GateError && e.category === 'service') throw e;
      out.findings.push({ kind: 'tile-mismatch', seq: m - 1, message: `no consistency proof from size ${m} to ${head.size}: ${(e as Error).message}` });
      out.trusted.push({ source: t.source, size: m, consistent: false });
      continue;
    }
    out.trusted.push({ source: t.source, size: m, consistent });
    if (!consistent) {
      out.findings.push({
        kind: 'modified',
        seq: m - 1,
        message: `the log at size ${head.size} does not extend ${t.source} (size ${m}): records below ${m} were changed, or the log was rolled back and refilled`,
      });
      continue;
    }
    await anchorAt(m, `${t.source} (a signed note, extended by the one at size ${head.size})`);
  }
  await anchorAt(head.size, `the signed-note checkpoint at size ${head.size}`);
  return out;
}
