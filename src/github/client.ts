/**
 * The one way the project talks to GitHub's REST API: every request is
 * logged (one label per page: the count is what bench/app.mjs and the tests
 * measure), every failure becomes a GateError `E_GITHUB` naming the route,
 * and every list is read to its end by one paginator that follows GitHub's
 * `Link: <...>; rel="next"` header ("Using pagination in the REST API").
 */
import { GateError, messageOf } from '../core/errors.js';
import type { GitHubRequester, GitHubResponse } from './requester.js';

export type Json = Record<string, unknown>;

/** GitHub's largest page for the list endpoints the project reads. */
export const PER_PAGE = 100;

export interface ClientOptions {
  /** What the requests are about (`owner/repo`, `the App's installations`): the errors' `where`. */
  where: string;
  /** Where each request's route is recorded, in order (pages count one each). */
  log?: string[];
  /** What to tell the user when GitHub refuses (the permissions the caller's token needs). */
  hint?: string;
}

export interface PageOptions {
  /** The list in a page's body (default: the body is the list). */
  items?: (data: unknown) => unknown[] | undefined;
  /** Stops after the page for which this is true (e.g. past a look-back window in a newest-first list). */
  until?: (page: Json[]) => boolean;
}

export interface GitHubClient {
  readonly where: string;
  readonly log: string[];
  /**
   * One request. With `allow404`, GitHub's 404 comes back as
   * `{status: 404, data: null}` (a file or a team that is not there); every
   * other failure throws.
   */
  request(route: string, params?: Record<string, unknown>, opts?: { allow404?: boolean }): Promise<GitHubResponse>;
  /** Every item of a list endpoint, 100 a page. */
  all(route: string, params?: Record<string, unknown>, opts?: PageOptions): Promise<Json[]>;
  /** The items of `first` (a list's first page, already fetched) and of every page after it. */
  rest(first: GitHubResponse, route: string, opts?: PageOptions): Promise<Json[]>;
}

/** The `rel="next"` URL of a Link header, or null on the last page. */
export function nextLink(link: unknown): string | null {
  if (typeof link !== 'string') return null;
  const m = /<([^>]+)>;\s*rel="next"/.exec(link);
  return m ? m[1] : null;
}

/** A client over `octokit` for one purpose (one event, one command). */
export function githubClient(octokit: GitHubRequester, opts: ClientOptions): GitHubClient {
  const log = opts.log ?? [];
  const { where, hint } = opts;

  const request: GitHubClient['request'] = async (route, params = {}, o = {}) => {
    log.push(route);
    try {
      return await octokit.request(route, params);
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status === 404 && o.allow404) return { status: 404, data: null, headers: {} };
      throw new GateError('E_GITHUB', `GitHub answered ${status ?? 'with an error'} to ${route}: ${messageOf(e)}`, { where, cause: e, hint });
    }
  };

  const rest: GitHubClient['rest'] = async (first, route, o = {}) => {
    const pick = o.items ?? ((d: unknown) => d as unknown[]);
    const out: Json[] = [];
    let res = first;
    for (;;) {
      const page = (pick(res.data) ?? []) as Json[];
      out.push(...page);
      const next = nextLink(res.headers.link);
      if (!next || o.until?.(page)) return out;
      // The same route label in the log: one list, several pages.
      log.push(route);
      try {
        res = await octokit.request(`GET ${next}`);
      } catch (e) {
        throw new GateError('E_GITHUB', `GitHub failed on a later page of ${route}: ${messageOf(e)}`, { where, cause: e, hint });
      }
    }
  };

  return {
    where,
    log,
    request,
    rest,
    all: async (route, params = {}, o = {}) => rest(await request(route, { ...params, per_page: PER_PAGE }), route, o),
  };
}

/** The HTTP status GitHub answered with, for an error a client threw (or a raw request error), or undefined. */
export function httpStatus(e: unknown): number | undefined {
  const own = (e as { status?: unknown }).status;
  if (typeof own === 'number') return own;
  const cause = (e as { cause?: { status?: unknown } }).cause?.status;
  return typeof cause === 'number' ? cause : undefined;
}
