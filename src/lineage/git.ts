import { execFile } from 'node:child_process';
import { isAbsolute, relative, sep } from 'node:path';
import { remoteUrlWithoutCredentials } from './git-remote-url.js';

/** One line of `git status --porcelain=v1 -z`: its two status letters and path(s). */
export interface GitStatusEntry {
  /** `XY` as git prints it (`??` untracked, ` M` modified in the work tree, `R ` renamed, ...). */
  code: string;
  /** Relative to the repository's top level, `/`-separated, as git prints it. */
  path: string;
  /** Renames and copies: the path it came from. */
  from?: string;
}

/** What git says about the checkout a record is made in. */
export interface GitCheckout {
  /** The repository's top level (absolute, symbolic links resolved by git). */
  toplevel: string;
  /** HEAD's commit; absent in a repository without commits. */
  commit?: string;
  /** The branch HEAD is on; absent when HEAD is detached. */
  branch?: string;
  /** The remote's URL, credentials removed (the branch's upstream remote, else origin, else the only one). */
  remoteUrl?: string;
  /**
   * Uncommitted changes: tracked files changed (staged or not) and untracked
   * files not ignored, outside the excluded paths. Absent when `git status`
   * failed (then `statusError` says why): the rest is still worth recording.
   */
  status?: GitStatusEntry[];
  statusError?: string;
}

export interface GitOptions {
  cwd: string;
  /** The environment git runs in (its PATH finds git). */
  env: Record<string, string | undefined>;
  /** Per git command (default 30 s): a hung git must not hang a release. */
  timeoutMs?: number;
  /**
   * Absolute, symbolic-link-free paths `git status` leaves out (the model and
   * datasets: an untracked dataset of a million files must not be listed
   * file by file only to be dropped).
   */
  exclude?: string[];
}

/** Why {@link readGitCheckout} found nothing: no git, not a repository, or git failed. */
export class GitUnavailable extends Error {}

/**
 * Asks the `git` on PATH about the checkout `cwd` is in: the top level, HEAD,
 * the branch, the remote URL (credentials removed before it leaves this
 * function) and `git status`. Throws {@link GitUnavailable} when git is
 * missing, `cwd` is not in a work tree, or a command fails or times out.
 * Never writes: `GIT_OPTIONAL_LOCKS=0` keeps `status` from refreshing the index.
 */
export async function readGitCheckout(opts: GitOptions): Promise<GitCheckout> {
  const git = (args: string[]): Promise<GitResult> => runGit(args, opts);
  const top = await git(['rev-parse', '--show-toplevel']);
  if (top.code !== 0) throw new GitUnavailable(top.error ?? (top.stderr.trim() || 'not a git work tree'));
  const toplevel = top.stdout.replace(/\n$/, '');
  const excludes = (opts.exclude ?? [])
    .map((p) => relative(toplevel, p))
    .filter((r) => r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r))
    .map((r) => `:(top,exclude,literal)${r.split(sep).join('/')}`);
  const [head, branch, status, remotes] = await Promise.all([
    git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']),
    git(['symbolic-ref', '--quiet', '--short', 'HEAD']),
    git(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ':/', ...excludes]),
    git(['remote']),
  ]);
  const checkout: GitCheckout = { toplevel };
  if (status.code === 0) checkout.status = parsePorcelainZ(status.stdout);
  else checkout.statusError = status.error ?? (status.stderr.trim() || `git status exited with ${status.code}`);
  if (head.code === 0) checkout.commit = head.stdout.trim();
  if (branch.code === 0 && branch.stdout.trim() !== '') checkout.branch = branch.stdout.trim();
  const names = remotes.code === 0 ? remotes.stdout.split('\n').filter((n) => n !== '') : [];
  let remote: string | undefined;
  if (checkout.branch) {
    const up = await git(['config', '--get', `branch.${checkout.branch}.remote`]);
    if (up.code === 0 && names.includes(up.stdout.trim())) remote = up.stdout.trim();
  }
  remote ??= names.includes('origin') ? 'origin' : names.length === 1 ? names[0] : undefined;
  if (remote !== undefined) {
    const url = await git(['remote', 'get-url', remote]);
    if (url.code === 0 && url.stdout.trim() !== '') checkout.remoteUrl = remoteUrlWithoutCredentials(url.stdout.trim());
  }
  return checkout;
}

/**
 * Parses `git status --porcelain=v1 -z`: `XY PATH\0`, and for renames and
 * copies `XY PATH\0ORIG\0` (with -z the new path comes first). Pure.
 */
export function parsePorcelainZ(text: string): GitStatusEntry[] {
  const parts = text.split('\0');
  const out: GitStatusEntry[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.length < 4) continue; // the empty tail after the last NUL
    const entry: GitStatusEntry = { code: p.slice(0, 2), path: p.slice(3) };
    if (entry.code[0] === 'R' || entry.code[0] === 'C') entry.from = parts[++i];
    out.push(entry);
  }
  return out;
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
  error?: string;
}

function runGit(args: string[], opts: GitOptions): Promise<GitResult> {
  const env = { ...opts.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } as NodeJS.ProcessEnv;
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-c', 'core.quotepath=off', ...args],
      { cwd: opts.cwd, env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
        if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
        const error = e.code === 'ENOENT' ? 'git is not on PATH' : e.killed ? 'git timed out' : e.message;
        resolve({ code: -1, stdout, stderr, error });
      },
    );
  });
}
