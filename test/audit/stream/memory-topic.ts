// An AuditTopic in memory, for the stream's property and store-reading tests:
// it keeps messages as a read_committed reader on the test cluster sees them
// (a half-sent transaction stays), and fails a publish as scripted.
import { GateError } from '../../../src/core/errors.js';
import type { StreamMessage, TopicMessage } from '../../../src/audit/stream/cloudevent.js';
import type { AuditTopic } from '../../../src/audit/stream/topic.js';

export type Fault = 'none' | 'before' | 'lost-answer' | 'half-then-crash' | 'fenced';

/** A topic keeping messages as a read_committed reader on the mock sees them (partial sends stay). */
export class MemoryTopic implements AuditTopic {
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

