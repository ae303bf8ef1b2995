import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { compareBytewise } from '../core/dir-hash.js';
import { fsError } from './fs-errors.js';
import { hashPath } from './hash-path.js';
import type { EnvironmentRecord, LockfileRecord, PythonPackage } from './metadata-types.js';

/** Lockfile names recorded from the working directory (not its subdirectories). */
export function isLockfileName(name: string): boolean {
  return (
    /^requirements.*\.txt$/.test(name) ||
    ['poetry.lock', 'uv.lock', 'environment.yml', 'environment.yaml', 'Pipfile.lock', 'conda-lock.yml', 'package-lock.json'].includes(name)
  );
}

/**
 * The lockfiles in `cwd` (not its subdirectories), in byte-wise order: what
 * {@link collectEnvironment} records when it is given no list.
 */
export function findLockfiles(cwd: string): string[] {
  try {
    return readdirSync(cwd).filter(isLockfileName).sort(compareBytewise);
  } catch (e) {
    throw fsError(e, cwd);
  }
}

export interface EnvironmentOptions {
  cwd: string;
  /** The lockfiles to record, relative to `cwd` (default: {@link findLockfiles}). */
  lockfiles?: string[];
  /** The environment to run python3 in (its PATH decides which python3). */
  env: Record<string, string | undefined>;
  /** Ask python3 for its version and installed packages (default true). */
  python?: boolean;
  /** How long python3 may take (default 30 s): a hung interpreter must not hang a release. */
  pythonTimeoutMs?: number;
  /** Recorded as `node` (default: this process's version). */
  nodeVersion?: string;
}

/**
 * The training environment as far as the working directory and PATH show it:
 * digests of the lockfiles found in `cwd`, and when python3 is on PATH its
 * version and `pip list`. Python failing or missing is tolerated (the fields
 * are then absent); a lockfile that cannot be read is an error.
 */
export async function collectEnvironment(opts: EnvironmentOptions): Promise<EnvironmentRecord> {
  const names = opts.lockfiles ?? findLockfiles(opts.cwd);
  const lockfiles: LockfileRecord[] = [];
  for (const name of names) {
    const r = await hashPath(name, { cwd: opts.cwd, followSymlinks: true });
    if (r.type === 'file') lockfiles.push({ path: name, digest: r.digest });
  }
  const env: EnvironmentRecord = { node: opts.nodeVersion ?? process.version, lockfiles };
  if (opts.python !== false) {
    const timeout = opts.pythonTimeoutMs ?? 30_000;
    const [version, packages] = await Promise.all([
      run('python3', ['-c', 'import platform; print(platform.python_version())'], opts, timeout),
      run('python3', ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check'], opts, timeout),
    ]);
    if (version?.trim()) env.python = version.trim();
    const parsed = packages === undefined ? undefined : parsePipList(packages);
    if (parsed) env.python_packages = parsed;
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
