import { join } from 'node:path';
import type { GitCheckout } from './git.js';
import type { SourceRecord } from './metadata-types.js';
import { isSameOrInside } from './output-guard.js';

/** How many uncommitted paths `source.uncommitted` lists at most (`uncommitted_count` has them all). */
export const MAX_UNCOMMITTED_LISTED = 1000;

/**
 * What GitHub Actions says about the run, from its default variables
 * (GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_WORKFLOW, GITHUB_RUN_ID,
 * GITHUB_RUN_ATTEMPT, GITHUB_ACTOR, GITHUB_TRIGGERING_ACTOR, the run URL from
 * GITHUB_SERVER_URL; the branch from GITHUB_HEAD_REF, or GITHUB_REF_NAME when
 * GITHUB_REF_TYPE is `branch`). Unset or empty variables are left out. The
 * fronts call this with the environment they read; lineage code never reads
 * process.env. Pure.
 */
export function githubActionsSource(env: Record<string, string | undefined>): SourceRecord {
  const s: SourceRecord = {};
  const v = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const set = <K extends keyof SourceRecord>(key: K, value: SourceRecord[K] | undefined): void => {
    if (value !== undefined) s[key] = value;
  };
  set('repository', v('GITHUB_REPOSITORY'));
  set('commit', v('GITHUB_SHA'));
  set('branch', v('GITHUB_HEAD_REF') ?? (v('GITHUB_REF_TYPE') === 'branch' ? v('GITHUB_REF_NAME') : undefined));
  set('workflow', v('GITHUB_WORKFLOW'));
  set('run_id', v('GITHUB_RUN_ID'));
  set('run_attempt', v('GITHUB_RUN_ATTEMPT'));
  const [server, repo, id] = [v('GITHUB_SERVER_URL'), v('GITHUB_REPOSITORY'), v('GITHUB_RUN_ID')];
  if (server && repo && id) s.run_url = `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${id}`;
  set('actor', v('GITHUB_ACTOR'));
  set('triggering_actor', v('GITHUB_TRIGGERING_ACTOR'));
  return s;
}

/** `source` fields a user sets by hand (the CLI's --source-* flags). */
export type SourceOverrides = Pick<SourceRecord, 'repository' | 'commit' | 'branch'>;

export interface SourceFacts {
  /** From the CI run ({@link githubActionsSource}), when there is one. */
  ci?: SourceRecord;
  /** From git, when the working directory is in a checkout. */
  git?: GitCheckout;
  overrides?: SourceOverrides;
  /**
   * Absolute, symbolic-link-free paths whose bytes the record pins by digest
   * or writes (model, datasets, environment files, input files, outputs): an
   * uncommitted change there is recorded by the digests, not as dirt.
   */
  pinned?: string[];
}

/**
 * The `source` of a record. Per field, the first that knows:
 * - `repository`: override, the CI's `owner/name`, git's remote URL (credentials removed);
 * - `commit`: override, git's HEAD (the bytes actually checked out), the CI's GITHUB_SHA;
 * - `branch`: override, git's branch, the CI's branch;
 * - `dirty`/`uncommitted`/`uncommitted_count`: from git, and only when the
 *   recorded commit is git's HEAD (otherwise git's status says nothing about it).
 *   Uncommitted means a tracked file changed (staged or not) or an untracked
 *   file git does not ignore, outside the paths in `pinned`; listed relative
 *   to the repository's top level, at most {@link MAX_UNCOMMITTED_LISTED};
 * - run fields (`workflow`, `run_id`, `run_attempt`, `run_url`, `actor`,
 *   `triggering_actor`): from the CI.
 * Pure.
 */
export function composeSource(f: SourceFacts): SourceRecord {
  const ci = f.ci ?? {};
  const o = f.overrides ?? {};
  const s: SourceRecord = {};
  const repository = o.repository ?? ci.repository ?? f.git?.remoteUrl;
  if (repository !== undefined) s.repository = repository;
  const commit = o.commit ?? f.git?.commit ?? ci.commit;
  if (commit !== undefined) s.commit = commit;
  const branch = o.branch ?? f.git?.branch ?? ci.branch;
  if (branch !== undefined) s.branch = branch;
  if (f.git && f.git.commit !== undefined && commit === f.git.commit && f.git.status) {
    const paths = uncommittedPaths(f.git, f.pinned ?? []);
    s.dirty = paths.length > 0;
    if (paths.length > 0) {
      s.uncommitted = paths.slice(0, MAX_UNCOMMITTED_LISTED);
      s.uncommitted_count = paths.length;
    }
  }
  for (const k of ['workflow', 'run_id', 'run_attempt', 'run_url', 'actor', 'triggering_actor'] as const) {
    if (ci[k] !== undefined) s[k] = ci[k];
  }
  return s;
}

/**
 * The uncommitted paths of a checkout (both sides of a rename), outside the
 * pinned paths, each once, in byte-wise order. Pure.
 */
export function uncommittedPaths(git: GitCheckout, pinned: string[]): string[] {
  const out = new Set<string>();
  for (const e of git.status ?? []) {
    for (const p of e.from === undefined ? [e.path] : [e.path, e.from]) {
      const abs = join(git.toplevel, p);
      if (!pinned.some((q) => isSameOrInside(abs, q))) out.add(p);
    }
  }
  return [...out].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
