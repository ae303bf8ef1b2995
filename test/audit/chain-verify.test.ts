import fc from 'fast-check';
import { verifyChain, type EntryObservation } from '../../src/audit/chain-verify.js';
import type { CheckedCheckpoint } from '../../src/audit/checkpoint.js';
import { encodeRecord, parseRecord, recordDigest, type AuditRecord } from '../../src/audit/record.js';
import { buildChain, observe } from './chain-fixtures.js';

const kinds = (r: { findings: { kind: string; seq: number }[] }): string[] => r.findings.map((f) => `${f.kind}@${f.seq}`);
const valid = (chain: Uint8Array[], size = chain.length): CheckedCheckpoint => ({
  size,
  status: 'valid',
  payload: { log: 'default', size, head: recordDigest(chain[size - 1]), time: '2026-01-02T00:00:00.000Z' },
});
const record = (bytes: Uint8Array): AuditRecord => {
  const p = parseRecord(bytes);
  if (!p.ok) throw new Error(p.reason);
  return p.record;
};

describe('verifyChain (pure)', () => {
  it('a valid chain of any length verifies clean, with its size and head', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), (n) => {
        const chain = buildChain(n);
        const r = verifyChain({ entries: observe(chain), checkpoints: n ? [valid(chain)] : [] });
        expect(r.findings).toEqual([]);
        expect(r.ok).toBe(true);
        expect(r.size).toBe(n);
        expect(r.head).toBe(n ? recordDigest(chain[n - 1]) : null);
      }),
      { numRuns: 30 },
    );
  });

  it('any single-byte change anywhere in a checkpointed chain yields a finding', () => {
    const chain = buildChain(6);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (seq, pos, xor) => {
          const copy = chain.map((b) => Buffer.from(b));
          const at = pos % copy[seq].length;
          copy[seq][at] ^= xor;
          const r = verifyChain({ entries: observe(copy), checkpoints: [valid(chain)] });
          expect(r.ok).toBe(false);
          // The finding is at the altered record, or at the link into the next one.
          expect(r.findings.some((f) => f.seq === seq || f.seq === seq + 1)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('deleting any record but the last, or swapping any two, yields a finding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 20 }), fc.nat(), fc.nat(), (n, i, j) => {
        const chain = buildChain(n);
        const del = i % (n - 1);
        const deleted = verifyChain({ entries: observe(chain).filter((e) => e.seq !== del), checkpoints: [] });
        expect(kinds(deleted)).toContain(`missing@${del}`);
        const a = i % n;
        const b = j % n;
        fc.pre(a !== b);
        const swapped: EntryObservation[] = observe(chain).map((e) =>
          e.seq === a ? { seq: a, bytes: chain[b] } : e.seq === b ? { seq: b, bytes: chain[a] } : e,
        );
        const r = verifyChain({ entries: swapped, checkpoints: [] });
        expect(kinds(r)).toEqual(expect.arrayContaining([`misplaced@${a}`, `misplaced@${b}`]));
      }),
      { numRuns: 100 },
    );
  });

  it('truncation behind a checkpoint or below --min-size is reported; without either it cannot be seen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.nat(), (n, k) => {
        const chain = buildChain(n);
        const keep = k % n; // 0 .. n-1 records kept
        const entries = observe(chain.slice(0, keep));
        expect(kinds(verifyChain({ entries, checkpoints: [valid(chain)] }))).toEqual([`truncated@${keep}`]);
        expect(kinds(verifyChain({ entries, checkpoints: [], minSize: n }))).toEqual([`truncated@${keep}`]);
        expect(verifyChain({ entries, checkpoints: [] }).ok).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('an edited record is reported at its own seq when the next record vouches for the one after it', () => {
    const chain = buildChain(5);
    const edited = Buffer.from(chain[2].toString().replace('event 2', 'event X'));
    const r = verifyChain({ entries: observe([chain[0], chain[1], edited, chain[3], chain[4]]), checkpoints: [] });
    expect(kinds(r)).toEqual(['modified@2']);
  });

  it('an edit of the record before an unvouched last record is a broken-link at the last', () => {
    const chain = buildChain(4);
    const edited = Buffer.from(chain[2].toString().replace('event 2', 'event X'));
    const r = verifyChain({ entries: observe([chain[0], chain[1], edited, chain[3]]), checkpoints: [] });
    expect(kinds(r)).toEqual(['broken-link@3']);
    // A checkpoint over the last record turns it into a proof that record 2 changed.
    const c = verifyChain({ entries: observe([chain[0], chain[1], edited, chain[3]]), checkpoints: [valid(chain)] });
    expect(kinds(c)).toEqual(['modified@2']);
  });

  it('an edit of the last record is found only through a checkpoint', () => {
    const chain = buildChain(3);
    const edited = Buffer.from(chain[2].toString().replace('event 2', 'event X'));
    expect(verifyChain({ entries: observe([chain[0], chain[1], edited]), checkpoints: [] }).ok).toBe(true);
    expect(kinds(verifyChain({ entries: observe([chain[0], chain[1], edited]), checkpoints: [valid(chain)] }))).toEqual(['modified@2']);
  });

  it('a rewritten prev is reported once, as the record that changed', () => {
    const chain = buildChain(5);
    const r2 = record(chain[2]);
    const forged = encodeRecord({ ...r2, prev: `sha256:${'1'.repeat(64)}` });
    const r = verifyChain({ entries: observe([chain[0], chain[1], forged, chain[3], chain[4]]), checkpoints: [] });
    expect(kinds(r)).toEqual(['modified@2']);
  });

  it('reports unparseable, wrong-log, bad-checkpoint, and a first record that does not start at zero', () => {
    const chain = buildChain(3);
    const other = buildChain(3, 'other');
    const r = verifyChain({
      entries: observe([chain[0], Buffer.from('{"v":1'), chain[2]]),
      checkpoints: [{ size: 2, status: 'bad', reason: 'signature does not verify' }],
    });
    expect(kinds(r)).toEqual(expect.arrayContaining(['unparseable@1', 'bad-checkpoint@1']));
    const mixed = verifyChain({ entries: observe([chain[0], chain[1], other[2]]), checkpoints: [] });
    expect(kinds(mixed)).toEqual(expect.arrayContaining(['wrong-log@2']));
    const notGenesis = verifyChain({ entries: observe([chain[1]]).map(() => ({ seq: 0, bytes: encodeRecord({ ...record(chain[1]), seq: 0 }) })), checkpoints: [] });
    expect(kinds(notGenesis)).toEqual(['broken-link@0']);
  });

  it('reports a long gap as one range, so a stray far-away key cannot stall the verifier', () => {
    const chain = buildChain(3);
    const stray = { seq: 99_999_999_999_999, bytes: chain[2] };
    const r = verifyChain({ entries: [...observe(chain), stray], checkpoints: [] });
    expect(r.findings.filter((f) => f.kind === 'missing')).toEqual([
      { kind: 'missing', seq: 3, message: 'records 3 to 99999999999998 (99999999999996 records) are missing' },
    ]);
    expect(kinds(r)).toContain(`misplaced@${stray.seq}`);
    expect(r.size).toBe(100_000_000_000_000);
  });

  it('a checkpoint for another log is a bad-checkpoint', () => {
    const chain = buildChain(2);
    const c = valid(chain);
    if (c.status !== 'valid') throw new Error('fixture');
    const r = verifyChain({ entries: observe(chain), checkpoints: [{ ...c, payload: { ...c.payload, log: 'other' } }] });
    expect(kinds(r)).toEqual(['bad-checkpoint@1']);
  });

  it('tells race losers (superseded) from rogue later versions and delete markers (extra-version)', () => {
    // A writer lost seq 2 to "event 2" and wrote its own event again at seq 3.
    const chain = buildChain(4, 'default', (i) => (i === 3 ? 'late event' : `event ${i}`));
    const loser = encodeRecord({ ...record(chain[3]), seq: 2, prev: record(chain[2]).prev, time: '2026-01-01T00:00:02.500Z' });
    const rogue = encodeRecord({ ...record(chain[1]), action: 'rewritten' });
    const entries = observe(chain).map((e) =>
      e.seq === 2
        ? { ...e, laterVersions: [{ versionId: 'v-loser', deleteMarker: false, bytes: loser }] }
        : e.seq === 1
          ? { ...e, laterVersions: [{ versionId: 'v-rogue', deleteMarker: false, bytes: rogue }, { versionId: 'v-dm', deleteMarker: true }] }
          : e,
    );
    const r = verifyChain({ entries, checkpoints: [] });
    expect(r.superseded).toEqual([{ seq: 2, versionId: 'v-loser', reappearsAt: 3 }]);
    expect(kinds(r)).toEqual(['extra-version@1', 'extra-version@1']);
  });

  it('reports not-locked for a wrong mode or a short retain-until, with one day of slack', () => {
    const chain = buildChain(4);
    const created = new Date('2026-01-01T00:00:00Z');
    const day = 86_400_000;
    const retention = [
      { mode: 'COMPLIANCE' as const, retainUntil: new Date(created.getTime() + 10 * day), createdAt: created },
      { mode: 'COMPLIANCE' as const, retainUntil: new Date(created.getTime() + 9 * day + 1), createdAt: created },
      { mode: 'GOVERNANCE' as const, retainUntil: new Date(created.getTime() + 10 * day), createdAt: created },
      { mode: 'COMPLIANCE' as const, retainUntil: new Date(created.getTime() + 9 * day - 1), createdAt: created },
    ];
    const entries = observe(chain).map((e) => ({ ...e, retention: retention[e.seq] }));
    expect(kinds(verifyChain({ entries, checkpoints: [], retentionDays: 10 }))).toEqual(['not-locked@2', 'not-locked@3']);
    expect(kinds(verifyChain({ entries, checkpoints: [], retentionDays: 10, allowGovernance: true }))).toEqual(['not-locked@3']);
    expect(verifyChain({ entries, checkpoints: [] }).ok).toBe(true);
  });

  it('starting from a trusted checkpoint checks only what follows it', () => {
    const chain = buildChain(10);
    const start = { seq: 5, log: 'default' };
    const entries = observe(chain).filter((e) => e.seq >= 5);
    const r = verifyChain({ entries, checkpoints: [valid(chain, 6)], start, listedSize: 10 });
    expect(r.ok).toBe(true);
    expect(r.size).toBe(10);
    const edited = entries.map((e) => (e.seq === 5 ? { seq: 5, bytes: Buffer.from(chain[5].toString().replace('event 5', 'event X')) } : e));
    expect(kinds(verifyChain({ entries: edited, checkpoints: [valid(chain, 6)], start, listedSize: 10 }))).toEqual(['modified@5']);
    expect(kinds(verifyChain({ entries: [], checkpoints: [valid(chain, 6)], start, listedSize: 3 }))).toEqual(['truncated@3']);
  });
});
