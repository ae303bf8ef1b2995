/**
 * GitHub Actions: workflow runs (who triggered one; which wait on an
 * environment) and the deployment protection rule's answer to a waiting run.
 */
import type { GitHubClient, Json } from './client.js';

/** Who triggered a workflow run of this repository, or null when there is no such run. */
export async function workflowRunActor(gh: GitHubClient, owner: string, repo: string, runId: number): Promise<string | null> {
  const res = await gh.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { owner, repo, run_id: runId }, { allow404: true });
  if (res.status === 404) return null;
  const d = res.data as Json;
  const who = (d.triggering_actor ?? d.actor) as Json | null;
  return who && typeof who.login === 'string' ? who.login : null;
}

/** A workflow run waiting on an environment. */
export interface WaitingRun {
  id: number;
  head_sha: string;
  head_branch: string | null;
  html_url: string | null;
}

/** Every workflow run of the repository waiting on an environment. */
export async function waitingRuns(gh: GitHubClient, owner: string, repo: string): Promise<WaitingRun[]> {
  const runs = await gh.all('GET /repos/{owner}/{repo}/actions/runs', { owner, repo, status: 'waiting' }, { items: (d) => (d as Json).workflow_runs as Json[] });
  return runs.map((run) => ({
    id: Number(run.id),
    head_sha: String(run.head_sha),
    head_branch: typeof run.head_branch === 'string' ? run.head_branch : null,
    html_url: typeof run.html_url === 'string' ? run.html_url : null,
  }));
}

/** The environments a run waits on. */
export async function pendingEnvironments(gh: GitHubClient, owner: string, repo: string, runId: number): Promise<string[]> {
  const pending = (await gh.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments', { owner, repo, run_id: runId })).data as Json[];
  return pending.map((p) => String((p.environment as Json | undefined)?.name));
}

/** Approves or rejects a waiting run's deployment to `environment` (no `state`: a status report, the run keeps waiting). */
export async function answerDeploymentRule(
  gh: GitHubClient,
  t: { owner: string; repo: string; run_id: number; environment: string },
  answer: { state?: 'approved' | 'rejected'; comment: string },
): Promise<void> {
  await gh.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule', {
    owner: t.owner,
    repo: t.repo,
    run_id: t.run_id,
    environment_name: t.environment,
    ...(answer.state ? { state: answer.state } : {}),
    comment: answer.comment,
  });
}
