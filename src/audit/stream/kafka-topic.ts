/**
 * The Kafka edge of the stream: {@link AuditTopic} over kafkajs.
 *
 * Publishing uses kafkajs's transactional producer (idempotent, acks=all,
 * one request in flight) with a transactional id derived from the topic and
 * the log, so a second stream process for the same log fences the first
 * (KIP-98 zombie fencing): see docs/audit-stream.md for the proof.
 *
 * Reading needs one partition from a given offset, without a consumer group
 * (a group join costs the broker's initial rebalance delay, 3 s by default,
 * on every run; and a stream must not leave committed offsets behind).
 * kafkajs has no public group-less consumer, so the reader uses kafkajs's own
 * cluster, broker and batch classes (its consumer's building blocks): the
 * version is pinned exactly in package.json, and the stream tests exercise
 * this path against a real Kafka-protocol cluster.
 */
import { createRequire } from 'node:module';
import { Kafka, Partitioners, logLevel, type KafkaConfig, type Producer, type SASLOptions } from 'kafkajs';
import { GateError, messageOf } from '../../core/errors.js';
import type { StreamMessage, TopicMessage } from './cloudevent.js';
import type { KafkaConnection } from './kafka-connection.js';
import { installProduceEncoder } from './kafkajs-produce.js';
import { installTimerClamp } from './kafkajs-timers.js';
import type { AuditTopic } from './topic.js';

const require = createRequire(import.meta.url);

/** kafkajs's internal Batch: drops aborted-transaction messages and control records. */
interface KafkaBatch {
  messages: Array<{ offset: string; key: Buffer | null; value: Buffer | null; headers?: Record<string, Buffer | string | undefined> }>;
  isEmptyIncludingFiltered(): boolean;
  lastOffset(): string;
}
type BatchClass = new (topic: string, fetchedOffset: string, partitionData: unknown) => KafkaBatch;
const Batch = require('kafkajs/src/consumer/batch.js') as BatchClass;

/** The parts of kafkajs's internal Cluster and Broker the reader uses. */
interface KBroker {
  fetch(req: {
    replicaId?: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<{ responses: Array<{ topicName: string; partitions: Array<{ partition: number; errorCode: number; highWatermark: string; lastStableOffset?: string }> }> }>;
  listOffsets(req: {
    replicaId?: number;
    isolationLevel: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; timestamp: number }> }>;
  }): Promise<{ responses: Array<{ topic: string; partitions: Array<{ partition: number; errorCode: number; offset: string }> }> }>;
}
interface KCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  findBroker(q: { nodeId: number }): Promise<KBroker>;
}

const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;
const LATEST = -1;
const EARLIEST = -2;
/** Kafka's documented default message.max.bytes is 1 MiB per record batch; stay well under. */
const MAX_SEND_BYTES = 512 * 1024;
/** Error codes of a producer that lost its epoch to a newer one (KIP-98, KIP-588). */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
const FENCED_CODES = new Set([47, 90]);
/**
 * Errors after which the producer's sequence state is spoilt but a new
 * producer can go on: a retried batch the broker already has and reports as
 * a duplicate (Java's producer and librdkafka count that as written; kafkajs
 * fails the send), a sequence gap, an expired producer id.
 */
const RESUMABLE_TYPES = new Set(['DUPLICATE_SEQUENCE_NUMBER', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_TXN_STATE', 'INVALID_PRODUCER_ID_MAPPING']);

export interface KafkaTopicOptions {
  /** Bound on any one operation (connect, read, publish), in ms. Default 30,000. */
  timeoutMs?: number;
  /** kafkajs log lines go here (default: nowhere). Never carries credentials. */
  log?: (line: string) => void;
}

/** The transactional id of a log's publisher in a topic: the same for every stream process. */
export function transactionalIdFor(topic: string, log: string): string {
  return `model-gate-stream:${topic}:${log}`;
}

function saslFor(conn: KafkaConnection): SASLOptions | undefined {
  const s = conn.sasl;
  if (!s) return undefined;
  if (s.mechanism === 'aws-msk-iam') {
    const region = s.region;
    return {
      mechanism: 'oauthbearer',
      // MSK IAM over SASL/OAUTHBEARER: a short-lived token signed with the
      // AWS credentials of the default chain (role, OIDC, instance profile).
      oauthBearerProvider: async () => {
        const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
        const { token } = await generateAuthToken({ region });
        return { value: token };
      },
    };
  }
  return { mechanism: s.mechanism, username: s.username, password: s.password } as SASLOptions;
}

/** Walks an error's causes (kafkajs wraps retried errors). */
function* causes(e: unknown): Generator<Record<string, unknown>> {
  let cur: unknown = e;
  for (let i = 0; i < 8 && cur && typeof cur === 'object'; i++) {
    yield cur as Record<string, unknown>;
    const o = cur as { cause?: unknown; originalError?: unknown };
    cur = o.cause ?? o.originalError;
  }
}

function isFenced(e: unknown): boolean {
  for (const c of causes(e)) {
    if (FENCED_TYPES.has(String(c.type)) || FENCED_CODES.has(Number(c.code))) return true;
    // kafkajs 2.2.4 predates PRODUCER_FENCED (90): it reports "Unknown error code 90".
    if (c.type === 'KAFKAJS_UNKNOWN_ERROR_CODE' && /\bcode 90\b/.test(String(c.message))) return true;
  }
  return false;
}

function protocolType(e: unknown): string | undefined {
  for (const c of causes(e)) if (typeof c.type === 'string') return c.type;
  return undefined;
}

/**
 * kafkajs's retry settings whose backoffs add up to at most three quarters of
 * the bound: once the bound has passed and the topic is closed, no retry of
 * kafkajs keeps the process alive much longer (a CLI run or an Action step
 * ends when its last timer does).
 */
export function retryWithin(timeoutMs: number): { retries: number; initialRetryTime: number; maxRetryTime: number } {
  const initialRetryTime = 100;
  const maxRetryTime = Math.max(initialRetryTime, Math.min(2_000, Math.floor(timeoutMs / 8)));
  let retries = 0;
  let total = 0;
  for (let wait = initialRetryTime; retries < 8 && total + wait <= timeoutMs * 0.75; wait = Math.min(wait * 2, maxRetryTime)) {
    total += wait;
    retries++;
  }
  return { retries, initialRetryTime, maxRetryTime };
}

/** The kafkajs client settings for a connection (TLS always verifies the brokers' certificates). */
export function kafkajsConfig(conn: KafkaConnection, timeoutMs: number, log?: (line: string) => void): KafkaConfig {
  return {
    clientId: conn.clientId,
    brokers: conn.brokers,
    ssl: conn.ssl ? { ...conn.ssl, rejectUnauthorized: true } : undefined,
    sasl: saslFor(conn),
    connectionTimeout: Math.max(500, Math.min(10_000, Math.floor(timeoutMs / 2))),
    // Below the overall bound, so a lost response is retried (same producer
    // sequence: the broker acknowledges the duplicate without appending it).
    requestTimeout: Math.max(1000, Math.min(10_000, Math.floor(timeoutMs / 4))),
    retry: retryWithin(timeoutMs),
    logLevel: log ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry) => log?.(`kafka: ${entry.log.message}`),
  };
}

export class KafkaTopic implements AuditTopic {
  readonly displayName: string;
  private readonly kafka: Kafka;
  private readonly timeoutMs: number;
  private cluster: KCluster | null = null;
  private producer: Producer | null = null;
  private claimedLog: string | null = null;
  private partitions = new Map<string, number>();
  /** Set by close(): loops of an operation that outlived its bound stop at their next step. */
  private closed = false;

  constructor(
    conn: KafkaConnection,
    readonly topic: string,
    options: KafkaTopicOptions = {},
  ) {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) {
      throw new GateError('E_USAGE', `not a Kafka topic name: ${JSON.stringify(topic)}`, {
        where: '--topic',
        hint: 'Kafka topic names are 1 to 249 letters, digits, ".", "_" and "-"',
      });
    }
    this.displayName = `kafka://${conn.display}/${topic}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const config = kafkajsConfig(conn, this.timeoutMs, options.log);
    // kafkajs's record encoder costs most of a publish's CPU; the same bytes in one pass.
    installProduceEncoder();
    // kafkajs's negative setTimeout delay is a warning on stderr since Node 23.
    installTimerClamp();
    this.kafka = new Kafka(config);
  }

  /** Runs one operation under the timeout; a cluster that does not answer in time is E_KAFKA. */
  private async bounded<T>(what: string, op: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new GateError('E_KAFKA', `Kafka did not complete ${what} within ${Math.round(this.timeoutMs / 1000)} s`, {
              where: this.displayName,
              hint: 'the cluster is unreachable or has no leader for the partition; nothing more was published. Run `model-gate audit stream` again later: it resumes from the topic',
            }),
          ),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([op().catch((e) => Promise.reject(this.mapError(e, what))), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private mapError(e: unknown, what: string): unknown {
    if (e instanceof GateError) return e;
    const type = protocolType(e);
    if (isFenced(e)) {
      return new GateError('E_STREAM_FENCED', `another stream process took over this log in ${this.displayName} (Kafka fenced this producer)`, {
        where: this.displayName,
        cause: e,
        hint: 'one stream process per log publishes; this one stands down',
      });
    }
    if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
      return new GateError('E_CONFIG', `the topic ${this.topic} does not exist`, {
        where: this.displayName,
        cause: e,
        hint: 'create it first (replication 3, min.insync.replicas 2, retention.ms -1): the stream does not create topics',
      });
    }
    if (type && /AUTHORIZATION_FAILED$/.test(type)) {
      return new GateError('E_CONFIG', `Kafka refused ${what}: ${type}`, {
        where: this.displayName,
        cause: e,
        hint: `the principal needs Describe and Write on the topic, Read on it for verify, and Describe and Write on the transactional id ${transactionalIdFor(this.topic, '<log>')}`,
      });
    }
    const name = (e as { name?: string })?.name ?? '';
    if (name === 'KafkaJSSASLAuthenticationError') {
      return new GateError('E_CONFIG', `Kafka refused the SASL credentials: ${messageOf(e)}`, { where: this.displayName, cause: e });
    }
    const err = new GateError('E_KAFKA', `Kafka failed during ${what}: ${messageOf(e)}`, {
      where: this.displayName,
      cause: e,
      hint: 'nothing more was published; run `model-gate audit stream` again later: it resumes from the topic',
    });
    if (type && RESUMABLE_TYPES.has(type)) Object.assign(err, { resumable: true });
    return err;
  }

  private async readCluster(): Promise<KCluster> {
    if (this.cluster) return this.cluster;
    // kafkajs's own factory, so the reader shares the client's TLS, SASL and retry settings.
    const sym = Object.getOwnPropertySymbols(this.kafka).find((s) => s.description === 'private:Kafka:createCluster');
    const create = sym ? (this.kafka as unknown as Record<symbol, unknown>)[sym] : undefined;
    if (typeof create !== 'function') {
      throw new GateError('E_KAFKA', 'this kafkajs version has no cluster factory the reader can use (kafkajs must be 2.2.4)');
    }
    const cluster = (create as (o: object) => KCluster)({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED });
    await cluster.connect();
    await cluster.addTargetTopic(this.topic);
    this.cluster = cluster;
    return cluster;
  }

  async partitionOf(log: string): Promise<number> {
    const known = this.partitions.get(log);
    if (known !== undefined) return known;
    return this.bounded('reading the topic metadata', async () => {
      const cluster = await this.readCluster();
      const partitionMetadata = cluster.findTopicPartitionMetadata(this.topic);
      if (!partitionMetadata.length) throw new GateError('E_CONFIG', `the topic ${this.topic} has no partitions`, { where: this.displayName });
      // Java's (and kafkajs's) default partitioner, murmur2 of the key: any
      // producer keyed by the log name picks the same partition.
      const partition = Partitioners.DefaultPartitioner()({
        topic: this.topic,
        partitionMetadata: partitionMetadata.map((p) => ({ ...p, partitionErrorCode: 0, replicas: [], isr: [] })),
        message: { key: log, value: null },
      });
      this.partitions.set(log, partition);
      return partition;
    });
  }

  private async leaderOf(partition: number, refresh = false): Promise<KBroker> {
    const cluster = await this.readCluster();
    if (refresh) await cluster.refreshMetadata();
    const meta = cluster.findTopicPartitionMetadata(this.topic).find((p) => p.partitionId === partition);
    if (!meta) throw new GateError('E_KAFKA', `partition ${partition} of ${this.topic} has no metadata`, { where: this.displayName });
    return cluster.findBroker({ nodeId: meta.leader });
  }

  /** Runs a request against the partition's leader, following leadership changes. */
  private async onLeader<T>(partition: number, op: (b: KBroker) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 30 && !this.closed; attempt++) {
      try {
        return await op(await this.leaderOf(partition, attempt > 0));
      } catch (e) {
        if (e instanceof GateError) throw e;
        const retriable = [...causes(e)].some((c) => c.retriable === true) || /Connection|ECONNREFUSED|Closed connection/i.test(messageOf(e));
        if (!retriable) throw e;
        lastError = e;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
      }
    }
    throw lastError ?? new GateError('E_KAFKA', 'the topic connection was closed', { where: this.displayName });
  }

  private async offsets(partition: number): Promise<{ low: number; high: number; stable: number }> {
    const list = async (isolationLevel: number, timestamp: number): Promise<number> =>
      this.onLeader(partition, async (b) => {
        const r = await b.listOffsets({ replicaId: -1, isolationLevel, topics: [{ topic: this.topic, partitions: [{ partition, timestamp }] }] });
        return Number(r.responses[0].partitions[0].offset);
      });
    return { low: await list(READ_UNCOMMITTED, EARLIEST), high: await list(READ_UNCOMMITTED, LATEST), stable: await list(READ_COMMITTED, LATEST) };
  }

  /**
   * The offset below which every message is decided (committed or aborted):
   * waits while another producer's transaction is open below the high
   * watermark seen now (a read_committed read stops at its start).
   */
  private async decidedEnd(partition: number): Promise<{ low: number; end: number }> {
    let o = await this.offsets(partition);
    const target = o.high;
    while (o.stable < target) {
      if (this.closed) throw new GateError('E_KAFKA', 'the topic connection was closed', { where: this.displayName });
      await new Promise((r) => setTimeout(r, 100));
      o = await this.offsets(partition);
    }
    return { low: o.low, end: target };
  }

  /** Committed data messages in [from, to), in offset order. */
  private async readRange(partition: number, from: number, to: number, fn: (m: TopicMessage) => void): Promise<void> {
    let offset = from;
    while (offset < to) {
      const batch = await this.onLeader(partition, async (b) => {
        const r = await b.fetch({
          replicaId: -1,
          isolationLevel: READ_COMMITTED,
          maxWaitTime: 0,
          minBytes: 1,
          maxBytes: 8 * 1024 * 1024,
          topics: [{ topic: this.topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: 4 * 1024 * 1024 }] }],
        });
        return new Batch(this.topic, String(offset), r.responses[0].partitions[0]);
      });
      if (batch.isEmptyIncludingFiltered()) {
        throw new GateError('E_KAFKA', `partition ${partition} of ${this.topic} returned nothing at offset ${offset} below its end ${to}`, { where: this.displayName });
      }
      for (const m of batch.messages) {
        if (Number(m.offset) >= to) break;
        fn({ offset: m.offset, key: m.key, value: m.value, headers: m.headers ?? {} });
      }
      offset = Number(batch.lastOffset()) + 1;
    }
  }

  async lastMessage(log: string): Promise<TopicMessage | null> {
    const partition = await this.partitionOf(log);
    return this.bounded('reading the last record of the log', async () => {
      const { low, end } = await this.decidedEnd(partition);
      // Backwards in growing windows: the log's last message is usually near
      // the end, but other logs share the partition.
      let window = 256;
      for (let hi = end; hi > low; ) {
        const lo = Math.max(low, hi - window);
        let last: TopicMessage | null = null;
        await this.readRange(partition, lo, hi, (m) => {
          if (m.key?.toString('utf8') === log) last = m;
        });
        if (last) return last;
        hi = lo;
        window *= 4;
      }
      return null;
    });
  }

  async forEachMessage(log: string, fn: (m: TopicMessage) => void): Promise<void> {
    const partition = await this.partitionOf(log);
    await this.bounded('reading the log from the topic', async () => {
      const { low, end } = await this.decidedEnd(partition);
      await this.readRange(partition, low, end, (m) => {
        if (m.key?.toString('utf8') === log) fn(m);
      });
    });
  }

  async claim(log: string): Promise<void> {
    if (this.claimedLog === log && this.producer) return;
    if (this.producer) throw new GateError('E_USAGE', 'one topic connection publishes one log');
    await this.bounded('taking over the log (initialising the transactional producer)', async () => {
      const producer = this.kafka.producer({
        transactionalId: transactionalIdFor(this.topic, log),
        maxInFlightRequests: 1,
        // The transaction's own sends are idempotent (kafkajs always sets
        // idempotence for them); `idempotent` here would also ask for a
        // second, non-transactional producer id that nothing uses.
        idempotent: false,
        transactionTimeout: 60_000,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      this.producer = producer;
      // InitProducerId happens with the first transaction: do it now, before
      // the tail is read, so every earlier producer of this log is fenced and
      // its open transaction aborted first.
      const txn = await producer.transaction();
      await txn.abort();
      this.claimedLog = log;
    });
    await this.partitionOf(log);
  }

  async publish(messages: StreamMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = this.producer;
    const log = this.claimedLog;
    if (!producer || log === null) throw new GateError('E_USAGE', 'publish before claim');
    const partition = await this.partitionOf(log);
    await this.bounded(`publishing ${messages.length} record(s)`, async () => {
      const txn = await producer.transaction();
      try {
        for (let i = 0; i < messages.length; ) {
          const chunk = [];
          let bytes = 0;
          while (i < messages.length && (chunk.length === 0 || bytes + messages[i].value.length < MAX_SEND_BYTES)) {
            const m = messages[i++];
            if (m.key !== log) throw new GateError('E_USAGE', `a message of log ${m.key} in a publish for ${log}`);
            bytes += m.value.length + 512;
            chunk.push({ partition, key: m.key, value: m.value, headers: m.headers });
          }
          await txn.send({ topic: this.topic, acks: -1, timeout: this.timeoutMs, messages: chunk });
        }
        await txn.commit();
      } catch (e) {
        // Best effort: an open transaction would hold back read_committed
        // readers until it times out; a fenced producer cannot abort anyway.
        if (!isFenced(e)) await txn.abort().catch(() => undefined);
        throw e;
      }
    });
  }

  async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    this.claimedLog = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const closing: Array<Promise<unknown>> = [];
    if (this.producer) closing.push(this.producer.disconnect().catch(() => undefined));
    if (this.cluster) closing.push(this.cluster.disconnect().catch(() => undefined));
    this.producer = null;
    this.cluster = null;
    this.claimedLog = null;
    await Promise.all(closing);
  }
}
