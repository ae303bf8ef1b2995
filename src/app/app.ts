/**
 * The Probot app: routing only. Each event that can change the gate's verdict
 * becomes a request for the gate's pipelines in src/approval
 * (judge-pull-request.ts for pull requests, judge-merge-group.ts for merge
 * queue groups) over the ports gate.ts builds; every outside system comes in through `deps`
 * (createApp(deps), as probot/settings does), so tests can pass their own.
 *
 * Every delivery is answered fast: the handler reads the pull request and
 * writes an `in_progress` check run (the gate stays closed), then, when the
 * server gives it a background runner, answers GitHub and finishes the
 * evaluation after. GitHub records a delivery not answered within 10 s as
 * failed and never redelivers it by itself; recovery.ts finds what was lost.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApplicationFunction, Context, Probot } from 'probot';
import { CHECK_NAME } from '../approval/check-run-text.js';
import { finishGate, pullForRerun, startGate, type GateOutcome, type GateRequest } from '../approval/judge-pull-request.js';
import { finishMergeGroup, startMergeGroup, type MergeGroupRequest } from '../approval/judge-merge-group.js';
import { gatePorts, type GateDeps } from './gate.js';
import type { GitHubRequester } from '../github/requester.js';
import { registerDeploymentRule, type DeploymentDeps } from './deployment-rule.js';
import { registerRecovery, type RecoveryDeps } from './recovery.js';
import { registerStaleGreen } from './stale-green.js';

export type AppDeps = GateDeps &
  DeploymentDeps &
  RecoveryDeps & {
    /** Rediscovery pass period (off when absent). */
    rediscoverEveryMs?: number;
    /**
     * Runs the slow half of an evaluation after the delivery is answered (the
     * server passes a bounded queue). Absent: the handler awaits it (Lambda,
     * where work after the response is not guaranteed to run).
     */
    background?: (label: string, task: () => Promise<void>) => void;
  };

/** The events that re-evaluate the gate (app.yml subscribes to exactly these). */
export const PULL_REQUEST_ACTIONS = ['opened', 'synchronize', 'reopened', 'edited'] as const;
export const REVIEW_ACTIONS = ['submitted', 'edited', 'dismissed'] as const;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Builds the Probot application function with its dependencies. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app: Probot, options) => {
    options.addHandler(healthHandler);
    registerDeploymentRule(app, deps);

    /** The fast half in the handler, the slow half in the background (or awaited). */
    const later = async (label: string, task: () => Promise<void>) => {
      if (deps.background) deps.background(label, task);
      else await task();
    };

    const logOutcome = (context: Context | null, log: Probot['log'], request: GateRequest, outcome: GateOutcome, started: number) => {
      (context?.log ?? log).info(
        {
          repository: `${request.owner}/${request.repo}`,
          pull_request: request.pull_number,
          trigger: request.trigger,
          delivery: request.delivery_id,
          check_sha: outcome.context.check_sha,
          conclusion: outcome.output.conclusion,
          previous: outcome.previous_conclusion,
          github_requests: outcome.fact_requests.length,
          ms: Date.now() - started,
        },
        'gate evaluated',
      );
    };

    /** Gates one pull request (read from the API: the payload is only the trigger). */
    const gate = async (context: Context, pull_number: number, extra: { review_login?: string } = {}) => {
      const payload = context.payload as Json;
      const request: GateRequest = {
        owner: payload.repository.owner.login,
        repo: payload.repository.name,
        delivery_id: context.id,
        trigger: `${context.name}.${payload.action}`,
        pull_number,
        ...extra,
      };
      const t0 = Date.now();
      const ports = gatePorts(context.octokit as unknown as GitHubRequester, request.owner, request.repo, deps);
      const started = await startGate(ports, request);
      if ('skipped' in started) {
        context.log.info({ repository: `${request.owner}/${request.repo}`, pull_request: pull_number, why: started.skipped }, 'gate skipped');
        return;
      }
      await later(`${request.owner}/${request.repo}#${pull_number}`, async () => {
        logOutcome(context, app.log, request, await finishGate(ports, started), t0);
      });
    };

    app.on(
      PULL_REQUEST_ACTIONS.map((a) => `pull_request.${a}` as const),
      async (context) => {
        const p = context.payload;
        // An edit re-evaluates only when the base branch changed (retargeting
        // changes which policy applies); title and body edits change nothing.
        // Which base it is now is read from the API, never from this payload.
        if (p.action === 'edited' && !(p.changes as Json).base) return;
        await gate(context, p.pull_request.number);
      },
    );

    app.on(
      REVIEW_ACTIONS.map((a) => `pull_request_review.${a}` as const),
      async (context) => {
        const p = context.payload;
        await gate(context, p.pull_request.number, { review_login: p.review.user?.login });
      },
    );

    app.on(['check_run.rerequested', 'check_run.requested_action'], async (context) => {
      const run = context.payload.check_run as Json;
      if (run.name !== CHECK_NAME) return;
      const { owner, repo } = context.repo();
      const sha = String(run.head_sha);
      const pull = await pullForRerun(gatePorts(context.octokit as unknown as GitHubRequester, owner, repo, deps), sha, context.id);
      if (pull === null) {
        context.log.warn({ sha }, 'gate failed closed without a pull request');
        return;
      }
      await gate(context, pull);
    });

    app.on('merge_group.checks_requested', async (context) => {
      const group = context.payload.merge_group as Json;
      const p = context.payload as Json;
      const req: MergeGroupRequest = {
        owner: p.repository.owner.login,
        repo: p.repository.name,
        head_sha: String(group.head_sha),
        head_ref: String(group.head_ref),
        base_sha: String(group.base_sha),
        base_ref: String(group.base_ref),
        default_branch: String(p.repository.default_branch ?? 'main'),
        trigger: 'merge_group.checks_requested',
        delivery_id: context.id,
      };
      const ports = gatePorts(context.octokit as unknown as GitHubRequester, req.owner, req.repo, deps);
      const t0 = Date.now();
      const id = await startMergeGroup(ports, req);
      await later(`${req.owner}/${req.repo}@${req.head_sha.slice(0, 12)}`, async () => {
        const outcome = await finishMergeGroup(ports, req, id);
        context.log.info(
          { repository: `${req.owner}/${req.repo}`, merge_group: req.head_ref, check_sha: req.head_sha, conclusion: outcome.output.conclusion, ms: Date.now() - t0 },
          'merge group evaluated',
        );
      });
    });

    /** Both halves in one go (work that is already off the delivery's path). */
    const inline = async (octokit: GitHubRequester, request: GateRequest) => {
      const t0 = Date.now();
      const ports = gatePorts(octokit, request.owner, request.repo, deps);
      const started = await startGate(ports, request);
      if ('skipped' in started) return;
      logOutcome(null, app.log, request, await finishGate(ports, started), t0);
    };
    registerStaleGreen(app, deps, inline);
    registerRecovery(app, deps, inline);
  };
}

/** `GET /healthz`: the process is up and serving (it holds no state to check). */
function healthHandler(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/healthz' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
  return true;
}
