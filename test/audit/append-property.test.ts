import fc from 'fast-check';
import { appendRecord } from '../../src/audit/append.js';
import { verifyLog } from '../../src/audit/verify-log.js';
import { parseRecord } from '../../src/audit/record.js';
import { MemoryStore, type Fault } from './memory-store.js';

const noSleep = { retry: { sleep: async () => undefined, attempts: 50 } };

describe('append protocol under concurrency and faults (property)', () => {
  it('never forks, loses or duplicates: every acknowledged append is in the log exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.constantFrom<Fault>('none', 'none', 'before', 'lost-response'), { maxLength: 40 }),
        fc.boolean(),
        async (writers, each, faults, twoStores) => {
          const a = new MemoryStore('memory://a');
          const b = new MemoryStore('memory://b');
          a.faults = [...faults];
          b.faults = [...faults].reverse();
          const stores = twoStores ? [a, b] : [a];
          const acks = await Promise.all(
            Array.from({ length: writers }, async (_, w) => {
              const out: { seq: number; digest: string; id: string }[] = [];
              for (let i = 0; i < each; i++) {
                const id = `w${w}-${i}`;
                const r = await appendRecord(stores, { event_type: 'p', component: 't', actor: `w${w}`, action: id }, noSleep);
                out.push({ ...r, id });
              }
              return out;
            }),
          );
          const result = await verifyLog(stores);
          expect(result.findings).toEqual([]);
          expect(result.size).toBe(writers * each);
          const actions = [...a.objects.entries()]
            .filter(([k]) => k.startsWith('entries/'))
            .map(([, v]) => {
              const p = parseRecord(v);
              return p.ok ? p.record.action : '?';
            });
          expect(actions.sort()).toEqual(acks.flat().map((x) => x.id).sort());
          // Each acknowledgement names the record that holds its event.
          for (const ack of acks.flat()) {
            const p = parseRecord(a.objects.get(`entries/${String(ack.seq).padStart(20, '0')}.json`) as Uint8Array);
            expect(p.ok && p.record.action).toBe(ack.id);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
