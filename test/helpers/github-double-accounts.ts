/**
 * The GitHub double's accounts (a route table of its own, installed by
 * GitHubDouble): users (public), the authenticated user of a token, users'
 * SSH signing keys (public: GitHub serves them without authentication), and
 * organisation teams with their members and memberships.
 */
import { componentExample, exampleResponse } from './github-double-contract.js';
import { notFound, paginate, unauthorized, type GitHubDouble, type UserState } from './github-double.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class AccountsDouble {
  constructor(private readonly gh: GitHubDouble) {
    this.defineRoutes();
  }

  /** A user as GitHub's `simple-user` shows it. */
  simpleUser(login: string): Json {
    const u = this.gh.user(login);
    const j = componentExample('simple-user') as Json;
    return patchUser(j, u, this.gh.url);
  }

  private defineRoutes(): void {
    this.gh.route('GET', '/orgs/{org}/teams/{team_slug}/members', (ctx) => {
      const t = this.gh.teams.get(`${ctx.params.org}/${ctx.params.team_slug}`);
      if (!t) return notFound();
      return paginate(ctx, t.members, (m) => this.simpleUser(m));
    });

    this.gh.route('GET', '/orgs/{org}/teams/{team_slug}/memberships/{username}', (ctx) => {
      const t = this.gh.teams.get(`${ctx.params.org}/${ctx.params.team_slug}`);
      if (!t || !t.members.includes(ctx.params.username)) return notFound();
      const j = exampleResponse('/orgs/{org}/teams/{team_slug}/memberships/{username}', 'get', 200) as Json;
      Object.assign(j, {
        url: `${this.gh.apiUrl}/teams/${t.id}/memberships/${ctx.params.username}`,
        role: 'member',
        state: 'active',
      });
      return { status: 200, body: j };
    });

    this.gh.route(
      'GET',
      '/users/{username}/ssh_signing_keys',
      (ctx) => {
        const u = this.gh.users.get(ctx.params.username);
        if (!u) return notFound();
        return paginate(ctx, u.sshSigningKeys.map((k) => ({ ...k })));
      },
      true,
    );

    this.gh.route(
      'GET',
      '/users/{username}',
      (ctx) => {
        const u = this.gh.users.get(ctx.params.username);
        if (!u) return notFound();
        const j = exampleResponse('/users/{username}', 'get', 200, 'default-response') as Json;
        patchUser(j, u, this.gh.url);
        Object.assign(j, { name: u.login, email: u.email ?? null });
        return { status: 200, body: j };
      },
      true,
    );

    this.gh.route('GET', '/user', (ctx) => {
      if (!ctx.auth.startsWith('user:')) return unauthorized('Requires authentication');
      const u = this.gh.user(ctx.auth.slice(5));
      const j = exampleResponse('/user', 'get', 200, 'response-with-public-profile-information') as Json;
      return { status: 200, body: patchUser(j, u, this.gh.url) };
    });
  }
}

function patchUser(j: Json, u: UserState, base: string): Json {
  Object.assign(j, {
    login: u.login,
    id: u.id,
    node_id: `U_${u.id}`,
    type: u.type,
    // App accounts are named like "github-actions[bot]": URLs carry the login encoded.
    avatar_url: `${base}/avatars/${encodeURIComponent(u.login)}`,
    url: `${base}/api/v3/users/${encodeURIComponent(u.login)}`,
    html_url: `${base}/${encodeURIComponent(u.login)}`,
  });
  return j;
}
