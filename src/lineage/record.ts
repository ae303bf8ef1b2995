import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GateError } from '../core/errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { defaultDatasetName, type DatasetInput } from './dataset-spec.js';
import { collectEnvironment, findLockfiles } from './environment.js';
import { hashPath, type PathDigest } from './hash-path.js';
import { validateMetadata } from './metadata-validate.js';
import {
  METADATA_SCHEMA_V1,
  type ArtifactRecord,
  type DatasetRecord,
  type LineageMetadata,
  type SourceRecord,
} from './metadata-types.js';
import { assertOutputsSafe, type GuardedInput } from './output-guard.js';
import { recordPath } from './record-path.js';
import { reproducibilityDigest } from './reproducibility.js';
import { GitUnavailable, readGitCheckout, type GitCheckout } from './git.js';
import { realPathAllowingMissing } from './real-path.js';
import { composeSource, type SourceOverrides } from './source.js';
import { lineageStatement } from './statement.js';

/** Everything {@link recordLineage} needs; nothing is read from the process. */
export interface RecordOptions {
  /** Working directory: inputs are resolved against it and recorded relative to it. */
  cwd: string;
  /** Environment git and python3 run in (PATH finds them). Nothing else is read from it. */
  env: Record<string, string | undefined>;
  /** What the CI run says about the source (the fronts pass `githubActionsSource(env)`). */
  ciSource?: SourceRecord;
  /** `source` fields given by hand; they win over git and the CI. */
  sourceOverrides?: SourceOverrides;
  /** Ask git about the checkout (default true). */
  git?: boolean;
  gitTimeoutMs?: number;
  model: string;
  datasets?: DatasetInput[];
  hyperparameters?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  /** Where to write metadata.json (default: `metadata.json` beside the model). */
  out?: string;
  /** Also write an in-toto Statement v1 there. */
  statement?: string;
  /** How the front calls the two outputs in errors (default `--out`, `--statement`). */
  outputNames?: { out?: string; statement?: string };
  /**
   * Other files the front read for this record (a hyperparameters or metrics
   * file): outputs may not overwrite them either.
   */
  inputFiles?: GuardedInput[];
  followSymlinks?: boolean;
  /**
   * Also record the model file's sharded digest (OpenSSF model signing's
   * shard serialization), hashed on the other cores while the plain SHA-256
   * is computed; ignored for a model directory.
   */
  shards?: boolean;
  /**
   * The files that pin the training environment (lockfiles, a saved `pip
   * freeze`), relative to `cwd`. Default: the lockfiles beside the model
   * (`findLockfiles`).
   */
  environmentFiles?: string[];
  /**
   * Also record the recording machine's python3 and `pip list` under
   * `environment.recording_machine`, outside the reproducibility digest
   * (default false: they describe this machine, not the training).
   */
  python?: boolean;
  pythonTimeoutMs?: number;
  workers?: number;
  /** Clock for `created_at`. */
  now?: () => Date;
  /** Progress per input (label = its path). */
  onProgress?: (label: string, done: number, total: number) => void;
}

export interface RecordResult {
  metadata: LineageMetadata;
  /** What the record could not establish, for the front to show (e.g. no commit known). */
  warnings: string[];
  metadataPath: string;
  statementPath?: string;
  /** Bytes hashed (model and datasets). */
  totalBytes: number;
  elapsedMs: number;
}

/**
 * Hashes the model and datasets, collects the environment and source,
 * computes the reproducibility digest, and writes metadata.json (and the
 * optional in-toto Statement) atomically. Validates its own output against
 * the schema before writing it.
 */
export async function recordLineage(opts: RecordOptions): Promise<RecordResult> {
  const started = performance.now();
  const datasets = opts.datasets ?? [];
  const named = datasets.map((d) => ({ ...d, name: d.name ?? defaultDatasetName(d.path) }));
  const seen = new Set<string>();
  for (const d of named) {
    const key = `${d.role}:${d.name}`;
    if (seen.has(key)) {
      throw new GateError('E_USAGE', `two ${d.role} datasets are both named ${JSON.stringify(d.name)}`, {
        where: d.path,
        hint: 'name them apart with ROLE:NAME=PATH',
      });
    }
    seen.add(key);
  }
  const metadataPath = resolve(opts.cwd, opts.out ?? join(dirname(opts.model.replace(/\/+$/, '')), 'metadata.json'));
  const statementAbs = opts.statement ? resolve(opts.cwd, opts.statement) : undefined;
  const lockfileNames = opts.environmentFiles
    ? [...new Set(opts.environmentFiles.map((p) => recordPath(opts.cwd, p)))]
    : findLockfiles(opts.cwd, opts.model);
  const outputs = [
    { flag: opts.outputNames?.out ?? '--out', path: metadataPath },
    ...(statementAbs ? [{ flag: opts.outputNames?.statement ?? '--statement', path: statementAbs }] : []),
  ];
  const inputs = [
    { what: 'the model', path: opts.model },
    ...named.map((d) => ({ what: `dataset ${d.name}`, path: d.path })),
    ...(opts.inputFiles ?? []),
    ...lockfileNames.map((p) => ({ what: `environment file ${p}`, path: p })),
  ];
  // Before anything is hashed or written: an output must never replace an input.
  assertOutputsSafe(opts.cwd, outputs, inputs);
  const warnings: string[] = [];
  // What the record pins by digest (or writes) is not "uncommitted code".
  const pinned = [...outputs, ...inputs].map((x) => realPathAllowingMissing(resolve(opts.cwd, x.path)));
  // git runs while the inputs are hashed; its answer is awaited after.
  const gitState: Promise<GitCheckout | string | undefined> =
    opts.git === false
      ? Promise.resolve(undefined)
      : readGitCheckout({ cwd: opts.cwd, env: opts.env, timeoutMs: opts.gitTimeoutMs, exclude: pinned }).catch((e: unknown) => {
          if (e instanceof GitUnavailable) return e.message;
          throw e;
        });
  const hash = (path: string, fingerprint: boolean, shards = false): Promise<PathDigest> =>
    hashPath(path, {
      cwd: opts.cwd,
      followSymlinks: opts.followSymlinks,
      fingerprint,
      shards,
      workers: opts.workers,
      onProgress: opts.onProgress ? (done, total) => opts.onProgress!(path, done, total) : undefined,
    }).catch((e: unknown) => {
      // An error that names no file still belongs to this input: say which.
      if (e instanceof GateError && e.where === undefined) {
        throw new GateError(e.code, e.message, { where: path, hint: e.hint, cause: e.cause });
      }
      throw e;
    });

  // The environment files are small: a missing one is reported before GBs are hashed.
  const environment = await collectEnvironment({
    cwd: opts.cwd,
    env: opts.env,
    lockfiles: lockfileNames,
    python: opts.python,
    pythonTimeoutMs: opts.pythonTimeoutMs,
  });
  const model = await hash(opts.model, false, opts.shards === true);
  const datasetRecords: DatasetRecord[] = [];
  for (const d of named) {
    const r = await hash(d.path, true);
    datasetRecords.push({ name: d.name, role: d.role, ...artifact(opts.cwd, r), ...fingerprintOf(r) });
  }
  const git = await gitState;
  const source = composeSource({
    ci: opts.ciSource,
    git: typeof git === 'object' ? git : undefined,
    overrides: opts.sourceOverrides,
    pinned,
  });
  if (typeof git === 'object' && git.statusError !== undefined && source.commit === git.commit) {
    warnings.push(`source: git status failed (${git.statusError}); whether the working tree differs from the commit is not recorded`);
  }
  if (source.commit === undefined) {
    warnings.push(
      `source: no commit recorded (${typeof git === 'string' ? `git: ${git}` : opts.git === false ? 'git not asked' : 'no commit yet'}); ` +
        'metadata.json does not say which code trained the model: record inside the checkout, or give the commit by hand',
    );
  }
  const hyperparameters = opts.hyperparameters ?? {};
  const body = { datasets: datasetRecords, hyperparameters, environment, source };
  const metadata: LineageMetadata = {
    schema: METADATA_SCHEMA_V1,
    model: artifact(opts.cwd, model),
    datasets: datasetRecords,
    hyperparameters,
    metrics: opts.metrics ?? {},
    environment,
    source,
    reproducibility_digest: reproducibilityDigest(body),
    created_at: (opts.now ?? (() => new Date()))().toISOString(),
  };
  validateMetadata(JSON.parse(JSON.stringify(metadata)), 'metadata.json (as recorded)');

  await writeFileAtomic(metadataPath, `${JSON.stringify(metadata, null, 2)}\n`, opts.out ?? metadataPath);
  let statementPath: string | undefined;
  if (opts.statement) {
    statementPath = statementAbs!;
    await writeFileAtomic(statementPath, `${JSON.stringify(lineageStatement(metadata), null, 2)}\n`, opts.statement);
  }
  return {
    metadata,
    warnings,
    metadataPath,
    statementPath,
    totalBytes: model.size + datasetRecords.reduce((s, d) => s + d.size, 0),
    elapsedMs: performance.now() - started,
  };
}

function artifact(cwd: string, r: PathDigest): ArtifactRecord {
  const a: ArtifactRecord = { path: recordPath(cwd, r.path), type: r.type, digest: r.digest, size: r.size };
  if (r.files) a.files = r.files;
  if (r.shards) a.shards = r.shards;
  return a;
}

function fingerprintOf(r: PathDigest): Pick<DatasetRecord, 'rows' | 'columns'> {
  if (r.rows !== undefined && !Number.isSafeInteger(r.rows)) {
    // Each file's count is exact; their sum over a directory may not be.
    throw new GateError('E_INPUT', `the dataset's files hold more rows than metadata.json can record exactly (2^53 - 1)`, {
      where: r.path,
      hint: 'check the Parquet footers of its files: no real dataset holds that many rows',
    });
  }
  const f: Pick<DatasetRecord, 'rows' | 'columns'> = {};
  if (r.rows !== undefined) f.rows = r.rows;
  if (r.columns !== undefined) f.columns = r.columns;
  return f;
}

