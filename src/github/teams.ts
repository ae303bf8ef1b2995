/** Team membership: who of some candidates is an active member of `org/slug`. */
import { GateError } from '../core/errors.js';
import type { GitHubClient, Json } from './client.js';

function splitTeam(team: string): [string, string] {
  const i = team.indexOf('/');
  if (i <= 0) throw new GateError('E_CONFIG', `team ${JSON.stringify(team)} must be "org/team-slug"`);
  return [team.slice(0, i), team.slice(i + 1)];
}

/** Whether `login` is an active member (a pending invitation is not membership). */
export async function isActiveMember(gh: GitHubClient, team: string, login: string): Promise<boolean> {
  const [org, slug] = splitTeam(team);
  const res = await gh.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', { org, team_slug: slug, username: login }, { allow404: true });
  return res.status === 200 && (res.data as Json).state === 'active';
}

/** Every member's login. */
export async function teamMembers(gh: GitHubClient, team: string): Promise<string[]> {
  const [org, slug] = splitTeam(team);
  const route = 'GET /orgs/{org}/teams/{team_slug}/members';
  const first = await gh.request(route, { org, team_slug: slug, per_page: 100 }, { allow404: true });
  if (first.status === 404) {
    throw new GateError('E_GITHUB', `team ${team} not found (or the App cannot read its members)`, {
      where: gh.where,
      hint: 'check the team slug in the policy and that the App has members: read on the organization',
    });
  }
  return (await gh.rest(first, route)).map((u) => String(u.login));
}

/** Validates a team name without asking GitHub (the policy names teams `org/slug`). */
export function checkTeamName(team: string): void {
  splitTeam(team);
}
