/**
 * The GitHub double's routes for the Action's release pull request (a route
 * table of its own, installed by GitHubDouble): the repository, listing pull
 * requests by head and base, opening one (a user token only: "Resource not
 * accessible by integration" otherwise; 422 for a second open one of the same
 * head and base) and editing it. A branch pushed to the repository's bare git
 * remote is read from there, bytes and modes as git stores them.
 */
import { execFileSync } from 'node:child_process';
import { exampleResponse } from './github-double-contract.js';
import { basicError, paginate, validationFailed, type FileMode, type GitHubDouble, type RepoState } from './github-double.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class ReleasePullsDouble {
  constructor(private readonly gh: GitHubDouble) {
    this.defineRoutes();
  }

  /** Routes the Action's open-pr mode uses: the repository, listing, opening and editing pull requests. */
  private defineRoutes(): void {
    const gh = this.gh;
    gh.route('GET', '/repos/{owner}/{repo}', (ctx) => {
      const r = gh.repoOf(ctx);
      if ('status' in r) return r;
      const j = exampleResponse('/repos/{owner}/{repo}', 'get', 200) as Json;
      const base = gh.pullRequests.repoJson(r);
      for (const k of ['id', 'node_id', 'name', 'full_name', 'owner', 'private', 'html_url', 'url', 'default_branch']) j[k] = base[k];
      delete j.organization;
      delete j.parent;
      delete j.source;
      delete j.template_repository;
      // GitHub's own example omits fields its schema requires.
      for (const k of ['language', 'mirror_url', 'homepage']) if (!(k in j)) j[k] = null;
      return { status: 200, body: j };
    });

    gh.route('GET', '/repos/{owner}/{repo}/pulls', (ctx) => {
      const r = gh.repoOf(ctx);
      if ('status' in r) return r;
      const state = ctx.query.state ?? 'open';
      const template = (exampleResponse('/repos/{owner}/{repo}/pulls', 'get', 200) as Json[])[0];
      const pulls = [...r.pulls.values()].filter(
        (p) =>
          (state === 'all' || p.state === state) &&
          (!ctx.query.head || ctx.query.head === `${r.owner}:${p.head.ref}`) &&
          (!ctx.query.base || ctx.query.base === p.base.ref),
      );
      return paginate(ctx, pulls.map((p) => gh.pullRequests.pullJson(r, p, structuredClone(template))));
    });

    gh.route('POST', '/repos/{owner}/{repo}/pulls', (ctx) => {
      const r = gh.repoOf(ctx);
      if ('status' in r) return r;
      const login = ctx.auth.startsWith('user:') ? ctx.auth.slice(5) : null;
      if (!login) return { status: 403, body: basicError('Resource not accessible by integration') };
      const head = String(ctx.body.head ?? '').replace(/^[^:]+:/, '');
      const base = String(ctx.body.base ?? '');
      if (!r.branches.has(head)) this.syncBranchFromGit(r, head, base);
      if (!r.branches.has(head) || !r.branches.has(base)) {
        return { status: 422, body: validationFailed(`${r.branches.has(head) ? 'base' : 'head'} invalid`) };
      }
      if ([...r.pulls.values()].some((p) => p.state === 'open' && p.head.ref === head && p.base.ref === base)) {
        return { status: 422, body: validationFailed(`A pull request already exists for ${r.owner}:${head}.`) };
      }
      const p = gh.openPull(`${r.owner}/${r.name}`, { author: login, base, head, title: String(ctx.body.title ?? '') });
      p.body = String(ctx.body.body ?? '');
      const t = exampleResponse('/repos/{owner}/{repo}/pulls', 'post', 201) as Json;
      return { status: 201, body: gh.pullRequests.pullJson(r, p, t) };
    });

    gh.route('PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}', (ctx) => {
      const x = gh.pullOf(ctx);
      if ('status' in x) return x;
      if (typeof ctx.body.title === 'string') x.p.title = ctx.body.title;
      if (typeof ctx.body.body === 'string') x.p.body = ctx.body.body;
      // A force-push to the head branch moved it: follow it, as GitHub does.
      this.syncBranchFromGit(x.r, x.p.head.ref, x.p.base.ref);
      const sha = x.r.branches.get(x.p.head.ref);
      if (sha && sha !== x.p.head.sha) {
        x.p.head.sha = sha;
        x.p.commits = gh.commitsBetween(x.r, x.p.base.sha, sha);
      }
      const t = exampleResponse('/repos/{owner}/{repo}/pulls/{pull_number}', 'patch', 200) as Json;
      return { status: 200, body: gh.pullRequests.pullJson(x.r, x.p, t) };
    });
  }

  /** Copies a branch's commit (tree as text) from the repository's bare git remote, if it has one. */
  private syncBranchFromGit(r: RepoState, branch: string, parentBranch: string): void {
    const bare = this.gh.gitRemotes.get(`${r.owner}/${r.name}`);
    if (!bare) return;
    const git = (...args: string[]) => execFileSync('git', ['-C', bare, ...args], { encoding: 'latin1', maxBuffer: 64 << 20 });
    let sha: string;
    try {
      sha = git('rev-parse', `refs/heads/${branch}`).trim();
    } catch {
      return; // not pushed
    }
    if (!r.commits.has(sha)) {
      // The pushed bytes and modes exactly as git stores them.
      const tree = new Map<string, string | Buffer>();
      const modes = new Map<string, FileMode>();
      for (const line of git('ls-tree', '-r', '-z', sha).split('\0').filter(Boolean)) {
        const [meta, path] = line.split('\t');
        const [mode, , object] = meta.split(' ');
        if (mode === '160000') tree.set(path, object);
        else tree.set(path, Buffer.from(git('cat-file', 'blob', object), 'latin1'));
        if (mode !== '100644') modes.set(path, mode as FileMode);
      }
      const parent = r.branches.get(parentBranch);
      r.commits.set(sha, { sha, parents: parent ? [parent] : [], tree, modes, author: r.owner, committer: r.owner, message: 'pushed' });
    }
    r.branches.set(branch, sha);
  }
}
