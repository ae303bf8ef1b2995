/**
 * Stale green: a pass stays on a commit until something re-evaluates it. The
 * verdict depends on more than the pull request's own events, so the App also
 * listens for:
 *
 * - `push` to a branch that changes the policy file or a file it names (an
 *   allowed-signers file, a JWKS, the checkpoint key): every open pull
 *   request into that branch is re-evaluated under the new policy;
 * - `membership` (someone added to or removed from a team) and `team`
 *   (a team edited, deleted, or given or denied a repository): the open pull
 *   requests of the installation's repositories whose gate check is green are
 *   re-evaluated (a removed member must stop counting).
 *
 * Where GitHub sends no event (a signing key removed from an account), the
 * merge group check and the deployment rule re-verify everything anyway.
 */
import type { Context, Probot } from 'probot';
import { messageOf } from '../core/errors.js';
import { validatePolicy } from '../approval/policy-parse.js';
import { gateFiles } from '../approval/gate-files.js';
import { POLICY_PATH, type Policy } from '../approval/types.js';
import { githubClient } from '../github/client.js';
import { readContents } from '../github/contents.js';
import { installationRepos } from '../github/installations.js';
import { openPulls } from '../github/pulls.js';
import type { GitHubRequester } from '../github/requester.js';
import { githubRepoSource } from '../github/repo-source.js';
import { latestGateRun } from '../github/gate-check-runs.js';
import type { GateRequest } from '../approval/judge-pull-request.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ZERO = /^0+$/;

/** Routes the events; `gate` re-evaluates one pull request with the installation's client. */
export function registerStaleGreen(app: Probot, deps: { background?: (label: string, task: () => Promise<void>) => void }, gate: (octokit: GitHubRequester, req: GateRequest) => Promise<void>): void {
  const queue = async (label: string, task: () => Promise<void>) => {
    if (deps.background) deps.background(label, task);
    else await task();
  };

  app.on('push', async (context) => {
    const p = context.payload as Json;
    const ref = String(p.ref ?? '');
    if (!ref.startsWith('refs/heads/') || p.deleted || ZERO.test(String(p.before ?? ''))) return;
    const branch = ref.slice('refs/heads/'.length);
    const { owner, repo } = context.repo();
    const octokit = context.octokit as unknown as GitHubRequester;
    const source = githubRepoSource(octokit, owner, repo);
    const open = await source.openPullsInto(branch);
    if (open.length === 0) return;
    if (!(await touchesGate(octokit, owner, repo, String(p.before), String(p.after)))) return;
    context.log.info({ repository: `${owner}/${repo}`, branch, pulls: open.map((x) => x.number) }, 're-evaluating pull requests: the gate changed on their base');
    for (const pr of open) {
      await queue(`${owner}/${repo}#${pr.number}`, () => gate(octokit, request(context, owner, repo, pr.number)));
    }
  });

  app.on(['membership.added', 'membership.removed', 'team.edited', 'team.deleted', 'team.added_to_repository', 'team.removed_from_repository'], async (context) => {
    const octokit = context.octokit as unknown as GitHubRequester;
    for (const { owner, repo } of await installationRepos(githubClient(octokit, { where: 'the installation' }))) {
      try {
        for (const pr of await openPulls(githubClient(octokit, { where: `${owner}/${repo}` }), owner, repo)) {
          const latest = await latestGateRun(octokit, { owner, repo, head_sha: pr.head_sha });
          // Only a green can be stale in the dangerous direction; a red is re-run by its author.
          if (latest?.conclusion !== 'success') continue;
          await queue(`${owner}/${repo}#${pr.number}`, () => gate(octokit, request(context, owner, repo, pr.number)));
        }
      } catch (e) {
        context.log.warn({ repository: `${owner}/${repo}`, err: messageOf(e) }, 'could not re-evaluate after a team change');
      }
    }
  });
}

function request(context: Context, owner: string, repo: string, pull_number: number): GateRequest {
  return { owner, repo, pull_number, trigger: `${context.name}.${String((context.payload as Json).action ?? 'push')}`, delivery_id: context.id };
}

/** Whether `before...after` changes the policy or a file it names (before's or after's); true when it cannot tell. */
async function touchesGate(octokit: GitHubRequester, owner: string, repo: string, before: string, after: string): Promise<boolean> {
  try {
    const files = await githubRepoSource(octokit, owner, repo).compareFiles(before, after);
    const named = new Set([...gateFiles(await policyAt(octokit, owner, repo, before)), ...gateFiles(await policyAt(octokit, owner, repo, after))]);
    return files.some((f) => named.has(f.filename) || (f.previous_filename !== undefined && named.has(f.previous_filename)));
  } catch {
    return true; // unsure: re-evaluating costs requests, a stale green costs the gate
  }
}

async function policyAt(octokit: GitHubRequester, owner: string, repo: string, ref: string): Promise<Policy | null> {
  try {
    const c = await readContents(githubClient(octokit, { where: `${owner}/${repo}` }), owner, repo, ref, POLICY_PATH);
    if (c.kind !== 'file') return null;
    return validatePolicy(c.text, POLICY_PATH).policy ?? null;
  } catch {
    return null;
  }
}
