/**
 * What a route of the GitHub double gets and answers: the request, the reply,
 * GitHub's pagination (`per_page` at most 100, `Link` headers) and its error
 * bodies.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RequestContext {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Json;
  auth: string;
  baseUrl: string;
  path: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function pageOf(ctx: RequestContext, total: number): { start: number; end: number; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.per_page ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.page ?? 1) || 1);
  const last = Math.max(1, Math.ceil(total / perPage));
  const start = (page - 1) * perPage;
  const links: string[] = [];
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams({ ...ctx.query, per_page: String(perPage), page: String(p) });
    links.push(`<${ctx.baseUrl}${ctx.path}?${q}>; rel="${rel}"`);
  };
  if (page < last) {
    link(page + 1, 'next');
    link(last, 'last');
  }
  if (page > 1) {
    link(1, 'first');
    link(page - 1, 'prev');
  }
  return { start, end: start + perPage, headers: links.length ? { link: links.join(', ') } : {} };
}

/** One page of a list; `render` builds the JSON of the items on that page only. */
export function paginate<T>(ctx: RequestContext, items: T[], render: (item: T, index: number) => unknown = (x) => x): Reply {
  const p = pageOf(ctx, items.length);
  return { status: 200, body: items.slice(p.start, p.end).map((x, i) => render(x, p.start + i)), headers: p.headers };
}

export function basicError(message: string): Json {
  return { message, documentation_url: 'https://docs.github.com/rest' };
}

export function notFound(): Reply {
  return { status: 404, body: basicError('Not Found') };
}

export function unauthorized(message: string): Reply {
  return { status: 401, body: basicError(message) };
}

export function validationFailed(message: string): Json {
  return { message: 'Validation Failed', errors: [message], documentation_url: 'https://docs.github.com/rest' };
}
