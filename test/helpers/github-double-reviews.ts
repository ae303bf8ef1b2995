/**
 * The GitHub double's pull request reviews (a route table of its own,
 * installed by GitHubDouble): listing a pull request's reviews and submitting
 * one with a user's token (an installation cannot review; GitHub refuses an
 * author's approval of their own pull request with 422).
 */
import { componentExample } from './github-double-contract.js';
import { basicError, ISO, paginate, validationFailed, type GitHubDouble, type PullState, type RepoState, type ReviewState } from './github-double.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class ReviewsDouble {
  constructor(private readonly gh: GitHubDouble) {
    this.defineRoutes();
  }

  /** Adds a review by `login` on the pull request (default: on its head), submitted a second after the one before. */
  add(
    fullName: string,
    number: number,
    r: { login: string; state: ReviewState['state']; body?: string; commit_id?: string },
  ): ReviewState {
    const p = this.gh.pull(fullName, number);
    this.gh.user(r.login);
    const review: ReviewState = {
      id: this.gh.id(),
      login: r.login,
      state: r.state,
      commit_id: r.commit_id ?? p.head.sha,
      body: r.body ?? '',
      submitted_at: ISO(new Date(Date.now() + p.reviews.length * 1000)),
    };
    p.reviews.push(review);
    return review;
  }

  /** A review as the API shows it. */
  json(r: RepoState, p: PullState, rv: ReviewState): Json {
    const j = componentExample('pull-request-review') as Json;
    const full = `${r.owner}/${r.name}`;
    Object.assign(j, {
      id: rv.id,
      node_id: `PRR_${rv.id}`,
      user: this.gh.accounts.simpleUser(rv.login),
      body: rv.body,
      state: rv.state,
      commit_id: rv.commit_id,
      submitted_at: rv.submitted_at,
      pull_request_url: `${this.gh.apiUrl}/repos/${full}/pulls/${p.number}`,
      html_url: `${this.gh.url}/${full}/pull/${p.number}#pullrequestreview-${rv.id}`,
    });
    return j;
  }

  private defineRoutes(): void {
    this.gh.route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', (ctx) => {
      const x = this.gh.pullOf(ctx);
      if ('status' in x) return x;
      return paginate(ctx, x.p.reviews, (rv) => this.json(x.r, x.p, rv));
    });

    this.gh.route('POST', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', (ctx) => {
      const x = this.gh.pullOf(ctx);
      if ('status' in x) return x;
      const login = ctx.auth.startsWith('user:') ? ctx.auth.slice(5) : null;
      if (!login) return { status: 403, body: basicError('Resource not accessible by integration') };
      const event = String(ctx.body.event ?? 'PENDING');
      const state = event === 'APPROVE' ? 'APPROVED' : event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : event === 'COMMENT' ? 'COMMENTED' : 'PENDING';
      if (login === x.p.author && state === 'APPROVED') {
        return { status: 422, body: validationFailed('Can not approve your own pull request') };
      }
      const rv = this.add(`${x.r.owner}/${x.r.name}`, x.p.number, {
        login,
        state,
        body: String(ctx.body.body ?? ''),
        commit_id: ctx.body.commit_id ? String(ctx.body.commit_id) : x.p.head.sha,
      });
      return { status: 200, body: this.json(x.r, x.p, rv) };
    });
  }
}
