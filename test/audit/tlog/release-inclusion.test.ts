/**
 * The deployment rule's O(log n) look at the log (src/audit/tlog/release-inclusion.ts):
 * records found through the untrusted record index, checked, and proven
 * under the newest signed note; the attacks of docs/transparency-log.md
 * ("The deployment rule") against a real file store written by the real
 * append path; and the reads it issues at 10,000 records beside the full verify.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendAndCheckpoint } from '../../../src/audit/append-checkpoint.js';
import { appendRecord } from '../../../src/audit/append.js';
import { generateCheckpointKeyPair, loadSigningKey, type SigningKey } from '../../../src/audit/checkpoint.js';
import { deploymentDecisionRecord } from '../../../src/audit/deployment-record.js';
import { openStore } from '../../../src/audit/open-store.js';
import { readReleaseEvidence } from '../../../src/audit/release-evidence.js';
import { modelReleaseRecord } from '../../../src/audit/release-record.js';
import { entryKey, type AuditStore } from '../../../src/audit/store.js';
import { ed25519KeysOfJwk, generateNoteKey, logVkeys, parseNoteKey, type Vkey } from '../../../src/audit/tlog/ed25519-keys.js';
import { vkeyStruct } from '../../../src/audit/tlog/note-io.js';
import { addToIndex, indexKey, MAX_INDEX_SLOTS, subjectIndexName } from '../../../src/audit/tlog/record-index.js';
import { releaseEvidenceByProof } from '../../../src/audit/tlog/release-inclusion.js';
import { sha256, type Digest } from '../../../src/core/digest.js';
import { tempDirs } from '../temp-dir.js';
import { buildLog } from './build-log.js';

const LOG = 'acme/fraud-model';
const newDir = tempDirs();
const model = (name: string) => sha256(`weights ${name}`);
const NO_WAIT = { sleep: async () => undefined };

let signingKey: SigningKey;
let logKeys: Vkey[];
beforeAll(async () => {
  const pair = await generateCheckpointKeyPair();
  signingKey = await loadSigningKey(JSON.stringify(pair.privateJwk), 'test key');
  logKeys = logVkeys(LOG, ed25519KeysOfJwk(JSON.stringify(pair.publicJwk)));
});

function release(digest: Digest) {
  return modelReleaseRecord(
    { modelPath: 'models/m.onnx', modelDigest: digest, metadataPath: 'models/metadata.json', metadataDigest: sha256(`meta ${digest}`), reproducibilityDigest: sha256('r'), datasets: [] },
    { repository: LOG, actor: 'release-bot', component: 'action' },
  );
}
function decision(runId: number, environment: string, state: 'approved' | 'pending') {
  const base = deploymentDecisionRecord(null, { environment, decision: state, reason: 'test', change: null }, { component: 'github-app', actor: 'bot', log: LOG, repository: LOG });
  return { ...base, details: { ...(base.details as object), run_id: runId } };
}
const other = (i: number) => ({ log: LOG, event_type: 'GATE_VERDICT', component: 't', actor: 'a', action: `other ${i}` });

async function store(): Promise<AuditStore> {
  return openStore(`file://${newDir()}`, { env: {} });
}
async function append(s: AuditStore, input: Parameters<typeof appendAndCheckpoint>[1][number], signed = true) {
  const r = await appendAndCheckpoint([s], [input], { ...(signed ? { signingKey } : {}), retry: NO_WAIT });
  return { seq: r.records[0].seq, indexProblem: r.indexProblem };
}

/** Counts every read and listing a store is asked for. */
function counting(s: AuditStore): { store: AuditStore; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const store = new Proxy(s, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || !['read', 'inspect', 'list', 'listAfter', 'listIndex'].includes(String(prop))) return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

describe('the release record by inclusion proof, found through the record index', () => {
  it('finds and proves the release of each digest and the decisions of the run, not the other records', async () => {
    const s = await store();
    await append(s, other(0));
    const rel = await append(s, release(model('a')));
    await append(s, other(2));
    const d1 = await append(s, decision(77, 'Production', 'pending'));
    await append(s, decision(78, 'production', 'pending'));
    const d2 = await append(s, decision(77, 'production', 'approved'));
    const r = await releaseEvidenceByProof([s], { logKeys, origin: LOG, digests: [model('a')], run: { id: 77, environment: 'production' } });
    if (!r.ok) throw new Error(r.why);
    expect(r.evidence).toMatchObject({ verified: true, proven: true, size: 6, newest_checkpoint: 6 });
    expect(r.evidence.records.map((x) => [x.seq, x.record.event_type])).toEqual([
      [rel.seq, 'MODEL_RELEASE'],
      [d1.seq, 'DEPLOYMENT_DECISION'],
      [d2.seq, 'DEPLOYMENT_DECISION'],
    ]);
  });

  it('attack: an index slot planted before the release, pointing at another record: passed over, the real release is proven', async () => {
    const s = await store();
    await append(s, release(model('decoy')));
    // The attacker writes slot 0 of model a's index before model a is released.
    expect((await s.create(indexKey(subjectIndexName(model('a')), 0), Buffer.from('0\n'))).created).toBe(true);
    const rel = await append(s, release(model('a')));
    const r = await releaseEvidenceByProof([s], { logKeys, origin: LOG, digests: [model('a')] });
    if (!r.ok) throw new Error(r.why);
    expect(r.evidence.records.map((x) => x.seq)).toEqual([rel.seq]);
  });

  it('attack: a planted slot for a model never released: no release is found, so the rule reads the whole log (which has none)', async () => {
    const s = await store();
    await append(s, release(model('decoy')));
    await s.create(indexKey(subjectIndexName(model('never')), 0), Buffer.from('0\n'));
    const r = await releaseEvidenceByProof([s], { logKeys, origin: LOG, digests: [model('never')] });
    expect(r).toEqual({ ok: false, why: `the record index names no MODEL_RELEASE record of ${model('never')}` });
    const full = await readReleaseEvidence([s], { eventTypes: ['MODEL_RELEASE'] });
    expect(full.records.some((x) => x.record.subject.includes(model('never')))).toBe(false);
  });

  it('attack: every slot squatted before the release: the append still succeeds and says so, the proof path gives way to the full verify', async () => {
    const s = await store();
    await append(s, other(0));
    for (let i = 0; i < MAX_INDEX_SLOTS; i++) await s.create(indexKey(subjectIndexName(model('a')), i), Buffer.from('0\n'));
    const rel = await append(s, release(model('a')));
    expect(rel.indexProblem).toMatch(/every index slot of subject:sha256:[0-9a-f]{64} is taken/);
    const r = await releaseEvidenceByProof([s], { logKeys, origin: LOG, digests: [model('a')] });
    expect(r.ok).toBe(false);
    const full = await readReleaseEvidence([s], { eventTypes: ['MODEL_RELEASE'] });
    expect(full.records.map((x) => x.seq)).toEqual([rel.seq]);
  });

  it('attack: the release entry edited after it was logged: its inclusion proof fails', async () => {
    const dir = newDir();
    const s = await openStore(`file://${dir}`, { env: {} });
    const rel = await append(s, release(model('a')));
    await append(s, other(1));
    const file = join(dir, entryKey(rel.seq));
    chmodSync(file, 0o644);
    writeFileSync(file, readFileSync(file, 'utf8').replace('release-bot', 'someone-else'));
    const r = await releaseEvidenceByProof([s], { logKeys, origin: LOG, digests: [model('a')] });
    expect(r).toEqual({ ok: false, why: `record ${rel.seq} is not the record the signed tree of size 2 holds at ${rel.seq} (tile-mismatch or an edited entry)` });
  });

  it('a release not yet under a signed note, or notes signed by another key: not proven', async () => {
    const s = await store();
    await append(s, other(0));
    await append(s, release(model('a')), false);
    const r = await releaseEvidenceByProof([s], { logKeys, origin: LOG, digests: [model('a')] });
    expect(r).toEqual({ ok: false, why: 'no signed-note checkpoint at or above size 2 verifies with the policy\'s checkpoint key' });
    const stranger = parseNoteKey(generateNoteKey(LOG).privateKey);
    if (!stranger.ok) throw new Error(stranger.reason);
    await append(s, other(2));
    const r2 = await releaseEvidenceByProof([s], { logKeys: [vkeyStruct(stranger.key)], origin: LOG, digests: [model('a')] });
    expect(r2.ok).toBe(false);
  });

  it('a slot naming a seq the log does not hold is passed over', async () => {
    const s = await store();
    await appendRecord([s], { ...release(model('a')), log: LOG }, { retry: NO_WAIT });
    await addToIndex(s, subjectIndexName(model('a')), 5);
    const r = await releaseEvidenceByProof([s], { logKeys, origin: LOG, digests: [model('a')] });
    expect(r.ok).toBe(false);
  });

  it('a decision appended after the newest note (the App signs nothing) is taken as read; the release is still proven', async () => {
    const s = await store();
    const rel = await append(s, release(model('a')));
    const d = await append(s, decision(9, 'production', 'pending'), false);
    const r = await releaseEvidenceByProof([s], { logKeys, origin: LOG, digests: [model('a')], run: { id: 9, environment: 'production' } });
    if (!r.ok) throw new Error(r.why);
    expect(r.evidence.records.map((x) => x.seq)).toEqual([rel.seq, d.seq]);
    expect(r.evidence.size).toBe(1);
  });

  it('10,000 records: the release at 4,321 is proven with O(log n) reads; the full verify reads every record', async () => {
    const dir = newDir();
    const note = parseNoteKey(generateNoteKey(LOG).privateKey);
    if (!note.ok) throw new Error(note.reason);
    const digest = model('big');
    const sizes = Array.from({ length: 100 }, (_, i) => (i + 1) * 100);
    buildLog(dir, LOG, 10_000, note.key, sizes, Infinity, new Map([[4321, [digest]]]));
    const s = await openStore(`file://${dir}`, { env: {} });
    await addToIndex(s, subjectIndexName(digest), 4321);

    const fast = counting(s);
    const r = await releaseEvidenceByProof([fast.store], { logKeys: [vkeyStruct(note.key)], origin: LOG, digests: [digest] });
    if (!r.ok) throw new Error(r.why);
    expect(r.evidence.records.map((x) => x.seq)).toEqual([4321]);
    expect(r.evidence.size).toBe(10_000);
    const fastReads = (fast.calls.read ?? 0) + (fast.calls.inspect ?? 0);
    // Two index slots, one entry, one note, and at most two tiles per level (log_256 10,000 < 2 levels).
    expect(fastReads).toBeLessThanOrEqual(2 + 1 + 1 + 2 * Math.ceil(Math.log2(10_000)));
    expect((fast.calls.list ?? 0) + (fast.calls.listAfter ?? 0)).toBe(1);

    const full = counting(s);
    const e = await readReleaseEvidence([full.store], { eventTypes: ['MODEL_RELEASE'] });
    expect(e.size).toBe(10_000);
    expect((full.calls.read ?? 0) + (full.calls.inspect ?? 0)).toBeGreaterThanOrEqual(10_000);
    // Visible in the test output: the figures bench/README.md quotes.
    process.stdout.write(`release by proof: ${fastReads} reads, ${(fast.calls.list ?? 0) + (fast.calls.listAfter ?? 0)} listing; full verify: ${(full.calls.read ?? 0) + (full.calls.inspect ?? 0)} reads\n`);
  }, 120_000);
});
