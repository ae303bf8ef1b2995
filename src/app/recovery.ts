/**
 * Lost events, found again without any state of the App's own. GitHub
 * records a delivery that was not answered within its deadline (10 s; 30 s
 * on GitHub Enterprise Server), or that hit a crashed server, as failed and
 * never redelivers it by itself; an evaluation cut short by a crash leaves
 * its `in_progress` check run behind. At startup and then every
 * `MODEL_GATE_RECOVER_SECONDS`, each replica:
 *
 * 1. lists the App's deliveries (`GET /app/hook/deliveries`, app JWT) back to
 *    the look-back window and asks GitHub to redeliver each event (by GUID)
 *    none of whose attempts succeeded (`POST .../deliveries/{id}/attempts`),
 *    as GitHub's "redelivering failed deliveries" guide does ("status" not
 *    `OK`); a GUID redelivered within the last period is left to that attempt;
 * 2. walks every open pull request of every installation and re-evaluates
 *    those whose head has no gate check run at all (a lost `opened` or
 *    `synchronize`), or whose latest one is still `in_progress` after
 *    `MODEL_GATE_STALE_SECONDS` (an evaluation a crash cut short).
 *
 * Two replicas doing the same pass at once only duplicate work: each writes a
 * complete check run, and GitHub shows the latest.
 */
import type { Probot } from 'probot';
import { messageOf } from '../core/errors.js';
import { startPeriodicPass } from './periodic-pass.js';
import { githubClient } from '../github/client.js';
import { recentDeliveries, redeliver, type Delivery } from '../github/deliveries.js';
import { deliveriesToRedeliver } from '../github/redelivery-choice.js';
import { installationIds, installationRepos } from '../github/installations.js';
import { openPulls } from '../github/pulls.js';
import type { GitHubRequester } from '../github/requester.js';
import { latestGateRun } from '../github/gate-check-runs.js';
import type { GateRequest } from '../approval/judge-pull-request.js';

export interface RecoveryDeps {
  /** Period of the recovery pass in ms (also run at startup); off when absent or 0. */
  recoverEveryMs?: number;
  /** An `in_progress` run older than this is an abandoned evaluation (default 120 s). */
  staleAfterMs?: number;
  /** How far back failed deliveries are looked for (default 24 h; GitHub keeps them 3 days). */
  deliveriesLookbackMs?: number;
  clock(): Date;
}

/** The events the App acts on: only their failed deliveries are worth redelivering. */
export const HANDLED_EVENTS = new Set(['pull_request', 'pull_request_review', 'check_run', 'merge_group', 'deployment_protection_rule', 'push', 'membership', 'team']);

/** At most this many redeliveries per pass (GitHub rate-limits the app's JWT requests too). */
const MAX_REDELIVERIES = 100;

export type { Delivery };

/** One pass: redeliver failed deliveries, re-evaluate abandoned or missing check runs. */
export async function recoverOnce(
  app: Probot,
  deps: RecoveryDeps,
  evaluate: (octokit: GitHubRequester, req: GateRequest) => Promise<void>,
): Promise<{ redelivered: number; reevaluated: number }> {
  const now = deps.clock().getTime();
  const appOctokit = (await app.auth()) as unknown as GitHubRequester;
  const redelivered = await redeliverFailed(appOctokit, now, deps);
  let reevaluated = 0;
  for (const id of await installationIds(githubClient(appOctokit, { where: "the App's installations" }))) {
    const octokit = (await app.auth(id)) as unknown as GitHubRequester;
    for (const { owner, repo } of await installationRepos(githubClient(octokit, { where: `installation ${id}` }))) {
      try {
        const gh = githubClient(octokit, { where: `${owner}/${repo}` });
        for (const p of await openPulls(gh, owner, repo)) {
          const head = p.head_sha;
          const latest = await latestGateRun(octokit, { owner, repo, head_sha: head });
          const abandoned = latest && latest.status !== 'completed' && now - Date.parse(String(latest.started_at)) >= (deps.staleAfterMs ?? 120_000);
          if (latest && !abandoned) continue;
          app.log.info({ repository: `${owner}/${repo}`, pull_request: p.number, head, why: latest ? 'in_progress run abandoned' : 'no check run' }, 'recovering an evaluation');
          await evaluate(octokit, { owner, repo, pull_number: p.number, trigger: 'recovery', delivery_id: `recovery-${now}` });
          reevaluated++;
        }
      } catch (e) {
        app.log.warn({ repository: `${owner}/${repo}`, err: messageOf(e) }, 'recovery could not check this repository');
      }
    }
  }
  return { redelivered, reevaluated };
}

async function redeliverFailed(appOctokit: GitHubRequester, now: number, deps: RecoveryDeps): Promise<number> {
  const since = now - (deps.deliveriesLookbackMs ?? 24 * 3600_000);
  const appGh = githubClient(appOctokit, { where: "the App's webhook deliveries" });
  const seen = await recentDeliveries(appGh, since);
  const todo = deliveriesToRedeliver(seen.filter((d) => Date.parse(d.delivered_at) >= since), now, deps.recoverEveryMs ?? 300_000, HANDLED_EVENTS, MAX_REDELIVERIES);
  let n = 0;
  for (const d of todo) {
    try {
      await redeliver(appGh, d.id);
      n++;
    } catch {
      // One refused redelivery (e.g. too old) must not stop the others; the next pass tries again.
    }
  }
  return n;
}

/** Runs a pass at startup and then every `recoverEveryMs` (one at a time). */
export function registerRecovery(app: Probot, deps: RecoveryDeps, evaluate: (octokit: GitHubRequester, req: GateRequest) => Promise<void>): void {
  if (!deps.recoverEveryMs || deps.recoverEveryMs <= 0) return;
  startPeriodicPass(app.log, 'recovery', deps.recoverEveryMs, () => recoverOnce(app, deps, evaluate));
}
