/**
 * `audit verify --kafka`: reads the store's records and the topic's messages
 * of the log and compares them ({@link compareTopic}).
 */
import { mapLimit, readLogName } from '../read-chain.js';
import type { Finding } from '../findings.js';
import { DEFAULT_RETRY, withRetry } from '../retry.js';
import { entryKey, seqOfEntryKey, type AuditStore } from '../store.js';
import { recordDigest } from '../record.js';
import { checkedMessage, compareCopies, type CheckedMessage } from './topic-check.js';
import type { AuditTopic } from './topic.js';

export interface TopicCheck {
  topic: string;
  partition: number | null;
  /** Messages of the log read from the topic. */
  messages: number;
  findings: Finding[];
}

/** Cross-checks the topic's copy of the store's log. */
export async function verifyTopicCopy(store: AuditStore, topic: AuditTopic, options: { concurrency?: number } = {}): Promise<TopicCheck> {
  const where = store.displayUrl;
  const log = await withRetry(DEFAULT_RETRY, 'reading record 0', where, () => readLogName(store));
  if (log === null) return { topic: topic.displayName, partition: null, messages: 0, findings: [] };
  const keys = await withRetry(DEFAULT_RETRY, 'listing entries', where, () => store.list('entries'));
  const seqs = keys.map(seqOfEntryKey).filter((s): s is number => s !== null);
  // Digests only, read a chunk at a time: memory stays flat in the log's length.
  const stored = new Map<number, string>();
  for (let i = 0; i < seqs.length; i += 1000) {
    const chunk = seqs.slice(i, i + 1000);
    const bytes = await mapLimit(chunk, options.concurrency ?? 32, (seq) =>
      withRetry(DEFAULT_RETRY, `reading ${entryKey(seq)}`, where, () => store.read(entryKey(seq))),
    );
    chunk.forEach((s, j) => {
      const b = bytes[j];
      if (b) stored.set(s, recordDigest(b));
    });
  }
  const messages: CheckedMessage[] = [];
  await topic.forEachMessage(log, (m) => messages.push(checkedMessage(m)));
  const size = seqs.length ? seqs[seqs.length - 1] + 1 : 0;
  return {
    topic: topic.displayName,
    partition: await topic.partitionOf(log),
    messages: messages.length,
    findings: compareCopies(topic.displayName, log, messages, stored, size),
  };
}
