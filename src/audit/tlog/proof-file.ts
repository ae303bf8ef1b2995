/**
 * c2sp.org/tlog-proof@v1 files: an offline-verifiable receipt that a record
 * is in the log. Lines: `c2sp.org/tlog-proof@v1`, an optional `extra
 * <base64>`, `index <N>`, the inclusion path (one base64 hash a line, from
 * the leaf's sibling up), an empty line, then the checkpoint verbatim.
 */
import { hashFromBase64, hashToBase64, type Hash } from './hash.js';

export const PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface ProofFile {
  index: number;
  /** Opaque, unauthenticated extra data (never trusted). */
  extra?: Buffer;
  path: Hash[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: Buffer;
}

/** The proof file's bytes. */
export function formatProof(p: ProofFile): Buffer {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw new RangeError(`not a leaf index: ${p.index}`);
  const lines = [PROOF_HEADER];
  if (p.extra !== undefined) lines.push(`extra ${p.extra.toString('base64')}`);
  lines.push(`index ${p.index}`, ...p.path.map(hashToBase64), '');
  return Buffer.concat([Buffer.from(`${lines.join('\n')}\n`, 'utf8'), p.checkpoint]);
}

/** Parses a proof file; the reason (with its line number) when it is not one. */
export function parseProof(bytes: Uint8Array): { ok: true; proof: ProofFile } | { ok: false; reason: string } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blank = buf.indexOf('\n\n');
  if (blank < 0) return { ok: false, reason: 'no empty line between the proof and the checkpoint' };
  const head = buf.subarray(0, blank).toString('utf8').split('\n');
  const checkpoint = Buffer.from(buf.subarray(blank + 2));
  if (head[0] !== PROOF_HEADER) return { ok: false, reason: `line 1 is not ${JSON.stringify(PROOF_HEADER)}` };
  let i = 1;
  let extra: Buffer | undefined;
  if (head[i]?.startsWith('extra ')) {
    const b64 = head[i].slice('extra '.length);
    extra = Buffer.from(b64, 'base64');
    if (extra.toString('base64') !== b64) return { ok: false, reason: `line ${i + 1}: the extra data is not base64` };
    i += 1;
  }
  const m = /^index (0|[1-9]\d*)$/.exec(head[i] ?? '');
  if (!m || !Number.isSafeInteger(Number(m[1]))) return { ok: false, reason: `line ${i + 1} is not "index <N>" (a decimal without leading zeros)` };
  const index = Number(m[1]);
  const path: Hash[] = [];
  for (let j = i + 1; j < head.length; j++) {
    const h = hashFromBase64(head[j]);
    if (!h) return { ok: false, reason: `line ${j + 1} is not a base64 SHA-256 hash` };
    path.push(h);
  }
  if (path.length > 63) return { ok: false, reason: `an inclusion path has at most 63 hashes, this one ${path.length}` };
  if (checkpoint.length === 0) return { ok: false, reason: 'the checkpoint after the empty line is missing' };
  return { ok: true, proof: { index, ...(extra ? { extra } : {}), path, checkpoint } };
}
