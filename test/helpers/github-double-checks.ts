/**
 * The GitHub double's Checks API (a route table of its own, installed by
 * GitHubDouble): creating and completing check runs (an installation token
 * only, as GitHub requires; `output.summary` at most 65,535 characters) and
 * listing a commit's runs (`filter=latest` by default: the newest per name;
 * `all`), each run listing the open pull requests whose head it is.
 */
import { componentExample } from './github-double-contract.js';
import { basicError, ISO, notFound, pageOf, validationFailed, type CheckRunState, type GitHubDouble, type RepoState } from './github-double.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class CheckRunsDouble {
  constructor(private readonly gh: GitHubDouble) {
    this.defineRoutes();
  }

  /** A check run as GitHub's API shows it. */
  json(r: RepoState, c: CheckRunState): Json {
    const j = componentExample('check-run-example-of-completed-conclusion') as Json;
    const full = `${r.owner}/${r.name}`;
    Object.assign(j, {
      id: c.id,
      node_id: `CR_${c.id}`,
      head_sha: c.head_sha,
      external_id: c.external_id,
      url: `${this.gh.apiUrl}/repos/${full}/check-runs/${c.id}`,
      html_url: `${this.gh.url}/${full}/runs/${c.id}`,
      details_url: c.details_url,
      status: c.status,
      conclusion: c.conclusion,
      started_at: c.started_at,
      completed_at: c.completed_at,
      name: c.name,
      // GitHub: a check run belongs to its commit; `pull_requests` lists the
      // open pull requests of this repository whose head it is.
      pull_requests: [...r.pulls.values()]
        .filter((p) => p.state === 'open' && p.head.sha === c.head_sha)
        .map((p) => ({
          id: p.id,
          number: p.number,
          url: `${this.gh.apiUrl}/repos/${full}/pulls/${p.number}`,
          head: { ref: p.head.ref, sha: p.head.sha, repo: { id: r.id, url: `${this.gh.apiUrl}/repos/${full}`, name: r.name } },
          base: { ref: p.base.ref, sha: p.base.sha, repo: { id: r.id, url: `${this.gh.apiUrl}/repos/${full}`, name: r.name } },
        })),
    });
    j.output = {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: 0,
      annotations_url: `${this.gh.apiUrl}/repos/${full}/check-runs/${c.id}/annotations`,
    };
    j.check_suite = { id: c.id + 1 };
    if (j.app) {
      j.app.id = c.app_id;
      j.app.slug = this.gh.appSlug;
    }
    return j;
  }

  private defineRoutes(): void {
    const gh = this.gh;
    gh.route('POST', '/repos/{owner}/{repo}/check-runs', (ctx) => {
      const r = gh.repoOf(ctx);
      if ('status' in r) return r;
      if (!ctx.auth.startsWith('installation:')) {
        return { status: 403, body: basicError('You must authenticate via a GitHub App.') };
      }
      const b = ctx.body;
      if (typeof b.name !== 'string' || typeof b.head_sha !== 'string') {
        return { status: 422, body: validationFailed('name and head_sha are required') };
      }
      const out = (b.output ?? {}) as Json;
      if (b.output && (typeof out.title !== 'string' || typeof out.summary !== 'string')) {
        return { status: 422, body: validationFailed('output needs title and summary') };
      }
      if (typeof out.summary === 'string' && out.summary.length > 65535) {
        return { status: 422, body: validationFailed('output.summary is too long (maximum is 65535 characters)') };
      }
      const completed = b.status === 'completed' || b.conclusion !== undefined;
      const c: CheckRunState = {
        id: gh.id(),
        repo: `${r.owner}/${r.name}`,
        head_sha: b.head_sha,
        name: b.name,
        status: completed ? 'completed' : (b.status ?? 'queued'),
        conclusion: completed ? (b.conclusion ?? null) : null,
        started_at: b.started_at ?? ISO(),
        completed_at: completed ? (b.completed_at ?? ISO()) : null,
        external_id: b.external_id ?? '',
        details_url: b.details_url ?? null,
        output: { title: out.title ?? null, summary: out.summary ?? null, text: out.text ?? null },
        actions: Array.isArray(b.actions) ? b.actions : [],
        app_id: gh.appId ?? 1,
      };
      gh.checkRuns.push(c);
      if (c.status === 'completed') gh.events.emit('completed', c);
      return { status: 201, body: this.json(r, c) };
    });

    gh.route('PATCH', '/repos/{owner}/{repo}/check-runs/{check_run_id}', (ctx) => {
      const r = gh.repoOf(ctx);
      if ('status' in r) return r;
      const c = gh.checkRuns.find((x) => x.id === Number(ctx.params.check_run_id) && x.repo === `${r.owner}/${r.name}`);
      if (!c) return notFound();
      if (!ctx.auth.startsWith('installation:')) return { status: 403, body: basicError('You must authenticate via a GitHub App.') };
      const b = ctx.body;
      const out = (b.output ?? {}) as Json;
      if (typeof out.summary === 'string' && out.summary.length > 65535) {
        return { status: 422, body: validationFailed('output.summary is too long (maximum is 65535 characters)') };
      }
      if (b.conclusion !== undefined || b.status === 'completed') {
        if (typeof b.conclusion !== 'string') return { status: 422, body: validationFailed('conclusion is required when status is completed') };
        c.status = 'completed';
        c.conclusion = b.conclusion;
        c.completed_at = b.completed_at ?? ISO();
      } else if (typeof b.status === 'string') {
        c.status = b.status as CheckRunState["status"];
      }
      if (b.output) c.output = { title: out.title ?? c.output.title, summary: out.summary ?? c.output.summary, text: out.text ?? c.output.text };
      if (Array.isArray(b.actions)) c.actions = b.actions;
      if (c.status === 'completed') gh.events.emit('completed', c);
      return { status: 200, body: this.json(r, c) };
    });

    gh.route('GET', '/repos/{owner}/{repo}/commits/{ref}/check-runs', (ctx) => {
      const r = gh.repoOf(ctx);
      if ('status' in r) return r;
      const sha = gh.resolveRef(r, ctx.params.ref)?.sha ?? ctx.params.ref;
      let runs = gh.checkRuns.filter(
        (c) => c.repo === `${r.owner}/${r.name}` && c.head_sha === sha && (!ctx.query.check_name || c.name === ctx.query.check_name),
      );
      if (ctx.query.filter !== 'all') {
        // "latest": the most recent run per name, as GitHub does by default.
        const latest = new Map<string, CheckRunState>();
        for (const c of runs) latest.set(c.name, c);
        runs = [...latest.values()];
      }
      runs = [...runs].reverse();
      const page = pageOf(ctx, runs.length);
      const body = {
        total_count: runs.length,
        check_runs: runs.slice(page.start, page.end).map((c) => this.json(r, c)),
      };
      return { status: 200, body, headers: page.headers };
    });

  }
}
