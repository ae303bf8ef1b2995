/**
 * The Probot app: routing only. Each event that can change the gate's verdict
 * becomes a GateRequest for runGate (gate.ts); the logic lives there and in
 * the approval core, and every outside system comes in through `deps`
 * (createApp(deps), as probot/settings does), so tests can pass their own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApplicationFunction, Context, Probot } from 'probot';
import { messageOf } from '../core/errors.js';
import { CHECK_NAME, renderCheckRun } from './check-run.js';
import { failClosed } from '../approval/evaluate.js';
import { runGate, type GateDeps, type GateRequest } from './gate.js';
import type { GitHubRequester } from './github-facts.js';
import { writeCheckRun } from './github-checks.js';
import { registerDeploymentRule, type DeploymentDeps } from './deployment-rule.js';

export type AppDeps = GateDeps & DeploymentDeps & { /** Rediscovery pass period (off when absent). */ rediscoverEveryMs?: number };

/** The events that re-evaluate the gate (app.yml subscribes to exactly these). */
export const PULL_REQUEST_ACTIONS = ['opened', 'synchronize', 'reopened', 'edited'] as const;
export const REVIEW_ACTIONS = ['submitted', 'edited', 'dismissed'] as const;

/** `gh-readonly-queue/<base>/pr-<number>-<sha>`: the PR a merge queue branch was made for. */
export function mergeQueuePull(headRef: string): { base_ref: string; pull_number: number } | null {
  const m = /^(?:refs\/heads\/)?gh-readonly-queue\/(.+)\/pr-(\d+)-[0-9a-f]{40}$/.exec(headRef);
  return m ? { base_ref: m[1], pull_number: Number(m[2]) } : null;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Builds the Probot application function with its dependencies. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app: Probot, options) => {
    options.addHandler(healthHandler);
    registerDeploymentRule(app, deps);

    const gate = async (context: Context, req: Omit<GateRequest, 'owner' | 'repo' | 'delivery_id' | 'trigger'>) => {
      const payload = context.payload as Json;
      const request: GateRequest = {
        owner: payload.repository.owner.login,
        repo: payload.repository.name,
        delivery_id: context.id,
        trigger: `${context.name}.${payload.action}`,
        ...req,
      };
      const started = Date.now();
      const outcome = await runGate(context.octokit as unknown as GitHubRequester, request, deps);
      context.log.info(
        {
          repository: `${request.owner}/${request.repo}`,
          pull_request: request.pull_number,
          trigger: request.trigger,
          check_sha: outcome.context.check_sha,
          conclusion: outcome.output.conclusion,
          previous: outcome.previous_conclusion,
          github_requests: outcome.fact_requests.length,
          ms: Date.now() - started,
        },
        'gate evaluated',
      );
    };

    app.on(
      PULL_REQUEST_ACTIONS.map((a) => `pull_request.${a}` as const),
      async (context) => {
        const p = context.payload;
        // An edit re-evaluates only when the base branch changed (retargeting
        // changes which policy applies); title and body edits change nothing.
        if (p.action === 'edited' && !(p.changes as Json).base) return;
        await gate(context, { pull_number: p.pull_request.number });
      },
    );

    app.on(
      REVIEW_ACTIONS.map((a) => `pull_request_review.${a}` as const),
      async (context) => {
        const p = context.payload;
        await gate(context, { pull_number: p.pull_request.number, review_login: p.review.user?.login });
      },
    );

    app.on(['check_run.rerequested', 'check_run.requested_action'], async (context) => {
      const run = context.payload.check_run as Json;
      if (run.name !== CHECK_NAME) return;
      const queue = mergeQueuePull(String(run.check_suite?.head_branch ?? ''));
      let number: number | undefined = run.pull_requests?.[0]?.number ?? queue?.pull_number;
      if (number === undefined) number = await pullForCommit(context, run.head_sha);
      if (number === undefined) {
        await failWithoutPull(context, run.head_sha, 'no open pull request contains this commit');
        return;
      }
      await gate(context, {
        pull_number: number,
        merge_group: queue
          ? { head_sha: run.head_sha, head_ref: String(run.check_suite.head_branch), base_sha: '', base_ref: queue.base_ref }
          : undefined,
      });
    });

    app.on('merge_group.checks_requested', async (context) => {
      const group = context.payload.merge_group as Json;
      const queue = mergeQueuePull(String(group.head_ref));
      if (!queue) {
        // Never pass a merge group unconditionally: no PR found means no verdict.
        await failWithoutPull(context, group.head_sha, `cannot tell which pull request merge group ${group.head_ref} is for`);
        return;
      }
      await gate(context, {
        pull_number: queue.pull_number,
        merge_group: {
          head_sha: group.head_sha,
          head_ref: group.head_ref,
          base_sha: group.base_sha,
          base_ref: String(group.base_ref).replace(/^refs\/heads\//, ''),
        },
      });
    });

    async function pullForCommit(context: Context, sha: string): Promise<number | undefined> {
      const { owner, repo } = context.repo();
      try {
        const res = await context.octokit.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
          owner,
          repo,
          commit_sha: sha,
        });
        return (res.data as Json[]).find((p) => p.state === 'open')?.number;
      } catch (e) {
        context.log.warn({ err: messageOf(e) }, 'could not list pull requests of a commit');
        return undefined;
      }
    }

    async function failWithoutPull(context: Context, sha: string, reason: string): Promise<void> {
      const { owner, repo } = context.repo();
      const verdict = failClosed({ head_sha: sha }, [reason]);
      const output = renderCheckRun(verdict, {
        repository: `${owner}/${repo}`,
        pull_request: 0,
        base_ref: '?',
        base_sha: '?',
        check_sha: sha,
        head_sha: sha,
      });
      await writeCheckRun(context.octokit as unknown as GitHubRequester, { owner, repo, head_sha: sha }, output, deps.clock(), context.id);
      context.log.warn({ sha, reason }, 'gate failed closed without a pull request');
    }
  };
}

/** `GET /healthz`: the process is up and serving (it holds no state to check). */
function healthHandler(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/healthz' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
  return true;
}
