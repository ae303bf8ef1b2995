// streamLog against an in-memory topic that fails in every way a Kafka publish
// can (property): nothing published, all published but the answer lost, half
// published then the process gone, fenced. Restarted until it completes, the
// topic always holds each record once, in order, as the store's bytes.
import fc from 'fast-check';
import { GateError } from '../../../src/core/errors.js';
import { appendRecord } from '../../../src/audit/append.js';
import { entryKey } from '../../../src/audit/store.js';
import type { StreamMessage, TopicMessage } from '../../../src/audit/stream/cloudevent.js';
import { streamLog } from '../../../src/audit/stream/stream-log.js';
import type { AuditTopic } from '../../../src/audit/stream/topic.js';
import { MemoryStore } from '../memory-store.js';

type Fault = 'none' | 'before' | 'lost-answer' | 'half-then-crash' | 'fenced';

/** A topic keeping messages as a read_committed reader on the mock sees them (partial sends stay). */
class MemoryTopic implements AuditTopic {
  readonly displayName = 'kafka://memory/t';
  readonly log: TopicMessage[] = [];
  faults: Fault[] = [];
  private claimed = false;
  async claim(): Promise<void> {
    this.claimed = true;
  }
  async lastMessage(log: string): Promise<TopicMessage | null> {
    for (let i = this.log.length - 1; i >= 0; i--) if (this.log[i].key?.toString() === log) return this.log[i];
    return null;
  }
  async forEachMessage(log: string, fn: (m: TopicMessage) => void): Promise<void> {
    this.log.filter((m) => m.key?.toString() === log).forEach(fn);
  }
  private append(ms: StreamMessage[]): void {
    for (const m of ms) {
      this.log.push({
        offset: String(this.log.length),
        key: Buffer.from(m.key),
        value: m.value,
        headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)])),
      });
    }
  }
  async publish(ms: StreamMessage[]): Promise<void> {
    if (!this.claimed) throw new Error('publish before claim');
    const f = this.faults.shift() ?? 'none';
    if (f === 'fenced') throw new GateError('E_STREAM_FENCED', 'fenced');
    if (f === 'before') throw new GateError('E_KAFKA', 'broker unreachable');
    if (f === 'half-then-crash') {
      this.append(ms.slice(0, Math.ceil(ms.length / 2)));
      throw new GateError('E_KAFKA', 'process killed mid-transaction');
    }
    this.append(ms);
    if (f === 'lost-answer') throw Object.assign(new GateError('E_KAFKA', 'duplicate sequence number'), { resumable: true });
  }
  async partitionOf(): Promise<number> {
    return 0;
  }
  async reset(): Promise<void> {
    this.claimed = false;
  }
  async close(): Promise<void> {
    this.claimed = false;
  }
}

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
