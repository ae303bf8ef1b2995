/**
 * The C2SP tlog-witness `add-checkpoint` call as a pure decision: the
 * request body and the witness's state go in, the HTTP answer and the state
 * to persist come out. The server around it (witness-server.ts) only reads
 * the body, holds the lock, persists the update and writes the answer.
 *
 * Order of checks, as the spec lists them: a malformed body is 400; an
 * unknown origin 404; no valid log signature, or a failing one, 403; an old
 * size above the new one 400; an old size other than the one last cosigned
 * 409 (body: that size, `text/x.tlog.size`); an empty tree with another root,
 * a proof given with old size 0, a proof that does not verify, or another
 * root at the same size, 422; otherwise 200 with the cosignature line(s).
 */
import { EMPTY_ROOT, hashFromBase64, type Hash } from './hash.js';
import { type NoteKey, type Vkey } from './ed25519-keys.js';
import { cosignatureLine, openCheckpoint, parseCheckpoint, type TreeHead } from './checkpoint-note.js';
import { parseNote } from './note.js';
import { verifyConsistency } from './tree.js';

/** What a witness remembers per log: the last checkpoint it cosigned. */
export interface WitnessedHead {
  size: number;
  root: Hash;
}

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Hash[];
  checkpoint: Buffer;
}

export interface WitnessAnswer {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  contentType: string;
  body: string;
  /** Present on 200: the state to persist for `origin` before answering. */
  update?: { origin: string; head: WitnessedHead };
}

const text = (status: WitnessAnswer['status'], body: string): WitnessAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body: `${body}\n` });

/** Parses an add-checkpoint body: `old <size>\n`, proof lines, an empty line, the checkpoint. */
export function parseAddCheckpoint(body: Buffer): { ok: true; request: AddCheckpointRequest } | { ok: false; reason: string } {
  const blank = body.indexOf('\n\n');
  if (blank < 0) return { ok: false, reason: 'no empty line before the checkpoint' };
  const lines = body.subarray(0, blank).toString('utf8').split('\n');
  const m = /^old (0|[1-9]\d*)$/.exec(lines[0]);
  if (!m || !Number.isSafeInteger(Number(m[1]))) return { ok: false, reason: 'the first line is not "old <size>"' };
  const proof: Hash[] = [];
  for (const [i, l] of lines.slice(1).entries()) {
    const h = hashFromBase64(l);
    if (!h) return { ok: false, reason: `proof line ${i + 1} is not a base64 SHA-256 hash` };
    proof.push(h);
  }
  if (proof.length > 63) return { ok: false, reason: 'more than 63 consistency proof lines' };
  return { ok: true, request: { oldSize: Number(m[1]), proof, checkpoint: Buffer.from(body.subarray(blank + 2)) } };
}

/**
 * Decides one add-checkpoint request. `logs` maps each origin the witness
 * follows to the log's verifier keys; `state` is the last cosigned head per
 * origin; `now` is POSIX seconds for the cosignature's timestamp.
 */
export function decideAddCheckpoint(
  body: Buffer,
  logs: ReadonlyMap<string, readonly Vkey[]>,
  state: ReadonlyMap<string, WitnessedHead>,
  witnessKey: NoteKey,
  now: number,
): WitnessAnswer {
  const parsed = parseAddCheckpoint(body);
  if (!parsed.ok) return text(400, parsed.reason);
  const { oldSize, proof, checkpoint } = parsed.request;
  const note = parseNote(checkpoint);
  if (!note.ok) return text(400, `the checkpoint is not a signed note: ${note.reason}`);
  const cp = parseCheckpoint(note.text);
  if (!cp.ok) return text(400, `not a checkpoint: ${cp.reason}`);
  const keys = logs.get(cp.head.origin);
  if (!keys) return text(404, `this witness does not follow the log ${JSON.stringify(cp.head.origin)}`);
  const opened = openCheckpoint(checkpoint, keys, { origin: cp.head.origin });
  if (!opened.ok) return text(403, opened.reason);
  const head: TreeHead = opened.checkpoint.head;
  if (oldSize > head.size) return text(400, `old size ${oldSize} is above the checkpoint's size ${head.size}`);
  const last = state.get(head.origin);
  const lastSize = last?.size ?? 0;
  if (oldSize !== lastSize) return { status: 409, contentType: 'text/x.tlog.size', body: `${lastSize}\n` };
  if (head.size === 0 && !head.root.equals(EMPTY_ROOT)) return text(422, 'a checkpoint of size 0 must have the empty tree\'s root');
  if (oldSize === 0) {
    if (proof.length !== 0) return text(422, 'old size 0 takes no consistency proof');
  } else if (oldSize === head.size) {
    if (!last || !last.root.equals(head.root) || proof.length !== 0) {
      return text(422, `the root at size ${head.size} differs from the one this witness cosigned: the log forked`);
    }
  } else if (!last || !verifyConsistency(oldSize, head.size, last.root, head.root, proof)) {
    return text(422, `the consistency proof from size ${oldSize} to ${head.size} does not verify: the log does not extend what this witness cosigned`);
  }
  const line = cosignatureLine(opened.checkpoint.text, witnessKey, now);
  return {
    status: 200,
    contentType: 'text/plain; charset=utf-8',
    body: `${line}\n`,
    update: { origin: head.origin, head: { size: head.size, root: head.root } },
  };
}
