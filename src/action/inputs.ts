import { GateError } from '../core/errors.js';
import { parseDatasetSpec, type DatasetInput } from '../lineage/dataset-spec.js';
import type { KafkaStreamConfig } from '../audit/stream/front-config.js';

export type ActionMode = 'release' | 'verify-lineage' | 'verify-audit';
const MODES: readonly ActionMode[] = ['release', 'verify-lineage', 'verify-audit'];

/** The Action's inputs as plain values, checked. */
export interface ActionInputs {
  mode: ActionMode;
  workingDirectory: string;
  model?: string;
  datasets: DatasetInput[];
  hyperparameters?: string;
  metrics?: string;
  metadataPath?: string;
  statementPath?: string;
  auditStores: string[];
  /** Also record the runner's python3 and pip list (outside the reproducibility digest). */
  pythonEnvironment: boolean;
  eventType: string;
  openPr: boolean;
  prBase?: string;
  prBranch?: string;
  /** A secret: never echoed in messages. */
  githubToken?: string;
  /** Private JWK text (a secret): never echoed in messages. */
  checkpointKey?: string;
  checkpointPublicKey?: string;
  minSize?: number;
  /** Publish the log to Kafka after the release record (audit/stream); credentials from the environment. */
  auditKafka?: KafkaStreamConfig;
}

/**
 * Reads and checks the inputs through `getInput` (the runner's INPUT_* values,
 * trimmed). Errors name the input, as `@actions/core` does for missing ones.
 */
export function readActionInputs(getInput: (name: string) => string): ActionInputs {
  const opt = (name: string): string | undefined => {
    const v = getInput(name).trim();
    return v === '' ? undefined : v;
  };
  const lines = (name: string): string[] =>
    getInput(name)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));

  const mode = (opt('mode') ?? 'release') as ActionMode;
  if (!MODES.includes(mode)) {
    throw new GateError('E_USAGE', `unknown mode ${JSON.stringify(mode)}`, {
      where: 'input "mode"',
      hint: `use one of ${MODES.join(', ')}`,
    });
  }
  const datasets = lines('datasets').map((line, i) => {
    try {
      return parseDatasetSpec(line);
    } catch (e) {
      throw new GateError('E_USAGE', `line ${i + 1}: ${(e as GateError).message}`, {
        where: 'input "datasets"',
        hint: (e as GateError).hint,
      });
    }
  });
  const minSizeText = opt('min-size');
  if (minSizeText !== undefined && !/^\d+$/.test(minSizeText)) {
    throw new GateError('E_USAGE', `must be a whole number, got ${JSON.stringify(minSizeText)}`, { where: 'input "min-size"' });
  }
  const inputs: ActionInputs = {
    mode,
    workingDirectory: opt('working-directory') ?? '.',
    model: opt('model'),
    datasets,
    hyperparameters: opt('hyperparameters'),
    metrics: opt('metrics'),
    metadataPath: opt('metadata-path'),
    statementPath: opt('statement-path'),
    auditStores: lines('audit-store'),
    pythonEnvironment: booleanInput(opt('python-environment') ?? 'false', 'python-environment'),
    eventType: opt('event-type') ?? 'MODEL_RELEASE',
    openPr: booleanInput(opt('open-pr') ?? 'false', 'open-pr'),
    prBase: opt('pr-base'),
    prBranch: opt('pr-branch'),
    githubToken: opt('github-token'),
    checkpointKey: opt('checkpoint-key'),
    checkpointPublicKey: opt('checkpoint-public-key'),
    minSize: minSizeText === undefined ? undefined : Number(minSizeText),
    auditKafka: kafkaInputs(opt),
  };
  if (mode === 'release' && inputs.model === undefined) {
    throw new GateError('E_USAGE', 'Input required and not supplied: model', {
      where: 'input "model"',
      hint: 'give the path of the model artifact, e.g. model: models/policy.pt',
    });
  }
  if (mode === 'verify-audit' && inputs.auditStores.length === 0) {
    throw new GateError('E_USAGE', 'Input required and not supplied: audit-store', {
      where: 'input "audit-store"',
      hint: 'give the audit store URL, e.g. s3://bucket/prefix?region=eu-west-1',
    });
  }
  if (inputs.openPr && inputs.githubToken === undefined) {
    throw new GateError('E_USAGE', 'open-pr needs a token', {
      where: 'input "github-token"',
      hint: 'leave github-token at its default (${{ github.token }}) and grant `contents: write, pull-requests: write`',
    });
  }
  return inputs;
}

/** The `audit-kafka*` inputs, or undefined without `audit-kafka`. */
function kafkaInputs(opt: (name: string) => string | undefined): KafkaStreamConfig | undefined {
  const brokers = opt('audit-kafka');
  if (brokers === undefined) return undefined;
  const topic = opt('audit-kafka-topic');
  if (topic === undefined) {
    throw new GateError('E_USAGE', 'Input required and not supplied: audit-kafka-topic', {
      where: 'input "audit-kafka-topic"',
      hint: 'audit-kafka names the brokers; audit-kafka-topic names the topic the audit records go to',
    });
  }
  const timeout = opt('audit-kafka-timeout');
  if (timeout !== undefined && (!/^\d+$/.test(timeout) || Number(timeout) < 1 || Number(timeout) > 600)) {
    throw new GateError('E_USAGE', `must be a whole number of seconds from 1 to 600, got ${JSON.stringify(timeout)}`, { where: 'input "audit-kafka-timeout"' });
  }
  return {
    brokers,
    topic,
    tls: booleanInput(opt('audit-kafka-tls') ?? 'false', 'audit-kafka-tls'),
    caFile: opt('audit-kafka-ca'),
    sasl: opt('audit-kafka-sasl'),
    timeoutSeconds: timeout === undefined ? undefined : Number(timeout),
    where: 'input "audit-kafka"',
  };
}

/** YAML 1.2 core-schema booleans, as @actions/core's getBooleanInput accepts them. */
function booleanInput(value: string, name: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new GateError('E_USAGE', `must be true or false, got ${JSON.stringify(value)}`, { where: `input "${name}"` });
}
