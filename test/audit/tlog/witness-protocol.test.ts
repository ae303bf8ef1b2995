import { generateNoteKey, parseNoteKey } from '../../../src/audit/tlog/ed25519-keys.js';
import { logAndWitness, must } from './note-keys.js';
import { openCheckpoint, signCheckpoint } from '../../../src/audit/tlog/checkpoint-note.js';
import { decideAddCheckpoint, type WitnessedHead } from '../../../src/audit/tlog/witness-protocol.js';
import { consistencyProof, perfectFromLeaves, treeRoot } from '../../../src/audit/tlog/tree.js';
import { EMPTY_ROOT, hashToBase64, type Hash } from '../../../src/audit/tlog/hash.js';
import { leavesOf } from './tree-fixtures.js';

const ORIGIN = 'acme/fraud-model';
const { logKey, logVkey, wKey, wVkey, logs } = logAndWitness(ORIGIN);

const honest = leavesOf(300);
const perfect = perfectFromLeaves(honest);
const checkpointAt = (size: number, leaves: Hash[] = honest) =>
  signCheckpoint({ origin: ORIGIN, size, root: size === 0 ? EMPTY_ROOT : treeRoot(size, perfectFromLeaves(leaves)) }, logKey);
const body = (old: number, proof: Hash[], checkpoint: Buffer) =>
  Buffer.concat([Buffer.from(`old ${old}\n${proof.map((h) => `${hashToBase64(h)}\n`).join('')}\n`), checkpoint]);

describe('witness add-checkpoint (C2SP tlog-witness), as a pure decision', () => {
  it('cosigns a first checkpoint (old 0), then one that extends it; the cosignature verifies with the witness key', () => {
    const state = new Map<string, WitnessedHead>();
    const a = decideAddCheckpoint(body(0, [], checkpointAt(10)), logs, state, wKey, 1_700_000_000);
    expect(a.status).toBe(200);
    state.set(a.update!.origin, a.update!.head);
    const cp = checkpointAt(100);
    const b = decideAddCheckpoint(body(10, consistencyProof(10, 100, perfect), cp), logs, state, wKey, 1_700_000_001);
    expect(b.status).toBe(200);
    expect(b.update?.head.size).toBe(100);
    const opened = openCheckpoint(Buffer.concat([cp, Buffer.from(b.body)]), [logVkey], { witnesses: [wVkey] });
    expect(opened.ok && opened.checkpoint.cosignatures.map((c) => c.time)).toEqual([1_700_000_001]);
  });

  it('refuses a checkpoint that does not extend the last one it cosigned (a rolled-back and refilled log): 422, state unchanged', () => {
    const state = new Map<string, WitnessedHead>([[ORIGIN, { size: 100, root: treeRoot(100, perfect) }]]);
    const forged = [...honest.slice(0, 60), ...leavesOf(240, 'forged')];
    const proof = consistencyProof(100, 200, perfectFromLeaves(forged));
    const a = decideAddCheckpoint(body(100, proof, checkpointAt(200, forged)), logs, state, wKey, 1);
    expect(a.status).toBe(422);
    expect(a.update).toBeUndefined();
    // Same size, other root: a fork.
    expect(decideAddCheckpoint(body(100, [], checkpointAt(100, forged)), logs, state, wKey, 1).status).toBe(422);
    // Same size, same root: cosigned again.
    expect(decideAddCheckpoint(body(100, [], checkpointAt(100)), logs, state, wKey, 1).status).toBe(200);
  });

  it('answers 409 with the size it holds (text/x.tlog.size) when the old size is not it, so the log can retry', () => {
    const state = new Map<string, WitnessedHead>([[ORIGIN, { size: 100, root: treeRoot(100, perfect) }]]);
    const a = decideAddCheckpoint(body(0, [], checkpointAt(200)), logs, state, wKey, 1);
    expect(a).toMatchObject({ status: 409, contentType: 'text/x.tlog.size', body: '100\n' });
  });

  it('404 for an unknown origin, 403 for a checkpoint the log key did not sign, 400 for old > new or a malformed body', () => {
    const state = new Map<string, WitnessedHead>();
    const other = generateNoteKey('acme/other');
    const otherCp = signCheckpoint({ origin: 'acme/other', size: 1, root: honest[0] }, must(parseNoteKey(other.privateKey)).key);
    expect(decideAddCheckpoint(body(0, [], otherCp), logs, state, wKey, 1).status).toBe(404);
    const impostor = generateNoteKey(ORIGIN);
    const forgedCp = signCheckpoint({ origin: ORIGIN, size: 5, root: treeRoot(5, perfect) }, must(parseNoteKey(impostor.privateKey)).key);
    expect(decideAddCheckpoint(body(0, [], forgedCp), logs, state, wKey, 1).status).toBe(403);
    expect(decideAddCheckpoint(body(9, [], checkpointAt(5)), logs, state, wKey, 1).status).toBe(400);
    expect(decideAddCheckpoint(Buffer.from('old x\n\n'), logs, state, wKey, 1).status).toBe(400);
    expect(decideAddCheckpoint(body(0, [honest[0]], checkpointAt(5)), logs, state, wKey, 1).status).toBe(422);
  });
});
