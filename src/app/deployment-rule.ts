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
import { startPeriodicPass } from './periodic-pass.js';
import { appendAndCheckpoint } from '../audit/append-checkpoint.js';
import { deploymentDecisionRecord } from '../audit/deployment-record.js';
import type { RecordInput } from '../audit/record.js';
import type { Digest } from '../core/digest.js';
import { decideDeployment, decisionComment, type DeploymentDecision } from '../deploy/deployment-gate.js';
import { environmentPolicy } from '../approval/deployment-policy.js';
import { gatherDeploymentFacts, type DeploymentFactsDeps, type DeploymentRequest, type GatheredDeployment } from '../deploy/deployment-facts.js';
import type { GateDeps } from './gate.js';
import { answerDeploymentRule, pendingEnvironments, waitingRuns } from '../github/actions.js';
import { githubClient } from '../github/client.js';
import { installationIds, installationRepos } from '../github/installations.js';
import type { GitHubRequester } from '../github/requester.js';

export type { DeploymentRequest } from '../deploy/deployment-facts.js';

/** The App's dependencies, plus the change-management system a policy names. */
export interface DeploymentDeps extends GateDeps {
  changeManagementFor: DeploymentFactsDeps['changeManagementFor'];
}

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
  await answerDeploymentRule(
    githubClient(octokit, { where: `${req.owner}/${req.repo}`, hint: 'the App needs deployments: write' }),
    { owner: req.owner, repo: req.repo, run_id: req.run_id, environment: req.environment },
    { ...(decision.state === 'pending' ? {} : { state: decision.state }), comment },
  );
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
  const base = deploymentDecisionRecord(
    models.length ? { modelDigest: models[0].digest, ...(metadataDigest ? { metadataDigest } : {}) } : null,
    { environment: req.environment, decision: d.state, reason, change },
    ctx,
  );
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
  startPeriodicPass(app.log, 'deployment rediscovery', deps.rediscoverEveryMs, async () => ({ decided: await rediscover(app, deps) }));
}

/**
 * Finds every workflow run waiting on an environment, in every repository of
 * every installation, and decides the environments the policy guards.
 * Returns the number of decisions made.
 */
export async function rediscover(app: Probot, deps: DeploymentDeps): Promise<number> {
  const appOctokit = (await app.auth()) as unknown as GitHubRequester;
  let decided = 0;
  for (const id of await installationIds(githubClient(appOctokit, { where: "the App's installations" }))) {
    const octokit = (await app.auth(id)) as unknown as GitHubRequester;
    for (const r of await installationRepos(githubClient(octokit, { where: `installation ${id}` }))) {
      const { owner, repo } = r;
      try {
        const gh = githubClient(octokit, { where: `${owner}/${repo}` });
        for (const run of await waitingRuns(gh, owner, repo)) {
          for (const environment of await pendingEnvironments(gh, owner, repo, run.id)) {
            const req: DeploymentRequest = {
              owner,
              repo,
              environment,
              // An Actions deployment deploys the run's commit.
              sha: run.head_sha,
              ref: run.head_branch,
              run_id: run.id,
              deployment_id: null,
              default_branch: r.default_branch,
              run_url: run.html_url,
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
