/**
 * The GitHub double's pull requests (a route table of its own, installed by
 * GitHubDouble): a pull request, its files (at most 3,000) and commits (at
 * most 250), the pull requests associated with a commit (GitHub's documented
 * rule: on the default branch the merged one that introduced it, elsewhere
 * open and merged ones), and comparing two commits. The JSON of pull
 * requests, repositories and commits starts from GitHub's own examples.
 */
import { exampleResponse } from './github-double-contract.js';
import { diffCommits, fakeSha, ISO, notFound, paginate, type CommitState, type DiffEntryState, type GitHubDouble, type PullState, type RepoState } from './github-double.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class PullRequestsDouble {
  constructor(private readonly gh: GitHubDouble) {
    this.defineRoutes();
  }

  diff(r: RepoState, p: PullState): DiffEntryState[] {
    if (p.files) return p.files;
    return diffCommits(r.commits.get(p.base.sha), r.commits.get(p.head.sha));
  }

  /** A repository as the API shows it. */
  repoJson(r: RepoState): Json {
    const j = (exampleResponse('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', 200) as Json).base.repo;
    const full = `${r.owner}/${r.name}`;
    Object.assign(j, {
      id: r.id,
      node_id: `R_${r.id}`,
      name: r.name,
      full_name: full,
      owner: this.gh.accounts.simpleUser(r.owner),
      private: r.private,
      html_url: `${this.gh.url}/${full}`,
      url: `${this.gh.apiUrl}/repos/${full}`,
      default_branch: r.default_branch,
    });
    return j;
  }


  /** A pull request as the API shows it, over one of GitHub's examples. */
  pullJson(r: RepoState, p: PullState, template: Json): Json {
    const full = `${r.owner}/${r.name}`;
    const files = this.diff(r, p);
    const j = template;
    Object.assign(j, {
      id: p.id,
      node_id: `PR_${p.id}`,
      number: p.number,
      state: p.state,
      title: p.title,
      body: p.body,
      user: this.gh.accounts.simpleUser(p.author),
      url: `${this.gh.apiUrl}/repos/${full}/pulls/${p.number}`,
      html_url: `${this.gh.url}/${full}/pull/${p.number}`,
      locked: false,
      // Reviewer requests, labels and the like are not modelled (and GitHub's
      // own example for them is stale against its schema).
      requested_reviewers: [],
      requested_teams: [],
      labels: [],
      assignee: null,
      assignees: [],
      milestone: null,
    });
    for (const side of ['base', 'head'] as const) {
      Object.assign(j[side], {
        label: `${r.owner}:${p[side].ref}`,
        ref: p[side].ref,
        sha: p[side].sha,
        user: this.gh.accounts.simpleUser(r.owner),
        repo: this.repoJson(r),
      });
    }
    if ('changed_files' in j) {
      Object.assign(j, {
        changed_files: files.length,
        commits: p.commits.length,
        additions: files.length,
        deletions: 0,
        merged: false,
        merged_at: null,
        merge_commit_sha: null,
        mergeable: true,
        draft: false,
      });
    }
    Object.assign(j, { merged_at: p.merged_at ?? null, merge_commit_sha: p.merge_commit_sha ?? null });
    if (p.merged_at && 'merged' in j) Object.assign(j, { merged: true, mergeable: null });
    return j;
  }

  commitJson(r: RepoState, c: CommitState): Json {
    const list = exampleResponse('/repos/{owner}/{repo}/pulls/{pull_number}/commits', 'get', 200) as Json[];
    const j = list[0];
    const full = `${r.owner}/${r.name}`;
    Object.assign(j, {
      sha: c.sha,
      node_id: `C_${c.sha}`,
      url: `${this.gh.apiUrl}/repos/${full}/commits/${c.sha}`,
      html_url: `${this.gh.url}/${full}/commit/${c.sha}`,
      comments_url: `${this.gh.apiUrl}/repos/${full}/commits/${c.sha}/comments`,
      author: c.linked === false ? null : this.gh.accounts.simpleUser(c.author),
      committer: this.gh.accounts.simpleUser(c.committer),
      parents: c.parents.map((s) => ({
        sha: s,
        url: `${this.gh.apiUrl}/repos/${full}/commits/${s}`,
        html_url: `${this.gh.url}/${full}/commit/${s}`,
      })),
    });
    j.commit.message = c.message;
    j.commit.author = { name: c.author, email: c.authorEmail ?? `${this.gh.user(c.author).id}+${c.author}@users.noreply.github.com`, date: ISO() };
    j.commit.committer = { name: c.committer, email: `${c.committer}@users.noreply.github.com`, date: ISO() };
    const tree = this.gh.git.rootTree(c);
    j.commit.tree = { sha: tree, url: `${this.gh.apiUrl}/repos/${full}/git/trees/${tree}` };
    return j;
  }

  diffEntryJson(r: RepoState, f: DiffEntryState, index: number): Json {
    const full = `${r.owner}/${r.name}`;
    const j: Json = {
      sha: fakeSha(`${f.filename}:${index}`),
      filename: f.filename,
      status: f.status,
      additions: 1,
      deletions: 0,
      changes: 1,
      blob_url: `${this.gh.url}/${full}/blob/x/${encodeURI(f.filename)}`,
      raw_url: `${this.gh.url}/${full}/raw/x/${encodeURI(f.filename)}`,
      contents_url: `${this.gh.apiUrl}/repos/${full}/contents/${encodeURI(f.filename)}`,
    };
    if (f.previous_filename) j.previous_filename = f.previous_filename;
    return j;
  }

  private defineRoutes(): void {
    this.gh.route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', (ctx) => {
      const x = this.gh.pullOf(ctx);
      if ('status' in x) return x;
      const t = exampleResponse('/repos/{owner}/{repo}/pulls/{pull_number}', 'get', 200) as Json;
      return { status: 200, body: this.pullJson(x.r, x.p, t) };
    });

    this.gh.route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/files', (ctx) => {
      const x = this.gh.pullOf(ctx);
      if ('status' in x) return x;
      // GitHub lists at most 3,000 files of a pull request.
      return paginate(ctx, this.diff(x.r, x.p).slice(0, 3000), (f, i) => this.diffEntryJson(x.r, f, i));
    });

    this.gh.route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/commits', (ctx) => {
      const x = this.gh.pullOf(ctx);
      if ('status' in x) return x;
      // GitHub lists at most 250 commits of a pull request.
      return paginate(ctx, x.p.commits.slice(0, 250), (s) => this.commitJson(x.r, x.r.commits.get(s) as CommitState));
    });

    this.gh.route('GET', '/repos/{owner}/{repo}/commits/{commit_sha}/pulls', (ctx) => {
      const r = this.gh.repoOf(ctx);
      if ('status' in r) return r;
      const sha = ctx.params.commit_sha;
      const template = (exampleResponse('/repos/{owner}/{repo}/commits/{commit_sha}/pulls', 'get', 200) as Json[])[0];
      // GitHub: "Lists the merged pull request that introduced the commit to
      // the repository. If the commit is not present in the default branch, it
      // will return merged and open pull requests associated with the commit."
      const defaultHead = r.branches.get(r.default_branch);
      const onDefault = defaultHead !== undefined && this.gh.ancestors(r, defaultHead).has(sha);
      const associated = (p: PullState) => p.head.sha === sha || p.commits.includes(sha) || p.merge_commit_sha === sha;
      const pulls = [...r.pulls.values()].filter((p) =>
        onDefault ? Boolean(p.merged_at) && associated(p) : associated(p) && (p.state === 'open' || Boolean(p.merged_at)),
      );
      return paginate(ctx, pulls.map((p) => this.pullJson(r, p, structuredClone(template))));
    });

    this.gh.route('GET', '/repos/{owner}/{repo}/compare/{basehead}', (ctx) => {
      const r = this.gh.repoOf(ctx);
      if ('status' in r) return r;
      const [baseRef, headRef] = decodeURIComponent(ctx.params.basehead).split('...');
      const base = this.gh.resolveRef(r, baseRef);
      const head = this.gh.resolveRef(r, headRef);
      if (!base || !head) return notFound();
      const headAnc = this.gh.ancestors(r, head.sha);
      const baseAnc = this.gh.ancestors(r, base.sha);
      const aheadCommits = this.gh.commitsBetween(r, base.sha, head.sha);
      const behind = [...baseAnc].filter((s) => !headAnc.has(s)).length;
      const status =
        base.sha === head.sha ? 'identical' : headAnc.has(base.sha) ? 'ahead' : baseAnc.has(head.sha) ? 'behind' : 'diverged';
      const j = exampleResponse('/repos/{owner}/{repo}/compare/{basehead}', 'get', 200) as Json;
      const full = `${r.owner}/${r.name}`;
      const mergeBase = [...headAnc].find((s) => baseAnc.has(s)) ?? base.sha;
      Object.assign(j, {
        url: `${this.gh.apiUrl}/repos/${full}/compare/${baseRef}...${headRef}`,
        status,
        ahead_by: aheadCommits.length,
        behind_by: behind,
        total_commits: aheadCommits.length,
        base_commit: this.commitJson(r, base),
        merge_base_commit: this.commitJson(r, r.commits.get(mergeBase) as CommitState),
        commits: aheadCommits.slice(0, 250).map((s) => this.commitJson(r, r.commits.get(s) as CommitState)),
        files: diffCommits(base, head).slice(0, 300).map((f, i) => this.diffEntryJson(r, f, i)),
      });
      return { status: 200, body: j };
    });
  }
}
