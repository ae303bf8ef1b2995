/**
 * `audit verify --kafka`: reads the store's records and the topic's messages
 * of the log and compares them ({@link compareTopic}).
 */
import { mapLimit, readLogName } from '../read-chain.js';
import type { Finding } from '../findings.js';
import { DEFAULT_RETRY, withRetry } from '../retry.js';
import { entryKey, seqOfEntryKey, type AuditStore } from '../store.js';
import type { TopicMessage } from './cloudevent.js';
import { compareTopic } from './topic-check.js';
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
  const bytes = await mapLimit(seqs, options.concurrency ?? 32, (seq) =>
    withRetry(DEFAULT_RETRY, `reading ${entryKey(seq)}`, where, () => store.read(entryKey(seq))),
  );
  const stored = new Map<number, Uint8Array>();
  seqs.forEach((s, i) => {
    const b = bytes[i];
    if (b) stored.set(s, b);
  });
  const messages: TopicMessage[] = [];
  await topic.forEachMessage(log, (m) => messages.push(m));
  const size = seqs.length ? seqs[seqs.length - 1] + 1 : 0;
  return {
    topic: topic.displayName,
    partition: await topic.partitionOf(log),
    messages: messages.length,
    findings: compareTopic(topic.displayName, log, messages, stored, size),
  };
}
