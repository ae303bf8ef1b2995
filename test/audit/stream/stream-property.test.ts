// streamLog against an in-memory topic that fails in every way a Kafka publish
// can (property): nothing published, all published but the answer lost, half
// published then the process gone, fenced. Restarted until it completes, the
// topic always holds each record once, in order, as the store's bytes.
import fc from 'fast-check';
import { GateError } from '../../../src/core/errors.js';
import { appendRecord } from '../../../src/audit/append.js';
import { entryKey } from '../../../src/audit/store.js';
import { streamLog } from '../../../src/audit/stream/stream-log.js';
import { MemoryStore } from '../memory-store.js';
import { MemoryTopic, type Fault } from './memory-topic.js';

describe('streamLog under publish failures and restarts (property)', () => {
  it('ends with every record exactly once, in order, byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.constantFrom<Fault>('none', 'none', 'before', 'lost-answer', 'half-then-crash', 'fenced'), { maxLength: 30 }),
        fc.integer({ min: 0, max: 40 }),
        async (n, batch, faults, appendedLater) => {
          const store = new MemoryStore();
          const opts = { retry: { sleep: async () => undefined, attempts: 3, baseDelayMs: 0, maxDelayMs: 0, maxConflicts: 5 } };
          for (let i = 0; i < n; i++) await appendRecord([store], { log: 'acme/m', event_type: 'E', component: 'c', actor: 'a', action: `e${i}` }, opts);
          const topic = new MemoryTopic();
          topic.faults = [...faults];
          let runs = 0;
          // Restart until a run completes without error and without standing down.
          for (;;) {
            runs++;
            if (runs === 3) {
              for (let i = 0; i < appendedLater; i++) await appendRecord([store], { log: 'acme/m', event_type: 'E', component: 'c', actor: 'a', action: `late${i}` }, opts);
            }
            try {
              const r = await streamLog(store, topic, { batchRecords: batch });
              if (!r.stoodDown && runs >= 3) break;
            } catch (e) {
              expect((e as GateError).code).toBe('E_KAFKA');
            }
            expect(runs).toBeLessThan(200);
          }
          const total = n + appendedLater;
          const seqs = topic.log.map((m) => m.headers.ce_id!.toString());
          expect(seqs).toEqual(Array.from({ length: total }, (_, i) => `acme/m/${i}`));
          for (let i = 0; i < total; i++) {
            expect(Buffer.from(topic.log[i].value!).equals(Buffer.from((await store.read(entryKey(i)))!))).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
