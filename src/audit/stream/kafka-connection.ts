/**
 * How to reach a Kafka cluster, as a plain object built from flags (or the
 * Action's inputs, or the App's environment) and the environment. Secrets
 * (SASL passwords, a key's passphrase) come only from the environment: a
 * command line is visible to every user of the machine (`ps`) and lands in
 * shell histories and CI logs.
 */
import { GateError } from '../../core/errors.js';

/** Environment variables the connection reads secrets from. */
export const KAFKA_ENV = {
  username: 'MODEL_GATE_KAFKA_USERNAME',
  password: 'MODEL_GATE_KAFKA_PASSWORD',
  keyPassphrase: 'MODEL_GATE_KAFKA_KEY_PASSPHRASE',
} as const;

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'aws-msk-iam'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** What the user chose (flags, inputs): file names and names of mechanisms, never secrets. */
export interface KafkaConnectionOptions {
  /** Comma-separated `host:port` list (or an array of them). */
  brokers: string | string[];
  /** TLS with the system's CAs (implied by any of the files below). */
  tls?: boolean;
  /** PEM file of the CA(s) that sign the brokers' certificates. */
  caFile?: string;
  /** PEM client certificate (mutual TLS), with `keyFile`. */
  certFile?: string;
  keyFile?: string;
  sasl?: string;
  /** AWS region for MSK IAM (default: AWS_REGION). */
  awsRegion?: string;
  clientId?: string;
}

export type SaslConfig =
  | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  | { mechanism: 'aws-msk-iam'; region: string };

/** A resolved connection: what the Kafka adapter needs, secrets included. */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  ssl?: { ca?: string[]; cert?: string; key?: string; passphrase?: string };
  sasl?: SaslConfig;
  /** For messages: the brokers, never a credential. */
  display: string;
}

const BROKER_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/** Splits and checks a broker list, naming the entry at fault. */
export function parseBrokers(value: string | string[], where = '--kafka'): string[] {
  const items = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) {
    throw new GateError('E_USAGE', 'no Kafka broker given', { where, hint: 'pass host:port[,host:port...], e.g. --kafka b-1.kafka.example:9094' });
  }
  for (const b of items) {
    const m = BROKER_RE.exec(b);
    if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) {
      throw new GateError('E_USAGE', `not a Kafka broker address: ${JSON.stringify(b)}`, {
        where,
        hint: 'write host:port (e.g. kafka-1.internal:9092); several are separated by commas',
      });
    }
    if (b.includes('@')) throw new GateError('E_USAGE', 'a broker address takes no credentials', { where });
  }
  return items;
}

/**
 * Resolves the options against the environment and the files they name.
 * `readFile` reads a PEM file (errors are named after the flag).
 */
export async function resolveKafkaConnection(
  options: KafkaConnectionOptions,
  env: Record<string, string | undefined>,
  readFile: (path: string, flag: string) => Promise<string>,
): Promise<KafkaConnection> {
  const brokers = parseBrokers(options.brokers);
  const conn: KafkaConnection = {
    brokers,
    clientId: options.clientId ?? 'model-release-gate',
    display: brokers.join(','),
  };
  if (Boolean(options.certFile) !== Boolean(options.keyFile)) {
    throw new GateError('E_USAGE', 'a client certificate needs both --kafka-cert and --kafka-key', {
      hint: 'give the PEM certificate and its private key, or neither',
    });
  }
  if (options.tls || options.caFile || options.certFile) {
    const ssl: NonNullable<KafkaConnection['ssl']> = {};
    if (options.caFile) ssl.ca = [await readFile(options.caFile, '--kafka-ca')];
    if (options.certFile && options.keyFile) {
      ssl.cert = await readFile(options.certFile, '--kafka-cert');
      ssl.key = await readFile(options.keyFile, '--kafka-key');
      const passphrase = env[KAFKA_ENV.keyPassphrase];
      if (passphrase) ssl.passphrase = passphrase;
    }
    conn.ssl = ssl;
  }
  if (options.sasl !== undefined) {
    const mechanism = options.sasl.toLowerCase() as SaslMechanism;
    if (!SASL_MECHANISMS.includes(mechanism)) {
      throw new GateError('E_USAGE', `unknown SASL mechanism ${JSON.stringify(options.sasl)}`, {
        where: '--kafka-sasl',
        hint: `use one of ${SASL_MECHANISMS.join(', ')}`,
      });
    }
    if (!conn.ssl) {
      // SASL PLAIN and SCRAM over plain TCP expose the password (PLAIN) or let
      // anyone on the path take over the session; MSK accepts IAM only over TLS.
      throw new GateError('E_USAGE', `SASL ${mechanism} needs TLS: the credentials would cross the network unencrypted`, {
        where: '--kafka-sasl',
        hint: 'add --kafka-tls (or --kafka-ca FILE)',
      });
    }
    if (mechanism === 'aws-msk-iam') {
      const region = options.awsRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      if (!region) {
        throw new GateError('E_USAGE', 'AWS MSK IAM needs the cluster\'s region', { where: '--kafka-sasl', hint: 'set AWS_REGION' });
      }
      conn.sasl = { mechanism, region };
    } else {
      const username = env[KAFKA_ENV.username];
      const password = env[KAFKA_ENV.password];
      if (!username || !password) {
        throw new GateError('E_USAGE', `SASL ${mechanism} needs a user name and password`, {
          where: '--kafka-sasl',
          hint: `set ${KAFKA_ENV.username} and ${KAFKA_ENV.password} in the environment (never on the command line)`,
        });
      }
      conn.sasl = { mechanism, username, password };
    }
  }
  return conn;
}
