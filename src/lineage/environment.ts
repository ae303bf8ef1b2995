import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { compareBytewise } from '../core/dir-hash.js';
import { GateError } from '../core/errors.js';
import { fsError } from './fs-errors.js';
import { hashPath } from './hash-path.js';
import type { EnvironmentRecord, LockfileRecord, PythonPackage } from './metadata-types.js';
import { recordPath } from './record-path.js';

/**
 * Names of the files that pin a training environment: pip requirements
 * (`requirements*.txt`, also what `pip freeze >` usually writes), PEP 751
 * `pylock.toml` / `pylock.*.toml`, `poetry.lock`, `uv.lock`, `Pipfile.lock`,
 * conda's `environment.yml`/`.yaml` and `conda-lock.yml`, and the
 * `conda.yaml`/`python_env.yaml` MLflow writes into every model it saves.
 */
export function isLockfileName(name: string): boolean {
  return (
    /^requirements.*\.txt$/.test(name) ||
    /^pylock(\.[^/]+)?\.toml$/.test(name) ||
    [
      'poetry.lock',
      'uv.lock',
      'Pipfile.lock',
      'environment.yml',
      'environment.yaml',
      'conda-lock.yml',
      'conda.yaml',
      'conda.yml',
      'python_env.yaml',
    ].includes(name)
  );
}

/**
 * The lockfiles beside the model: in the directory holding the model and in
 * each directory above it up to and including `cwd` (only the model's
 * directory and `cwd` when the model lies outside `cwd`); for a directory
 * model, also its own top level (where MLflow keeps `requirements.txt` and
 * `conda.yaml`). Paths relative to `cwd`, `/`-separated, in byte-wise order.
 */
export function findLockfiles(cwd: string, model: string): string[] {
  const root = resolve(cwd);
  const dirs: string[] = [];
  const modelAbs = resolve(root, model.replace(/\/+$/, ''));
  if (isDirectory(modelAbs)) dirs.push(modelAbs);
  let d = dirname(modelAbs);
  const inside = d === root || d.startsWith(root + sep);
  for (;;) {
    dirs.push(d);
    if (!inside || d === root) break;
    d = dirname(d);
  }
  if (!inside) dirs.push(root);
  const found = new Set<string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw fsError(e, recordPath(root, dir));
    }
    for (const n of names.filter(isLockfileName)) found.add(recordPath(root, join(dir, n)));
  }
  return [...found].sort(compareBytewise);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false; // hashing the model reports a missing one with its own message
  }
}

export interface EnvironmentOptions {
  cwd: string;
  /** The environment files to record, relative to `cwd` (see {@link findLockfiles}). */
  lockfiles: string[];
  /** The environment python3 runs in (its PATH decides which python3). */
  env: Record<string, string | undefined>;
  /**
   * Also ask the python3 on PATH of the machine that records for its version
   * and installed packages (default false). They describe the recording
   * machine, not the training, and go under `recording_machine`, outside the
   * reproducibility digest.
   */
  python?: boolean;
  /** How long python3 may take (default 30 s): a hung interpreter must not hang a release. */
  pythonTimeoutMs?: number;
  /** Recorded as `node` (default: this process's version). */
  nodeVersion?: string;
}

/**
 * The training environment as its files pin it: the digest of each
 * environment file (a missing or unreadable one, or a directory, is an input
 * error). With `python`, the recording machine's python3 and `pip list`
 * besides (python3 failing or missing leaves them out).
 */
export async function collectEnvironment(opts: EnvironmentOptions): Promise<EnvironmentRecord> {
  const lockfiles: LockfileRecord[] = [];
  for (const path of opts.lockfiles) {
    const r = await hashPath(path, { cwd: opts.cwd, followSymlinks: true });
    if (r.type !== 'file') {
      throw new GateError('E_USAGE', 'an environment file must be a file, not a directory', {
        where: path,
        hint: 'give the lockfile or the saved `pip freeze` output of the training job, e.g. --environment requirements.lock.txt',
      });
    }
    lockfiles.push({ path: recordPath(opts.cwd, path), digest: r.digest });
  }
  const env: EnvironmentRecord = { node: opts.nodeVersion ?? process.version, lockfiles };
  if (opts.python === true) {
    const timeout = opts.pythonTimeoutMs ?? 30_000;
    const [version, packages] = await Promise.all([
      run('python3', ['-c', 'import platform; print(platform.python_version())'], opts, timeout),
      run('python3', ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], opts, timeout),
    ]);
    const machine: NonNullable<EnvironmentRecord['recording_machine']> = {};
    if (version?.trim()) machine.python = version.trim();
    const parsed = packages === undefined ? undefined : parsePipList(packages);
    if (parsed) machine.python_packages = parsed;
    env.recording_machine = machine;
  }
  return env;
}

/** `pip list --format=json` output as name/version pairs sorted by name, or undefined if it is not that. */
export function parsePipList(text: string): PythonPackage[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const out: PythonPackage[] = [];
  for (const p of value) {
    if (p && typeof p.name === 'string' && typeof p.version === 'string') out.push({ name: p.name, version: p.version });
  }
  return out.sort((a, b) => compareBytewise(a.name, b.name));
}

function run(cmd: string, args: string[], opts: EnvironmentOptions, timeout: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, timeout, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout) => resolve(err ? undefined : stdout),
    );
  });
}
