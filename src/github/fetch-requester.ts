/**
 * A minimal GitHub REST client over fetch for the CLI (`model-gate approve`):
 * the same `request(route, params)` shape as Octokit, so the facts gatherer
 * runs unchanged on it, without loading Probot in a command-line tool.
 */
import type { GitHubRequester } from './requester.js';

/** What a failed request throws (Octokit's RequestError has the same `status`). */
export class GitHubHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GitHubHttpError';
  }
}

/** A requester for `apiUrl` (e.g. https://api.github.com or https://HOST/api/v3) with a token. */
export function fetchRequester(apiUrl: string, token: string, userAgent = 'model-release-gate-cli'): GitHubRequester {
  const base = apiUrl.replace(/\/+$/, '');
  return {
    async request(route, params = {}) {
      const space = route.indexOf(' ');
      const method = space > 0 ? route.slice(0, space) : 'GET';
      const template = space > 0 ? route.slice(space + 1) : route;
      const rest: Record<string, unknown> = { ...params };
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
        const v = String(rest[name] ?? '');
        delete rest[name];
        // A file path keeps its slashes; every other parameter is one segment.
        return name === 'path' ? v.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(v);
      });
      const url = new URL(/^https?:\/\//.test(path) ? path : `${base}${path}`);
      let body: string | undefined;
      if (method === 'GET' || method === 'HEAD') {
        for (const [k, v] of Object.entries(rest)) if (v !== undefined) url.searchParams.set(k, String(v));
      } else {
        body = JSON.stringify(rest);
      }
      const res = await fetch(url, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': userAgent,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body,
      });
      const text = await res.text();
      let data: unknown = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        data = text;
      }
      if (!res.ok) {
        const msg = (data as { message?: string } | null)?.message ?? text.slice(0, 200);
        throw new GitHubHttpError(res.status, `${method} ${url.pathname}: ${res.status} ${msg}`);
      }
      const headers: Record<string, unknown> = {};
      res.headers.forEach((v, k) => (headers[k] = v));
      return { status: res.status, data, headers };
    },
  };
}
