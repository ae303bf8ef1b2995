/**
 * What the stream needs of a Kafka topic, as a small interface: the Kafka
 * adapter (kafka-topic.ts) implements it over the wire, tests may implement
 * it in memory. Every read sees committed messages only.
 */
import type { StreamMessage, TopicMessage } from './cloudevent.js';

export interface AuditTopic {
  /** `kafka://BROKERS/TOPIC`, for messages (never a credential). */
  readonly displayName: string;
  /**
   * Makes this process the one publisher of `log` in this topic. On Kafka
   * this initialises the transactional producer whose id is derived from the
   * topic and the log: the broker then fences every earlier producer of the
   * same log (their next write or commit fails) and aborts the transaction
   * one of them left open. Call before reading the tail.
   */
  claim(log: string): Promise<void>;
  /** The last committed message of `log` in its partition, or null. */
  lastMessage(log: string): Promise<TopicMessage | null>;
  /** Calls `fn` for every committed message of `log` in its partition, in offset order. */
  forEachMessage(log: string, fn: (m: TopicMessage) => void): Promise<void>;
  /**
   * Publishes the messages of the claimed log in order, all or none (one
   * transaction). Throws E_STREAM_FENCED when another process has claimed the
   * log since, E_KAFKA when the cluster fails.
   */
  publish(messages: StreamMessage[]): Promise<void>;
  /** The partition the log's messages go to (for messages and docs). */
  partitionOf(log: string): Promise<number>;
  /** Drops the producer after a failed publish; the next `claim` starts a fresh one. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Whether a publish failure is one a fresh producer cures: the cluster
 * answered, but the producer's sequence state is spoilt (a duplicate or
 * out-of-order sequence, an unknown producer id). Adapters mark such errors
 * with `resumable: true`.
 */
export function isResumable(e: unknown): boolean {
  return e !== null && typeof e === 'object' && (e as { resumable?: unknown }).resumable === true;
}
