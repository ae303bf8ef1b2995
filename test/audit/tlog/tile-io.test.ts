import { appendRecord } from '../../../src/audit/append.js';
import { entryKey } from '../../../src/audit/store.js';
import { SIG_TYPE, generateNoteKey, parseVkey } from '../../../src/audit/tlog/ed25519-keys.js';
import { must, noteKeyPair } from './note-keys.js';
import { publishAfterAppend } from '../../../src/audit/tlog/append-tiles.js';
import { backfillTiles } from '../../../src/audit/tlog/tile-io.js';
import { signTreeCheckpoint, noteKey } from '../../../src/audit/tlog/note-io.js';
import { proveRecord } from '../../../src/audit/tlog/prove.js';
import { checkProof } from '../../../src/audit/tlog/check-proof.js';
import { rootFromStore } from '../../../src/audit/tlog/tree-io.js';
import { leafHash } from '../../../src/audit/tlog/hash.js';
import { treeRoot, perfectFromLeaves } from '../../../src/audit/tlog/tree.js';
import { tilesForSize } from '../../../src/audit/tlog/tiles.js';
import { tilePath } from '../../../src/audit/tlog/tile-path.js';
import { MemoryStore } from '../memory-store.js';

const LOG = 'acme/fraud-model';
const { key, vkey } = noteKeyPair(LOG);
const noSleep = { retry: { sleep: async () => undefined } };

async function append(store: MemoryStore, action: string, writer = 'w'): Promise<number> {
  const r = await appendRecord([store], { log: LOG, event_type: 'MODEL_RELEASE', component: 't', actor: writer, action }, noSleep);
  const pub = await publishAfterAppend(store, r.seq);
  expect(pub.conflicts).toEqual([]);
  return r.seq;
}

async function leavesOf(store: MemoryStore, size: number) {
  const out = [];
  for (let i = 0; i < size; i++) out.push(leafHash((await store.read(entryKey(i)))!));
  return out;
}

describe('tiles in a store: publish per append, sign, prove, check offline', () => {
  it('per-append publishing keeps every tile of the log present and right across 255/256/257; a proof checks offline', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 300; i++) await append(store, `release ${i}`);
    const leaves = await leavesOf(store, 300);
    for (const c of tilesForSize(300)) expect(store.objects.has(tilePath(c))).toBe(true);
    expect(store.objects.has('tile/entries/000')).toBe(true);
    expect((await rootFromStore(store, 300)).equals(treeRoot(300, perfectFromLeaves(leaves)))).toBe(true);
    await signTreeCheckpoint(store, key, 300);
    for (const seq of [0, 255, 256, 299]) {
      const p = await proveRecord(store, seq, { logKeys: [vkey] });
      expect(checkProof(p.proof, p.record, { logKeys: [vkey] })).toMatchObject({ ok: true, index: seq, size: 300, origin: LOG });
      // Another record's bytes, or this one's with one byte changed, do not pass.
      const other = (await store.read(entryKey((seq + 1) % 300)))!;
      expect(checkProof(p.proof, other, { logKeys: [vkey] }).ok).toBe(false);
      const edited = Buffer.from(p.record);
      edited[edited.length - 3] ^= 1;
      expect(checkProof(p.proof, edited, { logKeys: [vkey] }).ok).toBe(false);
    }
  });

  it('two appenders racing still produce one tree: no tile conflict, tiles equal the entries', async () => {
    const store = new MemoryStore();
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < 50; i++) await append(store, `w${w} ${i}`, `w${w}`);
      }),
    );
    const size = 300;
    const leaves = await leavesOf(store, size);
    const want = treeRoot(size, perfectFromLeaves(leaves));
    expect((await rootFromStore(store, size)).equals(want)).toBe(true);
    const signed = await signTreeCheckpoint(store, key, size);
    expect(signed.root.equals(want)).toBe(true);
  });

  it('a writer that died between its entry and its tiles is caught up by the next append', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 10; i++) await append(store, `r ${i}`);
    // Record 10 is appended but its writer dies before publishing.
    await appendRecord([store], { log: LOG, event_type: 'X', component: 't', actor: 'a', action: 'orphan' }, noSleep);
    await append(store, 'r 11');
    const leaves = await leavesOf(store, 12);
    expect(store.objects.has('tile/0/000.p/11')).toBe(true);
    expect((await rootFromStore(store, 12)).equals(treeRoot(12, perfectFromLeaves(leaves)))).toBe(true);
  });

  it('backfill of a log written before tiles existed gives the tiles a per-append log has', async () => {
    const legacy = new MemoryStore();
    const tiled = new MemoryStore();
    const now = () => new Date('2026-01-01T00:00:00Z');
    for (let i = 0; i < 520; i++) {
      const input = { log: LOG, event_type: 'X', component: 't', actor: 'a', action: `r ${i}` };
      await appendRecord([legacy], input, { ...noSleep, now });
      const r = await appendRecord([tiled], input, { ...noSleep, now });
      await publishAfterAppend(tiled, r.seq);
    }
    const res = await backfillTiles(legacy, 520);
    expect(res.conflicts).toEqual([]);
    for (const c of [...tilesForSize(520), { level: 'entries' as const, n: 1, width: 256 }]) {
      expect(Buffer.from(legacy.objects.get(tilePath(c))!).equals(Buffer.from(tiled.objects.get(tilePath(c))!))).toBe(true);
    }
  });

  it('refuses to sign over a tile altered after the last signature, or a record that is not its leaf (tile-mismatch)', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 20; i++) await append(store, `r ${i}`);
    await signTreeCheckpoint(store, key, 20);
    await append(store, 'r 20');
    // Someone rewrites leaf 3 in the new partial tile (an in-place edit on a file store).
    const t = Buffer.from(store.objects.get('tile/0/000.p/21')!);
    t[3 * 32] ^= 1;
    store.objects.set('tile/0/000.p/21', t);
    await expect(signTreeCheckpoint(store, key, 21)).rejects.toMatchObject({ code: 'E_VERIFY_FAILED', message: expect.stringMatching(/not consistent/) });
    expect(store.objects.has(noteKey(21))).toBe(false);
    // A planted tile for the next size that does not match the record appended there.
    const s2 = new MemoryStore();
    for (let i = 0; i < 5; i++) await append(s2, `r ${i}`);
    await signTreeCheckpoint(s2, key, 5);
    s2.objects.set('tile/0/000.p/6', Buffer.alloc(6 * 32, 7));
    const r = await appendRecord([s2], { log: LOG, event_type: 'X', component: 't', actor: 'a', action: 'r 5' }, noSleep);
    const pub = await publishAfterAppend(s2, r.seq);
    expect(pub.conflicts.map((c) => c.key)).toEqual(['tile/0/000.p/6']);
    await expect(signTreeCheckpoint(s2, key, 6)).rejects.toMatchObject({ code: 'E_VERIFY_FAILED' });
  });

  it('check-proof needs the witness quorum when one is asked for', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 3; i++) await append(store, `r ${i}`);
    const w = generateNoteKey('witness.example/w1', SIG_TYPE.cosignatureEd25519);
    const wv = must(parseVkey(w.vkey)).vkey;
    await signTreeCheckpoint(store, key, 3);
    const p = await proveRecord(store, 1, { logKeys: [vkey] });
    expect(checkProof(p.proof, p.record, { logKeys: [vkey], witnesses: [wv], quorum: 1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/quorum is 1/) });
  });
});

describe('checkRecordInclusion (for the deployment rule)', () => {
  it('says yes for a logged record under the newest note, and no, with the reason, for an edited entry or a record past it', async () => {
    const { checkRecordInclusion } = await import('../../../src/audit/tlog/inclusion-check.js');
    const store = new MemoryStore();
    for (let i = 0; i < 40; i++) await append(store, `r ${i}`);
    await signTreeCheckpoint(store, key, 40);
    await append(store, 'r 40');
    expect(await checkRecordInclusion(store, 17, { logKeys: [vkey], origin: LOG })).toMatchObject({ ok: true, size: 40 });
    expect(await checkRecordInclusion(store, 40, { logKeys: [vkey], origin: LOG })).toMatchObject({ ok: false, reason: expect.stringMatching(/not covered/) });
    const e = Buffer.from(store.objects.get(entryKey(17))!);
    e[e.length - 5] ^= 1;
    store.objects.set(entryKey(17), e);
    expect(await checkRecordInclusion(store, 17, { logKeys: [vkey], origin: LOG })).toMatchObject({ ok: false, reason: expect.stringMatching(/altered after it was logged/) });
  });
});
