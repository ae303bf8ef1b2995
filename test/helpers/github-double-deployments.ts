/**
 * The GitHub double's deployment routes (a route table of its own, added to
 * a running GitHubDouble): workflow runs waiting on environments, their
 * pending deployments, the App's answers to its deployment protection rule,
 * and the App-level listings the rediscovery pass walks. Every response is
 * validated against GitHub's OpenAPI description like the double's others;
 * the rule's request bodies are checked against the documented limits (a
 * comment of at most 1,024 characters, at most 10 status reports).
 *
 * Also: merging a pull request (merge commit on the base branch) and the
 * `deployment_protection_rule.requested` webhook payload, built from
 * `@octokit/webhooks-examples` (which has no example of this event: its
 * `deployment` example supplies the objects) and validated against the
 * event's schema in GitHub's OpenAPI description.
 */
import { createRequire } from 'node:module';
import { componentExample, exampleResponse, validateComponent } from './github-double-contract.js';
import { basicError, fakeSha, notFound, paginate, validationFailed, type FileChange, type GitHubDouble, type RequestContext } from './github-double.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RuleAnswer {
  environment_name: string;
  state?: 'approved' | 'rejected';
  comment?: string;
  auth: string;
}

export interface WorkflowRunState {
  id: number;
  repo: string;
  head_sha: string;
  head_branch: string;
  status: 'waiting' | 'in_progress' | 'completed';
  /** Environments still waiting for the rule, by name. */
  pending: string[];
  /** Everything the App posted to the run's deployment_protection_rule, in order. */
  answers: RuleAnswer[];
  /** Who triggered the run (its `actor` and `triggering_actor`). */
  actor?: string;
}

const ISO = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Workflow runs and deployment protection rule answers, served by the double. */
export class DeploymentsDouble {
  readonly runs = new Map<number, WorkflowRunState>();

  constructor(private readonly gh: GitHubDouble) {
    this.defineRoutes();
  }

  /** A workflow run on `head_sha` waiting for the App's rule on `environments`. */
  addRun(repo: string, opts: { head_sha: string; head_branch?: string; environments: string[]; actor?: string }): WorkflowRunState {
    const run: WorkflowRunState = {
      id: this.gh.id(),
      repo,
      head_sha: opts.head_sha,
      head_branch: opts.head_branch ?? 'main',
      status: 'waiting',
      pending: [...opts.environments],
      answers: [],
      ...(opts.actor ? { actor: opts.actor } : {}),
    };
    this.runs.set(run.id, run);
    return run;
  }

  run(id: number): WorkflowRunState {
    const r = this.runs.get(id);
    if (!r) throw new Error(`double: no workflow run ${id}`);
    return r;
  }

  private runJson(run: WorkflowRunState): Json {
    const r = this.gh.repo(run.repo);
    const j = exampleResponse('/repos/{owner}/{repo}/actions/runs/{run_id}', 'get', 200) as Json;
    Object.assign(j, {
      id: run.id,
      node_id: `WFR_${run.id}`,
      head_sha: run.head_sha,
      head_branch: run.head_branch,
      status: run.status,
      conclusion: null,
      url: `${this.gh.apiUrl}/repos/${run.repo}/actions/runs/${run.id}`,
      html_url: `${this.gh.url}/${run.repo}/actions/runs/${run.id}`,
      pull_requests: [],
    });
    for (const k of ['repository', 'head_repository'] as const) {
      Object.assign(j[k], { id: r.id, node_id: `R_${r.id}`, name: r.name, full_name: run.repo, private: r.private });
      j[k].owner = { ...j[k].owner, login: r.owner, id: this.gh.user(r.owner).id };
    }
    j.head_commit = { ...j.head_commit, id: run.head_sha, tree_id: fakeSha(`tree:${run.head_sha}`) };
    if (run.actor) {
      const u = this.gh.user(run.actor);
      for (const k of ['actor', 'triggering_actor'] as const) j[k] = { ...j[k], login: u.login, id: u.id, type: u.type };
    }
    return j;
  }

  private defineRoutes(): void {
    const gh = this.gh;

    gh.route('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}', (ctx) => {
      const run = this.runOf(ctx);
      return run ? { status: 200, body: this.runJson(run) } : notFound();
    });

    gh.route('GET', '/repos/{owner}/{repo}/actions/runs', (ctx) => {
      const full = `${ctx.params.owner}/${ctx.params.repo}`;
      if (!gh.repos.has(full)) return notFound();
      const runs = [...this.runs.values()]
        .filter((r) => r.repo === full && (!ctx.query.status || r.status === ctx.query.status))
        .reverse();
      const page = paginate(ctx, runs);
      return {
        status: 200,
        body: { total_count: runs.length, workflow_runs: (page.body as WorkflowRunState[]).map((r) => this.runJson(r)) },
        headers: page.headers,
      };
    });

    gh.route('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments', (ctx) => {
      const run = this.runOf(ctx);
      if (!run) return notFound();
      const template = (exampleResponse('/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments', 'get', 200) as Json[])[0];
      const body = run.pending.map((name, i) => {
        const j = structuredClone(template);
        j.environment = {
          ...j.environment,
          id: 7000 + i,
          name,
          url: `${gh.apiUrl}/repos/${run.repo}/environments/${name}`,
          html_url: `${gh.url}/${run.repo}/deployments/activity_log?environments_filter=${name}`,
        };
        Object.assign(j, { wait_timer: 0, wait_timer_started_at: null, current_user_can_approve: false, reviewers: [] });
        return j;
      });
      return { status: 200, body };
    });

    gh.route('POST', '/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule', (ctx) => {
      const run = this.runOf(ctx);
      if (!run) return notFound();
      if (!ctx.auth.startsWith('installation:')) {
        return { status: 403, body: basicError('Resource not accessible by integration') };
      }
      const b = ctx.body;
      // review-custom-gates-state-required | review-custom-gates-comment-required
      if (typeof b.environment_name !== 'string') return { status: 422, body: validationFailed('environment_name is required') };
      if (b.state !== undefined && b.state !== 'approved' && b.state !== 'rejected') {
        return { status: 422, body: validationFailed('state must be approved or rejected') };
      }
      if (b.state === undefined && typeof b.comment !== 'string') {
        return { status: 422, body: validationFailed('comment is required when state is not provided') };
      }
      if (typeof b.comment === 'string' && b.comment.length > 1024) {
        return { status: 422, body: validationFailed('comment is too long (maximum is 1024 characters)') };
      }
      const env = run.pending.find((e) => e.toLowerCase() === b.environment_name.toLowerCase());
      if (!env) return { status: 422, body: validationFailed(`no deployment to ${b.environment_name} is waiting in this run`) };
      const reports = run.answers.filter((a) => a.state === undefined && a.environment_name.toLowerCase() === env.toLowerCase()).length;
      if (b.state === undefined && reports >= 10) {
        return { status: 422, body: validationFailed('a run takes at most 10 status reports per environment') };
      }
      run.answers.push({ environment_name: b.environment_name, state: b.state, comment: b.comment, auth: ctx.auth });
      if (b.state !== undefined) {
        run.pending = run.pending.filter((e) => e !== env);
        if (run.pending.length === 0) run.status = b.state === 'approved' ? 'in_progress' : 'completed';
      }
      return { status: 204 };
    });
  }

  private runOf(ctx: RequestContext): WorkflowRunState | undefined {
    const run = this.runs.get(Number(ctx.params.run_id));
    return run && run.repo === `${ctx.params.owner}/${ctx.params.repo}` ? run : undefined;
  }
}

/**
 * Merges a pull request with a merge commit on its base branch (the head's
 * tree on top of the base). Returns the merge commit's sha.
 */
export function mergePull(gh: GitHubDouble, repo: string, number: number, opts: { by?: string; extra?: Record<string, FileChange | null> } = {}): string {
  const p = gh.pull(repo, number);
  const head = gh.repo(repo).commits.get(p.head.sha);
  if (!head) throw new Error(`double: no head commit for #${number}`);
  const changes: Record<string, FileChange | null> = Object.fromEntries(
    [...head.tree].map(([path, content]) => [path, { mode: head.modes.get(path) ?? '100644', content }]),
  );
  const sha = gh.commit(repo, {
    branch: p.base.ref,
    changes: { ...changes, ...(opts.extra ?? {}) },
    author: opts.by ?? p.author,
    message: `Merge pull request #${number}`,
  });
  gh.repo(repo).commits.get(sha)!.parents.push(p.head.sha);
  Object.assign(p, { state: 'closed', merged_at: ISO(), merge_commit_sha: sha });
  return sha;
}

const require = createRequire(import.meta.url);
const EXAMPLES = require('@octokit/webhooks-examples') as Array<{ name: string; examples: Json[] }>;

/**
 * `deployment_protection_rule.requested` for a waiting run, as GitHub sends
 * it; validated against GitHub's OpenAPI description of the event.
 */
export function protectionRuleEvent(
  gh: GitHubDouble,
  runs: DeploymentsDouble,
  runId: number,
  environment: string,
  installationId: number,
): Json {
  const run = runs.run(runId);
  const r = gh.repo(run.repo);
  const base = structuredClone(EXAMPLES.find((e) => e.name === 'deployment')!.examples[0]);
  const deployment = base.deployment;
  const id = gh.id();
  Object.assign(deployment, {
    id,
    node_id: `DE_${id}`,
    sha: run.head_sha,
    ref: run.head_branch,
    environment,
    original_environment: environment,
    url: `${gh.apiUrl}/repos/${run.repo}/deployments/${id}`,
    statuses_url: `${gh.apiUrl}/repos/${run.repo}/deployments/${id}/statuses`,
    repository_url: `${gh.apiUrl}/repos/${run.repo}`,
  });
  Object.assign(base.repository, {
    id: r.id,
    name: r.name,
    full_name: run.repo,
    private: r.private,
    default_branch: r.default_branch,
  });
  Object.assign(base.repository.owner, { login: r.owner, id: gh.user(r.owner).id });
  const payload: Json = {
    action: 'requested',
    environment,
    event: 'push',
    sha: run.head_sha,
    ref: `refs/heads/${run.head_branch}`,
    deployment_callback_url: `${gh.apiUrl}/repos/${run.repo}/actions/runs/${run.id}/deployment_protection_rule`,
    deployment,
    pull_requests: [],
    repository: base.repository,
    installation: { id: installationId, node_id: `I_${installationId}` },
    sender: base.sender,
  };
  validateComponent('webhook-deployment-protection-rule-requested', payload);
  return payload;
}
