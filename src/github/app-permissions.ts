/**
 * What GitHub requires of a GitHub App for each webhook event it subscribes
 * to and each REST route it calls, transcribed from GitHub's documentation:
 *
 * - events: "Webhook events and payloads", the sentence "To subscribe to this
 *   event, a GitHub App must have at least read-level access for the ... permission"
 *   (https://docs.github.com/en/webhooks/webhook-events-and-payloads);
 * - routes: "Permissions required for GitHub Apps"
 *   (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps),
 *   the machine-readable source of that page being github/docs
 *   `src/github-apps/data/fpt-2022-11-28/server-to-server-permissions.json`.
 *
 * It is the judge of `app.yml`: a test collects the events the App handles
 * and the routes its code calls, and fails when the manifest lacks a
 * permission they need or grants one nothing needs. A route or event missing
 * here fails that test too, so adding a call means looking up its permission.
 * `docs/app.md`'s permission table is generated from this file and app.yml.
 */

/** A permission key as in the manifest's `default_permissions`. */
export type AppPermission =
  | 'actions'
  | 'checks'
  | 'contents'
  | 'deployments'
  | 'members'
  | 'merge_queues'
  | 'metadata'
  | 'pull_requests';

export type Access = 'read' | 'write';

/** `none`: works with the App's JWT or any token (no installation permission). */
export interface Need {
  permission: AppPermission | 'none';
  access?: Access;
  /** Why the App calls it (rendered into docs/app.md). */
  why: string;
}

/** Events: the permission GitHub requires to subscribe. */
export const EVENT_NEEDS: Readonly<Record<string, Need>> = {
  pull_request: { permission: 'pull_requests', access: 'read', why: 'a PR opened, pushed to, reopened or retargeted' },
  pull_request_review: { permission: 'pull_requests', access: 'read', why: 'an approval submitted, edited or dismissed' },
  // "To receive the rerequested and requested_action event types, the app must
  // have at least write-level access for the Checks permission."
  check_run: { permission: 'checks', access: 'write', why: '"Re-run" and the "Re-evaluate" button on the check' },
  merge_group: { permission: 'merge_queues', access: 'read', why: 'a merge queue asks for the check on its group head' },
  deployment_protection_rule: { permission: 'deployments', access: 'read', why: 'a deployment waits for the App' },
  push: { permission: 'contents', access: 'read', why: 'a push to a base branch that changes the policy' },
  membership: { permission: 'members', access: 'read', why: 'someone added to or removed from a team that fills a role' },
  team: { permission: 'members', access: 'read', why: 'a team renamed, moved or deleted' },
};

/** REST routes, as Octokit spells them (`METHOD /path/{param}`). */
export const ROUTE_NEEDS: Readonly<Record<string, Need>> = {
  'GET /repos/{owner}/{repo}': { permission: 'metadata', access: 'read', why: 'the default branch' },
  'GET /repos/{owner}/{repo}/pulls': { permission: 'pull_requests', access: 'read', why: 'open pull requests of a branch' },
  'GET /repos/{owner}/{repo}/pulls/{pull_number}': { permission: 'pull_requests', access: 'read', why: 'base, head and state of the PR' },
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/files': { permission: 'pull_requests', access: 'read', why: 'the changed files' },
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': { permission: 'pull_requests', access: 'read', why: 'the signed approvals' },
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits': { permission: 'pull_requests', access: 'read', why: 'the commit authors' },
  'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls': { permission: 'pull_requests', access: 'read', why: 'the pull requests of a commit' },
  'POST /repos/{owner}/{repo}/pulls': { permission: 'pull_requests', access: 'write', why: 'open the release PR' },
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': { permission: 'pull_requests', access: 'write', why: 'update the release PR' },
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews': { permission: 'pull_requests', access: 'write', why: 'post a signed approval' },
  'GET /repos/{owner}/{repo}/contents/{path}': { permission: 'contents', access: 'read', why: 'the policy, key files and metadata.json at a commit' },
  'GET /repos/{owner}/{repo}/compare/{basehead}': { permission: 'contents', access: 'read', why: 'whether a merge group contains the approved head' },
  'GET /repos/{owner}/{repo}/commits/{ref}': { permission: 'contents', access: 'read', why: 'a commit and its files' },
  'GET /repos/{owner}/{repo}/git/commits/{commit_sha}': { permission: 'contents', access: 'read', why: 'a commit object' },
  'GET /repos/{owner}/{repo}/git/ref/{ref}': { permission: 'contents', access: 'read', why: 'the base branch\'s tip, where the policy is read' },
  'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': { permission: 'contents', access: 'read', why: 'file modes and blob ids at a commit' },
  'GET /repos/{owner}/{repo}/git/blobs/{file_sha}': { permission: 'contents', access: 'read', why: 'the bytes of a protected artifact, to hash them' },
  'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': { permission: 'checks', access: 'read', why: 'the previous verdict on the commit' },
  'POST /repos/{owner}/{repo}/check-runs': { permission: 'checks', access: 'write', why: 'the verdict' },
  'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': { permission: 'checks', access: 'write', why: 'finish an in-progress verdict' },
  'GET /orgs/{org}/teams/{team_slug}/memberships/{username}': { permission: 'members', access: 'read', why: 'whether an approver is in a role\'s team' },
  'GET /orgs/{org}/teams/{team_slug}/members': { permission: 'members', access: 'read', why: 'who is in a role\'s team' },
  'GET /users/{username}/ssh_signing_keys': { permission: 'none', why: 'an approver\'s SSH signing keys (public)' },
  'GET /user': { permission: 'none', why: 'who is signing (`approve`, user token)' },
  'GET /users/{username}': { permission: 'none', why: 'an approver\'s public email, to recognise them as a co-author' },
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}': { permission: 'actions', access: 'read', why: 'who triggered the workflow that opened a release PR' },
  'GET /repos/{owner}/{repo}/actions/runs': { permission: 'actions', access: 'read', why: 'workflow runs waiting on an environment' },
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments': { permission: 'actions', access: 'read', why: 'the environments a run waits on' },
  'POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule': { permission: 'deployments', access: 'write', why: 'approve or reject a deployment' },
  'GET /app/installations': { permission: 'none', why: 'the installations to look through after a restart (App JWT)' },
  'GET /installation/repositories': { permission: 'none', why: 'the repositories of an installation' },
  'GET /app/hook/deliveries': { permission: 'none', why: 'failed deliveries to ask again for (App JWT)' },
  'POST /app/hook/deliveries/{delivery_id}/attempts': { permission: 'none', why: 'redeliver a failed delivery (App JWT)' },
};

/** Every App must hold it; GitHub adds it to each manifest. */
export const ALWAYS: Readonly<Partial<Record<AppPermission, Access>>> = { metadata: 'read' };

/**
 * The least permissions that cover `events` and `routes`: for each
 * permission the highest access any of them needs. Throws naming the first
 * event or route the table does not know.
 */
export function requiredPermissions(events: Iterable<string>, routes: Iterable<string>): Record<string, Access> {
  const out: Record<string, Access> = { ...ALWAYS } as Record<string, Access>;
  const add = (what: string, need: Need | undefined): void => {
    if (!need) throw new Error(`${what}: not in src/github/app-permissions.ts; add it with the permission GitHub documents for it`);
    if (need.permission === 'none') return;
    if (out[need.permission] !== 'write') out[need.permission] = need.access ?? 'read';
  };
  for (const e of events) add(`event ${e}`, EVENT_NEEDS[e]);
  for (const r of routes) add(`route ${r}`, ROUTE_NEEDS[r]);
  return out;
}
