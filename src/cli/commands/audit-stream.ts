/**
 * `model-gate audit stream`: publishes the log to a Kafka topic, and the
 * Kafka connection flags `audit verify --kafka` shares. Registered under
 * `audit` by audit.ts. The Kafka client is loaded only when a command runs.
 */
import type { Command } from 'commander';
import { ExitCode, GateError } from '../../core/errors.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import { action, integerOption, type CliRun } from '../command-kit.js';
import { readInputText } from '../input-file.js';

/** The Kafka connection flags as commander parses them. */
export interface KafkaFlags {
  kafka?: string;
  topic?: string;
  kafkaTls?: boolean;
  kafkaCa?: string;
  kafkaCert?: string;
  kafkaKey?: string;
  kafkaSasl?: string;
  kafkaTimeout?: number;
}

/** Adds the connection flags (secrets never: they come from the environment). */
export function addKafkaOptions(cmd: Command, required: boolean, what = 'also check the copy in this Kafka cluster', defaultTimeout = 30): Command {
  const brokers = '--kafka <brokers>';
  const topic = '--topic <topic>';
  if (required) cmd.requiredOption(brokers, 'Kafka bootstrap brokers, host:port[,host:port...]').requiredOption(topic, 'the topic');
  else cmd.option(brokers, `${what} (host:port[,...]), with --topic`).option(topic, 'the topic of --kafka');
  return cmd
    .option('--kafka-tls', 'connect with TLS (system CAs)')
    .option('--kafka-ca <file>', 'PEM CA certificate(s) for the brokers (implies TLS)')
    .option('--kafka-cert <file>', 'PEM client certificate for mutual TLS, with --kafka-key')
    .option('--kafka-key <file>', 'PEM private key of --kafka-cert (passphrase: $MODEL_GATE_KAFKA_KEY_PASSPHRASE)')
    .option(
      '--kafka-sasl <mechanism>',
      'plain, scram-sha-256, scram-sha-512 (user and password: $MODEL_GATE_KAFKA_USERNAME, $MODEL_GATE_KAFKA_PASSWORD) or aws-msk-iam (AWS credentials, $AWS_REGION)',
    )
    .option('--kafka-timeout <seconds>', 'give up (exit 3) when Kafka does not answer for this long', integerOption('--kafka-timeout'), defaultTimeout);
}

async function readPem(io: CliIo, file: string, flag: string): Promise<string> {
  return readInputText(io.cwd, file, `${flag} file`);
}

function connectionOptions(flags: KafkaFlags): import('../../audit/stream/kafka-connection.js').KafkaConnectionOptions {
  return {
    brokers: flags.kafka ?? '',
    tls: flags.kafkaTls,
    caFile: flags.kafkaCa,
    certFile: flags.kafkaCert,
    keyFile: flags.kafkaKey,
    sasl: flags.kafkaSasl,
  };
}

/**
 * The streamer `audit append --kafka` hands to the append: the connection is
 * resolved first, so a bad flag or a missing secret stops the command (exit
 * 2) before anything is appended; Kafka itself is asked only after.
 */
export async function streamerFromFlags(io: CliIo, flags: KafkaFlags): Promise<import('../../audit/stream/after-append.js').AppendStreamer> {
  if (!flags.kafka || !flags.topic) {
    throw new GateError('E_USAGE', '--kafka and --topic go together', { hint: 'pass both: --kafka host:port --topic audit.events' });
  }
  const { resolveKafkaConnection, appendStreamer } = await import('../../audit/stream/index.js');
  const conn = await resolveKafkaConnection(connectionOptions(flags), io.env, (file, flag) => readPem(io, file, flag));
  return appendStreamer(conn, flags.topic, { timeoutMs: Math.max(1, flags.kafkaTimeout ?? 10) * 1000 });
}

/** Opens the topic the flags name (the Kafka client is imported here, not at startup). */
export async function openTopicFromFlags(io: CliIo, flags: KafkaFlags): Promise<import('../../audit/stream/kafka-topic.js').KafkaTopic> {
  if (!flags.kafka || !flags.topic) {
    throw new GateError('E_USAGE', '--kafka and --topic go together', { hint: 'pass both: --kafka host:port --topic audit.events' });
  }
  const { openKafkaTopic } = await import('../../audit/stream/index.js');
  return openKafkaTopic(
    connectionOptions(flags),
    flags.topic,
    io.env,
    (file, flag) => readPem(io, file, flag),
    { timeoutMs: Math.max(1, flags.kafkaTimeout ?? 30) * 1000, log: io.env.MODEL_GATE_KAFKA_DEBUG ? (l) => io.stderr(`${l}\n`) : undefined },
  );
}

/** Adds `stream` to the `audit` command. */
export function registerAuditStream(audit: Command, run: CliRun): void {
  const cmd = audit
    .command('stream')
    .description(
      'publish every record of the log not yet in the Kafka topic, in order, each exactly once, as CloudEvents (the topic tells where to resume); --follow keeps tailing the store',
    )
    .requiredOption('--store <url>', 'audit store: file://DIR, a directory, or s3://BUCKET/PREFIX');
  addKafkaOptions(cmd, true)
    .option('--follow', 'keep publishing new records until SIGINT/SIGTERM')
    .option('--interval <ms>', 'with --follow: how often to look for new records', integerOption('--interval'), 1000)
    .option('--batch <n>', 'records per Kafka transaction', integerOption('--batch'), 2000)
    .option('--json', 'print {log, resumed_after, published, last, partition, stood_down} as JSON')
    .action(
      action(run, async (opts: KafkaFlags & { store: string; follow?: boolean; interval: number; batch: number; json?: boolean }) => {
        const { openStore } = await import('../../audit/open-store.js');
        const store = await openStore(opts.store, { env: run.io.env, cwd: run.io.cwd });
        const topic = await openTopicFromFlags(run.io, opts);
        const { streamLog } = await import('../../audit/stream/index.js');
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        if (opts.follow) {
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        }
        try {
          const r = await streamLog(store, topic, {
            follow: opts.follow,
            intervalMs: Math.max(10, opts.interval),
            batchRecords: Math.max(1, opts.batch),
            signal: controller.signal,
            onPublished: opts.follow && !opts.json ? ({ from, to }) => run.io.stderr(`published records ${from}..${to}\n`) : undefined,
          });
          const partition = r.log === null ? null : await topic.partitionOf(r.log).catch(() => null);
          if (opts.json) {
            printJson(run.io, {
              log: r.log, resumed_after: r.resumedAfter, published: r.published, last: r.last, partition,
              topic: topic.displayName, stood_down: r.stoodDown ?? null,
            });
          } else if (r.log === null) {
            run.io.stdout(`the store holds no records yet: nothing to stream to ${topic.displayName}\n`);
          } else if (r.stoodDown) {
            run.io.stdout(`stood down after ${r.published} record(s): ${r.stoodDown}\n`);
          } else if (r.published === 0) {
            run.io.stdout(`log ${JSON.stringify(r.log)}: ${topic.displayName} (partition ${partition}) is up to date at record ${r.last}\n`);
          } else {
            run.io.stdout(
              `log ${JSON.stringify(r.log)}: published records ${r.resumedAfter + 1}..${r.last} (${r.published}) to ${topic.displayName} (partition ${partition})\n`,
            );
          }
          if (r.stoodDown) run.io.stderr(`note: ${r.stoodDown}\n`);
          return ExitCode.ok;
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          await topic.close();
        }
      }),
    );
}

/**
 * `audit verify --kafka`: adds the topic's findings to a verification result
 * (the result is the store verifier's; its `ok` turns false with any finding).
 */
export async function crossCheckKafka(
  io: CliIo,
  flags: KafkaFlags,
  store: import('../../audit/store.js').AuditStore,
  result: { ok: boolean; status?: string; findings: import('../../audit/findings.js').Finding[] },
): Promise<void> {
  const topic = await openTopicFromFlags(io, flags);
  try {
    const { verifyTopicCopy } = await import('../../audit/stream/index.js');
    const { sortFindings } = await import('../../audit/findings.js');
    const check = await verifyTopicCopy(store, topic);
    result.findings = sortFindings([...result.findings, ...check.findings]);
    result.ok = result.findings.length === 0;
    if (!result.ok && result.status !== undefined) result.status = 'findings';
    io.stderr(`note: ${check.topic} (partition ${check.partition ?? '-'}) holds ${check.messages} message(s) of the log\n`);
  } finally {
    await topic.close();
  }
}
