import { appendRecord } from '../../../src/audit/append.js';
import { entryKey } from '../../../src/audit/store.js';
import { SIG_TYPE, generateNoteKey, parseVkey } from '../../../src/audit/tlog/ed25519-keys.js';
import { must, noteKeyPair } from './note-keys.js';
import { publishAfterAppend } from '../../../src/audit/tlog/append-tiles.js';
import { signTreeCheckpoint } from '../../../src/audit/tlog/note-io.js';
import { verifyTree } from '../../../src/audit/tlog/verify-tree.js';
import { MemoryStore } from '../memory-store.js';

const LOG = 'acme/fraud-model';
const { key, vkey } = noteKeyPair(LOG);
const opts = { logKeys: [vkey], origin: LOG };

async function grow(store: MemoryStore, from: number, to: number, tag = 'release') {
  for (let i = from; i < to; i++) {
    const r = await appendRecord([store], { log: LOG, event_type: 'X', component: 't', actor: 'a', action: `${tag} ${i}` }, { retry: { sleep: async () => undefined } });
    await publishAfterAppend(store, r.seq);
  }
}
async function logOf(n: number): Promise<MemoryStore> {
  const s = new MemoryStore();
  await grow(s, 0, n);
  await signTreeCheckpoint(s, key, n);
  return s;
}
const kinds = (r: { findings: { kind: string; seq: number }[] }) => r.findings.map((f) => `${f.kind}@${f.seq}`);
const editIn = (store: MemoryStore, k: string, from: string, to: string) => {
  const text = Buffer.from(store.objects.get(k)!).toString('latin1');
  if (!text.includes(from)) throw new Error(`${from} not in ${k}`);
  store.objects.set(k, Buffer.from(text.replace(from, to), 'latin1'));
};

describe('verify from bundles (tree verify)', () => {
  it('an intact log of 600 verifies reading 2 bundles and the 88 records after them, not 600 entries', async () => {
    const s = await logOf(600);
    const r = await verifyTree(s, opts);
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({ ok: true, size: 600, note: { size: 600 }, read: { bundled: 512, entries: 88 } });
  });

  it('a tile altered in the store is tile-mismatch, naming it', async () => {
    const s = await logOf(600);
    const t = Buffer.from(s.objects.get('tile/0/001')!);
    t[5 * 32] ^= 1;
    s.objects.set('tile/0/001', t);
    const r = await verifyTree(s, opts);
    expect(kinds(r)).toEqual(['tile-mismatch@261']);
    expect(r.findings[0].message).toMatch(/tile\/0\/001 differs/);
  });

  it('a record altered inside a bundle is found by the chain, the tiles and the signed root', async () => {
    const s = await logOf(600);
    editIn(s, 'tile/entries/000', 'release 100', 'release X00');
    const r = await verifyTree(s, opts);
    expect(kinds(r)).toEqual(expect.arrayContaining(['modified@100', 'tile-mismatch@100', 'modified@599']));
  });

  it('a missing or cut bundle is tile-mismatch and its records are read one by one; the log still verifies otherwise', async () => {
    const s = await logOf(600);
    s.objects.delete('tile/entries/001');
    const r = await verifyTree(s, opts);
    expect(kinds(r)).toEqual(['tile-mismatch@256']);
    expect(r.read).toMatchObject({ bundled: 256, entries: 256 + 88 });
  });

  it('an entry edited after it was bundled: the tree keeps the original; --entries finds the edited copy', async () => {
    const s = await logOf(600);
    editIn(s, entryKey(7), 'release 7', 'release X');
    expect((await verifyTree(s, opts)).findings).toEqual([]);
    expect(kinds(await verifyTree(s, { ...opts, entries: true }))).toEqual(['tile-mismatch@7']);
  });

  it('a rolled-back-and-refilled log fails against a trusted note, with or without --from-checkpoint, whatever its size', async () => {
    const honest = await logOf(300);
    const trusted = Buffer.from(honest.objects.get('checkpoints/00000000000000000300.note')!);
    // Rolled back to 100 records and refilled to 400 with the same key (the attacker holds the writer's credentials, not the tiles' history).
    const forged = new MemoryStore();
    await grow(forged, 0, 100);
    await grow(forged, 100, 400, 'forged');
    await signTreeCheckpoint(forged, key, 400);
    for (const fromNote of [false, true]) {
      const r = await verifyTree(forged, { ...opts, trustedNote: trusted, fromNote });
      expect(r.ok).toBe(false);
      expect(kinds(r)).toContain('modified@299');
    }
    // The honest log, grown, passes from the trusted note and reads only the new records.
    await grow(honest, 300, 350);
    await signTreeCheckpoint(honest, key, 350);
    const ok = await verifyTree(honest, { ...opts, trustedNote: trusted, fromNote: true });
    expect(ok.findings).toEqual([]);
    expect(ok.read).toMatchObject({ bundled: 0, entries: 51 });
  });

  it('S3 retention: a bundle or tail entry whose Object Lock would let it be deleted before the retention period is not-locked, naming it; GOVERNANCE only with allowGovernance', async () => {
    // What the S3 store's inspect reports (mode, retain-until, written at); the memory store has no retention of its own.
    class LockedStore extends MemoryStore {
      readonly retentionDays = 2557;
      modes = new Map<string, 'COMPLIANCE' | 'GOVERNANCE' | null>();
      short = new Set<string>();
      override async inspect(key: string) {
        const got = await super.inspect(key);
        const createdAt = new Date('2026-01-01T00:00:00Z');
        const days = this.short.has(key) ? 1 : 2557;
        const mode = this.modes.has(key) ? this.modes.get(key)! : 'COMPLIANCE';
        return { ...got, retention: { mode, retainUntil: new Date(createdAt.getTime() + days * 86_400_000), createdAt } };
      }
    }
    const s = new LockedStore();
    await grow(s, 0, 300);
    await signTreeCheckpoint(s, key, 300);
    expect(kinds(await verifyTree(s, opts))).toEqual([]);
    s.short.add('tile/entries/000');
    s.modes.set(entryKey(290), 'GOVERNANCE');
    const r = await verifyTree(s, opts);
    expect(kinds(r)).toEqual(['not-locked@0', 'not-locked@290']);
    expect(r.findings[0].message).toMatch(/^tile\/entries\/000 is retained until 2026-01-02T00:00:00.000Z, less than 2557 days/);
    expect(r.findings[1].message).toMatch(/record 290 has retention mode GOVERNANCE, not COMPLIANCE/);
    expect(kinds(await verifyTree(s, { ...opts, allowGovernance: true }))).toEqual(['not-locked@0']);
  });

  it('a witness quorum that the newest note does not meet is bad-checkpoint', async () => {
    const s = await logOf(10);
    const w = must(parseVkey(generateNoteKey('witness.example/w1', SIG_TYPE.cosignatureEd25519).vkey)).vkey;
    expect(kinds(await verifyTree(s, { ...opts, witnesses: [w], quorum: 1 }))).toEqual(['bad-checkpoint@9']);
  });
});
