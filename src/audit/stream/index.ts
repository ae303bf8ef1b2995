/**
 * The audit stream: every record of a log to a Kafka topic, exactly once, in
 * order, as CloudEvents a consumer can check (docs/audit-stream.md). The
 * fronts load this module lazily (it brings the Kafka client).
 */
import { KafkaTopic, type KafkaTopicOptions } from './kafka-topic.js';
import { resolveKafkaConnection, type KafkaConnectionOptions } from './kafka-connection.js';

export { streamLog, type StreamOptions, type StreamResult } from './stream-log.js';
export { KafkaTopic, transactionalIdFor, type KafkaTopicOptions } from './kafka-topic.js';
export * from './kafka-connection.js';
export * from './cloudevent.js';
export type { AuditTopic } from './topic.js';

/** Resolves the connection (secrets from `env`) and opens the topic. */
export async function openKafkaTopic(
  options: KafkaConnectionOptions,
  topic: string,
  env: Record<string, string | undefined>,
  readFile: (path: string, flag: string) => Promise<string>,
  topicOptions: KafkaTopicOptions = {},
): Promise<KafkaTopic> {
  const conn = await resolveKafkaConnection(options, env, readFile);
  return new KafkaTopic(conn, topic, topicOptions);
}
export { compareTopic } from './topic-check.js';
export { verifyTopicCopy, type TopicCheck } from './verify-topic.js';
export { appendStreamer, AFTER_APPEND_TIMEOUT_MS, type AppendStreamer, type AppendStreamerOptions, type StreamOutcome } from './after-append.js';
export { APP_KAFKA_ENV, appStreamerFromEnv, kafkaStreamConfigFromEnv, streamerFromConfig, type KafkaStreamConfig } from './front-config.js';
export { compareCopies, checkedMessage, type CheckedMessage } from './topic-check.js';
