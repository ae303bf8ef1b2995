/**
 * The deployment protection rule front: `deployment_protection_rule.requested`
 * webhooks, and a rediscovery pass (at startup and on a timer) that finds
 * deployments still waiting on an environment, so a restart or a lost
 * delivery never leaves one undecided. Each gathers facts
 * (deployment-facts.ts), decides with the pure `decideDeployment`, appends
 * the decision to the audit log, then answers GitHub.
 *
 * Stateless: what was already said about a waiting run is read back from the
 * audit log (earlier DEPLOYMENT_DECISION records), which is how a pending
 * deployment gets at most one status report per new reason, and never more
 * than GitHub's ten.
 */
import type { Probot } from 'probot';
import { messageOf } from '../core/errors.js';
import { appendAndCheckpoint } from '../audit/append-checkpoint.js';
import { DEPLOYMENT_DECISION, deploymentDecisionRecord } from '../audit/deployment-record.js';
import type { RecordInput } from '../audit/record.js';
import type { Digest } from '../core/digest.js';
import { decideDeployment, decisionComment, type DeploymentDecision } from '../deploy/deployment-gate.js';
import { environmentPolicy } from '../approval/deployment-policy.js';
import { gatherDeploymentFacts, type DeploymentDeps, type DeploymentRequest, type GatheredDeployment } from './deployment-facts.js';
import type { GitHubRequester } from './github-facts.js';

export type { DeploymentDeps, DeploymentRequest } from './deployment-facts.js';

/** GitHub keeps at most this many status reports per run and environment. */
export const MAX_STATUS_REPORTS = 10;

/** What one decision did. */
export interface DeploymentOutcome {
  decision: DeploymentDecision;
  /** `state` posted, `status` report posted, or `none` (nothing new to say, or the report limit reached). */
  posted: 'state' | 'status' | 'none';
  /** Sequence number of the DEPLOYMENT_DECISION record appended, or null. */
  audit_seq: number | null;
  skipped?: string;
}

/** The run id in `https://api.github.com/repos/o/r/actions/runs/<id>/deployment_protection_rule`. */
export function runIdFromCallback(url: string): number | null {
  const m = /\/actions\/runs\/(\d+)\/deployment_protection_rule\/?$/.exec(url);
  return m ? Number(m[1]) : null;
}

/**
 * Decides one waiting deployment and answers GitHub. With `onlyGuarded`
 * (rediscovery), environments the policy does not list are left alone: they
 * may be waiting for someone else's rule or a human reviewer.
 */
export async function runDeploymentRule(
  octokit: GitHubRequester,
  req: DeploymentRequest,
  deps: DeploymentDeps,
  opts: { onlyGuarded?: boolean } = {},
): Promise<DeploymentOutcome> {
  const gathered = await gatherDeploymentFacts(octokit, req, deps);
  let decision = decideDeployment(gathered.facts);
  if (opts.onlyGuarded && (!gathered.policy || !environmentPolicy(gathered.policy.deployment, req.environment))) {
    return { decision, posted: 'none', audit_seq: null, skipped: 'environment not guarded by the policy' };
  }

  const mine = gathered.decisions.filter(
    (r) => r.record.details.run_id === req.run_id && String(r.record.details.environment).toLowerCase() === req.environment.toLowerCase(),
  );
  if (decision.state === 'pending') {
    const last = mine[mine.length - 1]?.record.details;
    const reports = mine.filter((r) => r.record.details.decision === 'pending').length;
    if (last && last.decision === 'pending' && JSON.stringify(last.reasons) === JSON.stringify(decision.reasons)) {
      return { decision, posted: 'none', audit_seq: null, skipped: 'nothing new since the last status report' };
    }
    if (reports >= MAX_STATUS_REPORTS) {
      return { decision, posted: 'none', audit_seq: null, skipped: `GitHub takes at most ${MAX_STATUS_REPORTS} status reports` };
    }
  }

  // The record goes in BEFORE GitHub hears the decision: an approval that
  // could not be recorded must not let the deployment through (fail closed).
  let auditSeq: number | null = null;
  const named = gathered.store_urls.length;
  if (named > 0 && gathered.stores.length === 0) {
    // The policy names a store the App could not open: nothing may pass unrecorded.
    decision = {
      state: 'rejected',
      reasons: [
        ...(decision.state === 'rejected' ? decision.reasons : []),
        `the decision could not be recorded: the audit store could not be opened (${gathered.facts.audit?.error ?? 'unknown error'})`,
      ],
      change_number: decision.change_number,
    };
  } else if (gathered.stores.length > 0) {
    try {
      const { records: [res] } = await appendAndCheckpoint(gathered.stores, [decisionRecord(req, gathered, decision)], {
        now: deps.clock,
        signingKey: await deps.checkpointKey?.(),
        streamTo: deps.auditStream,
      });
      auditSeq = res.seq;
    } catch (e) {
      decision = {
        state: 'rejected',
        reasons: [...(decision.state === 'rejected' ? decision.reasons : []), `the decision could not be recorded in the audit log: ${messageOf(e)}`],
        change_number: decision.change_number,
      };
    }
  }

  const comment = decisionComment(decision, req.environment);
  await octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule', {
    owner: req.owner,
    repo: req.repo,
    run_id: req.run_id,
    environment_name: req.environment,
    ...(decision.state === 'pending' ? {} : { state: decision.state }),
    comment,
  });
  return { decision, posted: decision.state === 'pending' ? 'status' : 'state', audit_seq: auditSeq };
}

/**
 * The DEPLOYMENT_DECISION record, in the shape the compliance report reads
 * (`src/audit/deployment-record.ts`: environment, decision, reason, model,
 * metadata, change, deployment_id, run_url), plus what an auditor needs to
 * replay the decision: the deployed sha and ref, the run, every reason, the
 * release PR and its head, the correlation id, all signed models, and what
 * triggered it. Subject: the signed model digests, then the deployed
 * metadata.json digest (as MODEL_RELEASE records), so the report joins it to
 * its release.
 */
function decisionRecord(req: DeploymentRequest, g: GatheredDeployment, d: DeploymentDecision): RecordInput {
  const release = g.facts.release;
  const lineage = release ? [...release.deployed].sort((a, b) => (a.path < b.path ? -1 : 1))[0] : undefined;
  const metadataDigest = (lineage?.digest ?? release?.lineage_digest ?? undefined) as Digest | undefined;
  const models = release?.artifacts ?? [];
  const reason = d.reasons.join('; ').slice(0, 4000);
  const change = d.change_number
    ? {
        system: 'servicenow',
        number: d.change_number,
        ...(g.correlation_id ? { correlation_id: g.correlation_id } : {}),
        ...(g.facts.change?.record ? { state: String(g.facts.change.record.state), approval: String(g.facts.change.record.approval) } : {}),
      }
    : null;
  const ctx = {
    component: 'github-app',
    actor: 'model-release-gate[bot]',
    log: g.facts.repository,
    repository: g.facts.repository,
    ...(req.deployment_id !== null ? { deploymentId: String(req.deployment_id) } : {}),
    ...(req.run_url ? { runUrl: req.run_url } : {}),
  };
  const base: RecordInput = models.length
    ? deploymentDecisionRecord(
        { modelDigest: models[0].digest, ...(metadataDigest ? { metadataDigest } : {}) },
        { environment: req.environment, decision: d.state, reason, change },
        ctx,
      )
    : {
        // No release, so no model: the same shape with model null.
        log: ctx.log,
        event_type: DEPLOYMENT_DECISION,
        component: ctx.component,
        actor: ctx.actor,
        action: `${d.state === 'approved' ? 'allow' : d.state === 'rejected' ? 'refuse' : 'hold'} deployment to ${req.environment}`,
        subject: [],
        details: {
          environment: req.environment,
          decision: d.state,
          reason,
          model: null,
          metadata: null,
          change,
          repository: ctx.repository,
          ...(ctx.deploymentId ? { deployment_id: ctx.deploymentId } : {}),
          ...(ctx.runUrl ? { run_url: ctx.runUrl } : {}),
        },
        compliance_tags: ['change-management', 'SOX-ITGC'],
      };
  return {
    ...base,
    subject: [...new Set([...models.map((m) => m.digest), ...(metadataDigest ? [metadataDigest] : [])])],
    details: {
      ...(base.details as Record<string, unknown>),
      sha: req.sha,
      ref: req.ref,
      run_id: req.run_id,
      reasons: d.reasons.slice(0, 20).map((r) => r.slice(0, 2000)),
      pull_request: release?.pull_request ?? null,
      head_sha: release?.head_sha ?? null,
      correlation_id: g.correlation_id,
      models: models.map((m) => ({ path: m.path, digest: m.digest })),
      trigger: req.trigger,
      delivery: req.delivery_id,
    },
  };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Subscribes to `deployment_protection_rule.requested` and starts the rediscovery pass. */
export function registerDeploymentRule(app: Probot, deps: DeploymentDeps & { rediscoverEveryMs?: number }): void {
  app.on('deployment_protection_rule.requested', async (context) => {
    const p = context.payload as Json;
    const runId = runIdFromCallback(String(p.deployment_callback_url ?? ''));
    const owner = String(p.repository.owner.login);
    const repo = String(p.repository.name);
    if (runId === null) {
      context.log.warn({ url: p.deployment_callback_url }, 'deployment_callback_url names no workflow run; cannot answer');
      return;
    }
    const req: DeploymentRequest = {
      owner,
      repo,
      environment: String(p.environment),
      sha: String(p.deployment?.sha ?? p.sha),
      ref: p.deployment?.ref ?? p.ref ?? null,
      run_id: runId,
      deployment_id: typeof p.deployment?.id === 'number' ? p.deployment.id : null,
      default_branch: String(p.repository.default_branch ?? 'main'),
      run_url: p.repository.html_url ? `${String(p.repository.html_url)}/actions/runs/${runId}` : null,
      trigger: 'deployment_protection_rule.requested',
      delivery_id: context.id,
    };
    const outcome = await runDeploymentRule(context.octokit as unknown as GitHubRequester, req, deps);
    context.log.info(
      { repository: `${owner}/${repo}`, environment: req.environment, sha: req.sha, run_id: runId, state: outcome.decision.state, posted: outcome.posted },
      'deployment decided',
    );
  });

  if (deps.rediscoverEveryMs === undefined || deps.rediscoverEveryMs <= 0) return;
  let running = false;
  const pass = async () => {
    if (running) return; // one pass at a time; the next tick catches up
    running = true;
    try {
      const n = await rediscover(app, deps);
      app.log.info({ decided: n }, 'deployment rediscovery pass done');
    } catch (e) {
      app.log.warn({ err: messageOf(e) }, 'deployment rediscovery pass failed');
    } finally {
      running = false;
    }
  };
  setTimeout(() => void pass(), 0).unref();
  setInterval(() => void pass(), deps.rediscoverEveryMs).unref();
}

/**
 * Finds every workflow run waiting on an environment, in every repository of
 * every installation, and decides the environments the policy guards.
 * Returns the number of decisions made.
 */
export async function rediscover(app: Probot, deps: DeploymentDeps): Promise<number> {
  const appOctokit = (await app.auth()) as unknown as GitHubRequester;
  let decided = 0;
  for (const inst of await pages(appOctokit, 'GET /app/installations', {}, (d) => d as Json[])) {
    const octokit = (await app.auth(Number(inst.id))) as unknown as GitHubRequester;
    const repos = await pages(octokit, 'GET /installation/repositories', {}, (d) => (d as Json).repositories as Json[]);
    for (const r of repos) {
      const owner = String(r.owner.login);
      const repo = String(r.name);
      try {
        const runs = await pages(
          octokit,
          'GET /repos/{owner}/{repo}/actions/runs',
          { owner, repo, status: 'waiting' },
          (d) => (d as Json).workflow_runs as Json[],
        );
        for (const run of runs) {
          const pending = (
            await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments', { owner, repo, run_id: run.id })
          ).data as Json[];
          for (const p of pending) {
            const req: DeploymentRequest = {
              owner,
              repo,
              environment: String(p.environment?.name),
              // An Actions deployment deploys the run's commit.
              sha: String(run.head_sha),
              ref: run.head_branch ?? null,
              run_id: Number(run.id),
              deployment_id: null,
              default_branch: String(r.default_branch ?? 'main'),
              run_url: typeof run.html_url === 'string' ? run.html_url : null,
              trigger: 'rediscovery',
              delivery_id: null,
            };
            const outcome = await runDeploymentRule(octokit, req, deps, { onlyGuarded: true });
            if (!outcome.skipped) decided++;
            app.log.info(
              { repository: `${owner}/${repo}`, environment: req.environment, run_id: req.run_id, state: outcome.decision.state, posted: outcome.posted, skipped: outcome.skipped },
              'waiting deployment rediscovered',
            );
          }
        }
      } catch (e) {
        app.log.warn({ repository: `${owner}/${repo}`, err: messageOf(e) }, 'could not rediscover waiting deployments');
      }
    }
  }
  return decided;
}

/** All pages of a list endpoint (Link header), items picked from each page's body. */
async function pages(
  octokit: GitHubRequester,
  route: string,
  params: Record<string, unknown>,
  items: (data: unknown) => Json[],
): Promise<Json[]> {
  const out: Json[] = [];
  let res = await octokit.request(route, { ...params, per_page: 100 });
  for (;;) {
    out.push(...(items(res.data) ?? []));
    const link = typeof res.headers.link === 'string' ? /<([^>]+)>;\s*rel="next"/.exec(res.headers.link) : null;
    if (!link) return out;
    res = await octokit.request(`GET ${link[1]}`);
  }
}
