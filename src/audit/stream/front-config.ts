/**
 * The stream-after-append settings of the Action (its inputs) and the App
 * (its environment), as one plain object, and the streamer built from it.
 * The fronts only translate their world into {@link KafkaStreamConfig}.
 *
 * The App takes the Kafka address from its own environment, never from a
 * repository's policy file: a policy could otherwise point the App's Kafka
 * credentials at a broker of its choosing.
 */
import { promises as fsp } from 'node:fs';
import { resolve } from 'node:path';
import { GateError } from '../../core/errors.js';
import { appendStreamer, AFTER_APPEND_TIMEOUT_MS, type AppendStreamer, type StreamOutcome } from './after-append.js';
import { resolveKafkaConnection, type KafkaConnectionOptions } from './kafka-connection.js';

export interface KafkaStreamConfig extends KafkaConnectionOptions {
  topic: string;
  /** Bound of the stream step after each append, in seconds (default 10). */
  timeoutSeconds?: number;
  /** Where the setting came from, for messages (`input "audit-kafka"`, `$MODEL_GATE_KAFKA_BROKERS`). */
  where: string;
}

/** The App's variables for streaming its audit records to Kafka. */
export const APP_KAFKA_ENV = {
  brokers: 'MODEL_GATE_KAFKA_BROKERS',
  topic: 'MODEL_GATE_KAFKA_TOPIC',
  tls: 'MODEL_GATE_KAFKA_TLS',
  caFile: 'MODEL_GATE_KAFKA_CA_FILE',
  certFile: 'MODEL_GATE_KAFKA_CERT_FILE',
  keyFile: 'MODEL_GATE_KAFKA_KEY_FILE',
  sasl: 'MODEL_GATE_KAFKA_SASL',
  timeout: 'MODEL_GATE_KAFKA_TIMEOUT_SECONDS',
} as const;

function seconds(text: string | undefined, where: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 600) {
    throw new GateError('E_CONFIG', `must be a whole number of seconds from 1 to 600, got ${JSON.stringify(text)}`, { where });
  }
  return Number(text);
}

function flag(text: string | undefined, where: string): boolean {
  if (text === undefined || text === '' || /^(false|0|no)$/i.test(text)) return false;
  if (/^(true|1|yes)$/i.test(text)) return true;
  throw new GateError('E_CONFIG', `must be true or false, got ${JSON.stringify(text)}`, { where });
}

/** The App's stream settings from its environment, or undefined when MODEL_GATE_KAFKA_BROKERS is unset. */
export function kafkaStreamConfigFromEnv(env: Record<string, string | undefined>): KafkaStreamConfig | undefined {
  const brokers = env[APP_KAFKA_ENV.brokers];
  if (!brokers) return undefined;
  const topic = env[APP_KAFKA_ENV.topic];
  if (!topic) {
    throw new GateError('E_CONFIG', `${APP_KAFKA_ENV.brokers} is set but ${APP_KAFKA_ENV.topic} is not`, {
      where: `$${APP_KAFKA_ENV.topic}`,
      hint: 'name the topic the audit records go to, or unset the brokers to stream nothing',
    });
  }
  return {
    brokers,
    topic,
    tls: flag(env[APP_KAFKA_ENV.tls], `$${APP_KAFKA_ENV.tls}`),
    caFile: env[APP_KAFKA_ENV.caFile] || undefined,
    certFile: env[APP_KAFKA_ENV.certFile] || undefined,
    keyFile: env[APP_KAFKA_ENV.keyFile] || undefined,
    sasl: env[APP_KAFKA_ENV.sasl] || undefined,
    timeoutSeconds: seconds(env[APP_KAFKA_ENV.timeout], `$${APP_KAFKA_ENV.timeout}`),
    where: `$${APP_KAFKA_ENV.brokers}`,
  };
}

/**
 * Builds the streamer: resolves the connection now (a bad setting or a
 * missing secret is an input error before anything is appended); Kafka
 * itself is contacted only after each append.
 */
export async function streamerFromConfig(config: KafkaStreamConfig, env: Record<string, string | undefined>, cwd: string): Promise<AppendStreamer> {
  const readFile = async (path: string, what: string): Promise<string> => {
    try {
      return await fsp.readFile(resolve(cwd, path), 'utf8');
    } catch (e) {
      throw new GateError('E_CONFIG', `cannot read the ${what.replace(/^--kafka-/, 'Kafka ')} file: ${(e as Error).message}`, { where: path, cause: e });
    }
  };
  let conn;
  try {
    conn = await resolveKafkaConnection(config, env, readFile);
  } catch (e) {
    if (e instanceof GateError && e.where?.startsWith('--')) {
      throw new GateError('E_CONFIG', e.message, { where: config.where, hint: e.hint?.replace(/--kafka-(\w+)/g, 'the $1 setting'), cause: e });
    }
    throw e;
  }
  return appendStreamer(conn, config.topic, { timeoutMs: (config.timeoutSeconds ?? AFTER_APPEND_TIMEOUT_MS / 1000) * 1000 });
}

/**
 * The App's streamer: settings checked at startup (a bad variable stops the
 * server), the connection resolved on first use, every outcome reported to
 * `log` (a failure says the record waits for the next append). Undefined
 * when MODEL_GATE_KAFKA_BROKERS is unset.
 */
export function appStreamerFromEnv(
  env: Record<string, string | undefined>,
  log: (line: string) => void = (l) => void process.stderr.write(`${l}\n`),
  cwd = process.cwd(),
): AppendStreamer | undefined {
  const config = kafkaStreamConfigFromEnv(env);
  if (!config) return undefined;
  let built: Promise<AppendStreamer> | undefined;
  const report = (o: StreamOutcome): StreamOutcome => {
    if (o.ok) log(`audit stream: ${o.topic} holds the log up to record ${o.last}`);
    else log(`audit stream: not published to ${o.topic}: ${o.error}`);
    return o;
  };
  return {
    topic: `kafka://${config.brokers}/${config.topic}`,
    async afterAppend(store) {
      try {
        built ??= streamerFromConfig(config, env, cwd);
        return report(await (await built).afterAppend(store));
      } catch (e) {
        built = undefined;
        return report({ ok: false, topic: `kafka://${config.brokers}/${config.topic}`, error: e instanceof GateError ? e.message : String(e) });
      }
    },
  };
}
