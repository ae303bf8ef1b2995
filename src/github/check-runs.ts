/**
 * Check runs on a commit: write a verdict, and read back the previous one.
 * The previous conclusion is how the App knows, without any memory of its
 * own, whether a verdict changed.
 */
import { GateError, messageOf } from '../core/errors.js';
import type { GitHubClient } from './client.js';
import type { CheckRunOutput } from '../approval/check-run-text.js';

/** A check of one name on one commit. */
export interface CheckTarget {
  owner: string;
  repo: string;
  head_sha: string;
  /** The check's name (what branch protection requires). */
  name: string;
}

export type { CheckRunOutput };

/** A button on the check run (`requested_action` events come back with its identifier). */
export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

/** The latest run of a check on a commit (as GitHub shows it), or null when there is none. */
export interface LatestRun {
  status: string;
  conclusion: string | null;
  started_at: string | null;
}

const fail = (what: string, t: CheckTarget, e: unknown, hint?: string): GateError =>
  new GateError('E_GITHUB', `could not ${what} on ${t.head_sha.slice(0, 12)}: ${messageOf(e)}`, { where: `${t.owner}/${t.repo}`, cause: e, hint });

const CHECKS_WRITE = 'the App needs checks: write';

/**
 * The conclusion of the latest completed run on the commit other than
 * `except` (the run this evaluation started), or null. Runs are ordered by
 * their own `completed_at`, not by the listing's order.
 */
export async function previousConclusion(gh: GitHubClient, t: CheckTarget, except?: number): Promise<string | null> {
  try {
    const runs = (await gh.all(
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
      { owner: t.owner, repo: t.repo, ref: t.head_sha, check_name: t.name, filter: 'all' },
      { items: (d) => (d as { check_runs: unknown[] }).check_runs },
    )) as Array<{ id: number; status: string; conclusion: string | null; completed_at: string | null }>;
    const done = runs
      .filter((r) => r.id !== except && r.status === 'completed' && r.completed_at)
      .sort((a, b) => Date.parse(b.completed_at!) - Date.parse(a.completed_at!) || b.id - a.id);
    return done[0]?.conclusion ?? null;
  } catch (e) {
    throw fail('read the previous check run', t, e);
  }
}

/** The latest run of the check on the commit (GitHub's `filter: latest`), or null. */
export async function latestRun(gh: GitHubClient, t: CheckTarget): Promise<LatestRun | null> {
  const res = await gh.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
    owner: t.owner,
    repo: t.repo,
    ref: t.head_sha,
    check_name: t.name,
    filter: 'latest',
    per_page: 1,
  });
  const run = (res.data as { check_runs: Array<Record<string, unknown>> }).check_runs[0];
  if (!run) return null;
  return {
    status: String(run.status),
    conclusion: typeof run.conclusion === 'string' ? run.conclusion : null,
    started_at: typeof run.started_at === 'string' ? run.started_at : null,
  };
}

/** Creates a run on the commit with `fields` (status, times, output, actions); returns its id. */
async function createRun(gh: GitHubClient, t: CheckTarget, externalId: string, fields: Record<string, unknown>, what: string): Promise<number> {
  try {
    const res = await gh.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: t.owner,
      repo: t.repo,
      name: t.name,
      head_sha: t.head_sha,
      external_id: externalId,
      ...fields,
    });
    return Number((res.data as { id: number }).id);
  } catch (e) {
    throw fail(what, t, e, CHECKS_WRITE);
  }
}

/**
 * Starts an `in_progress` run on the commit: written before the evaluation so
 * the gate is closed (the required check is pending) while it runs, and so a
 * crash leaves a visible, recoverable trace.
 */
export function startCheckRun(gh: GitHubClient, t: CheckTarget, now: Date, externalId: string, output: { title: string; summary: string }): Promise<number> {
  return createRun(gh, t, externalId, { status: 'in_progress', started_at: now.toISOString(), output }, 'start the check run');
}

const shown = (o: CheckRunOutput) => ({ title: o.title, summary: o.summary, ...(o.text ? { text: o.text } : {}) });

/** Completes a run started with {@link startCheckRun} (or creates a completed one when `id` is null). */
export async function completeCheckRun(
  gh: GitHubClient,
  t: CheckTarget,
  id: number | null,
  output: CheckRunOutput,
  now: Date,
  externalId: string,
  actions: CheckAction[] = [],
): Promise<number> {
  if (id === null) return writeCheckRun(gh, t, output, now, externalId, actions);
  try {
    await gh.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: t.owner,
      repo: t.repo,
      check_run_id: id,
      status: 'completed',
      conclusion: output.conclusion,
      completed_at: now.toISOString(),
      output: shown(output),
      actions,
    });
    return id;
  } catch (e) {
    throw fail(`complete the check run ${id}`, t, e, CHECKS_WRITE);
  }
}

/** Creates a completed check run. */
export function writeCheckRun(gh: GitHubClient, t: CheckTarget, output: CheckRunOutput, now: Date, externalId: string, actions: CheckAction[] = []): Promise<number> {
  return createRun(
    gh,
    t,
    externalId,
    { status: 'completed', conclusion: output.conclusion, completed_at: now.toISOString(), output: shown(output), actions },
    'write the check run',
  );
}
