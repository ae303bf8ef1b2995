/**
 * Opens (or updates) the model-release pull request: commits the lineage and
 * the model to a release branch with git, and opens the PR through GitHub's
 * REST API with a body that shows the digests, the lineage diff against the
 * deployed model, the approvals needed and how to sign. Idempotent: a re-run
 * force-updates the same branch and edits the same PR.
 */
import { execFile } from 'node:child_process';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { GateError, messageOf } from '../core/errors.js';
import { validateMetadata } from '../lineage/metadata-validate.js';
import { diffLineage } from '../lineage/diff.js';
import type { LineageMetadata } from '../lineage/metadata-types.js';
import { parsePolicy } from '../approval/policy-parse.js';
import type { Policy } from '../approval/types.js';
import { githubClient, httpStatus, type GitHubClient } from '../github/client.js';
import { readContents } from '../github/contents.js';
import { createPull, openPullsFrom, updatePull } from '../github/release-pulls.js';
import { defaultBranch } from '../github/repos.js';
import type { GitHubRequester } from '../github/requester.js';
import { releasePrBody, RELEASE_PR_MARKER } from './release-pr-body.js';

const run = promisify(execFile);

/** The one method of Octokit this needs (octokit.request). */
export type GitHubRequest = GitHubRequester['request'];

export const POLICY_FILE = '.github/model-release-gate.yml';

/** `model-release/<the model's directory>` (or the file's name for a model at the root). */
export function defaultReleaseBranch(modelPath: string): string {
  const dir = posix.basename(posix.dirname(modelPath));
  return `model-release/${dir === '.' || dir === '' ? posix.basename(modelPath) : dir}`;
}

export interface OpenReleasePrOptions {
  request: GitHubRequest;
  /** The checkout the release was recorded in. */
  cwd: string;
  /** "owner/name" */
  repository: string;
  /** Base branch; default: the repository's default branch. */
  base?: string;
  branch: string;
  /** Paths (relative to cwd, i.e. to the repository root) to commit. */
  files: string[];
  metadata: LineageMetadata;
  metadataPath: string;
  metadataDigest: string;
  runUrl?: string;
  env: Record<string, string | undefined>;
}

export interface OpenReleasePrResult {
  number: number;
  url: string;
  created: boolean;
  headSha: string;
  branch: string;
  base: string;
}

export async function openReleasePr(o: OpenReleasePrOptions): Promise<OpenReleasePrResult> {
  const [owner, repo] = o.repository.split('/');
  if (!owner || !repo) {
    throw new GateError('E_USAGE', `not a repository name: ${JSON.stringify(o.repository)}`, { hint: 'expected OWNER/NAME' });
  }
  const gh: GitHubClient = githubClient({ request: o.request }, { where: o.repository });
  // Each step says what it was doing when GitHub refused, and which permissions fix a 401 or 403.
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const status = httpStatus(e);
      const cause = (e as { cause?: unknown }).cause ?? e;
      throw new GateError('E_GITHUB', `GitHub refused ${what}${status ? ` (HTTP ${status})` : ''}: ${messageOf(cause)}`, {
        where: o.repository,
        hint: status === 403 || status === 401
          ? 'give the workflow `permissions: contents: write, pull-requests: write` (or pass a token that has them as github-token)'
          : undefined,
        cause,
      });
    }
  };
  const fileAt = (ref: string, path: string) =>
    step(`reading ${path} on ${ref}`, async () => {
      const c = await readContents(gh, owner, repo, ref, path);
      return c.kind === 'file' ? c.text : null;
    });

  const base = o.base ?? (await step('reading the repository', () => defaultBranch(gh, owner, repo, 'main')));
  const deployed = await readDeployedLineage(fileAt, base, o.metadataPath);
  const policy = await readBasePolicy(fileAt, base);

  const headSha = await commitAndPush(o);
  const body = releasePrBody({
    repository: o.repository,
    metadata: o.metadata,
    metadataPath: o.metadataPath,
    metadataDigest: o.metadataDigest,
    deployed: deployed && { metadata: deployed, diff: diffLineage(deployed, o.metadata) },
    policy,
    changedPaths: o.files,
    runUrl: o.runUrl,
  });
  const title = `Release ${o.metadata.model.path} (${o.metadata.model.digest.slice(7, 19)})`;

  const open = await step('listing pull requests', () => openPullsFrom(gh, owner, repo, o.branch, base));
  const existing = open.find((p) => (p.body ?? '').includes(RELEASE_PR_MARKER)) ?? open[0];
  if (existing) {
    const url = await step('updating the release pull request', () => updatePull(gh, owner, repo, existing.number, title, body));
    return { number: existing.number, url, created: false, headSha, branch: o.branch, base };
  }
  const made = await step('opening the release pull request', () => createPull(gh, owner, repo, { title, head: o.branch, base, body }));
  return { number: made.number, url: made.url, created: true, headSha, branch: o.branch, base };
}

type FileAt = (ref: string, path: string) => Promise<string | null>;

async function readDeployedLineage(fileAt: FileAt, base: string, path: string): Promise<LineageMetadata | null> {
  const text = await fileAt(base, path);
  if (text === null) return null;
  try {
    return validateMetadata(JSON.parse(text), `${path} on ${base}`);
  } catch {
    // A broken lineage file on the base branch is shown as "first release";
    // the gate's own checks report it on the PR.
    return null;
  }
}

async function readBasePolicy(fileAt: FileAt, base: string): Promise<Policy | null | string> {
  const text = await fileAt(base, POLICY_FILE);
  if (text === null) return null;
  try {
    return parsePolicy(text, POLICY_FILE);
  } catch (e) {
    return messageOf(e);
  }
}

/** Commits the release files on a fresh release branch and force-pushes it. */
async function commitAndPush(o: OpenReleasePrOptions): Promise<string> {
  const git = async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run('git', args, { cwd: o.cwd, env: { ...o.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 16 << 20 });
      return stdout.trim();
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new GateError('E_SERVICE', `git ${args[0]} failed: ${(err.stderr || err.message).trim()}`, {
        where: o.cwd,
        hint: 'the release PR mode needs a git checkout (actions/checkout) whose origin the token can push to',
        cause: e,
      });
    }
  };
  await git('checkout', '-B', o.branch);
  await git('add', '--', ...o.files);
  const staged = await git('diff', '--cached', '--name-only');
  if (staged !== '') {
    const identity = await git('config', '--get', 'user.email').catch(() => '');
    const who = identity
      ? []
      : ['-c', 'user.name=model-release-gate', '-c', 'user.email=41898282+github-actions[bot]@users.noreply.github.com'];
    await git(...who, 'commit', '-m', `Release ${o.metadata.model.path}\n\nmodel ${o.metadata.model.digest}\nlineage ${o.metadataDigest}`);
  }
  await git('push', '--force', 'origin', `HEAD:refs/heads/${o.branch}`);
  return git('rev-parse', 'HEAD');
}
