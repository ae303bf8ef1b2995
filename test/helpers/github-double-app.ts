/**
 * The GitHub double's App-level side (a route table of its own, installed by
 * GitHubDouble): the App's installations and their repositories, and the
 * App's webhook: GitHub delivering events to the App server and keeping a
 * record of every attempt, which the App can list and ask to redeliver.
 *
 * Documented behaviour modelled here:
 * - a delivery is signed with the webhook secret (`X-Hub-Signature-256`) and
 *   carries the event's GUID in `X-GitHub-Delivery` (the same GUID on every
 *   redelivery of the event);
 * - GitHub waits 10 seconds for an answer ("if your server ... takes longer
 *   than 10 seconds to respond, GitHub will record the delivery as a
 *   failure"), and does not redeliver failed deliveries by itself;
 * - a failed delivery's `status` is not `OK`;
 * - `GET /app/hook/deliveries` (app JWT only) lists attempts newest first,
 *   paged by `cursor` in the Link header; `POST .../{delivery_id}/attempts`
 *   answers 202 and delivers the event again, as a redelivery.
 */
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { componentExample, exampleResponse } from './github-double-contract.js';
import { basicError, notFound, paginate, type GitHubDouble, type RequestContext } from './github-double.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface DeliveryState {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  payload: Json;
  /** The App's answer (body text), when there was one. */
  response: string | null;
}

const ISO = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Installations, repositories and the App's webhook deliveries. */
export class AppDouble {
  readonly deliveries: DeliveryState[] = [];
  /** Where GitHub delivers (the App server's webhook URL); null: unreachable ("failed to connect"). */
  hookUrl: string | null = null;
  secret = '';
  /** GitHub's deadline for an answer. */
  timeoutMs = 10_000;
  /** Deliveries under way (redeliveries included), for tests to await. */
  readonly inFlight = new Set<Promise<DeliveryState>>();

  constructor(private readonly gh: GitHubDouble) {
    this.defineRoutes();
  }

  /** Delivers an event as GitHub does and records the attempt; resolves when it was answered, failed or timed out. */
  deliver(event: string, payload: Json, opts: { guid?: string; redelivery?: boolean } = {}): Promise<DeliveryState> {
    const p = this.attempt(event, payload, opts.guid ?? randomUUID(), opts.redelivery ?? false);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  private async attempt(event: string, payload: Json, guid: string, redelivery: boolean): Promise<DeliveryState> {
    const body = JSON.stringify(payload);
    const started = Date.now();
    const d: DeliveryState = {
      id: this.gh.id(),
      guid,
      delivered_at: ISO(),
      redelivery,
      duration: 0,
      status: 'failed to connect',
      status_code: 0,
      event,
      action: typeof payload.action === 'string' ? payload.action : null,
      installation_id: typeof payload.installation?.id === 'number' ? payload.installation.id : null,
      repository_id: typeof payload.repository?.id === 'number' ? payload.repository.id : null,
      payload,
      response: null,
    };
    this.deliveries.push(d);
    if (this.hookUrl) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), this.timeoutMs);
      try {
        const res = await fetch(this.hookUrl, {
          method: 'POST',
          signal: abort.signal,
          headers: {
            'content-type': 'application/json',
            'x-github-event': event,
            'x-github-delivery': guid,
            'x-github-hook-installation-target-type': 'integration',
            'x-hub-signature-256': await sign(this.secret, body),
            'user-agent': 'GitHub-Hookshot/double',
          },
          body,
        });
        d.response = await res.text();
        d.status_code = res.status;
        d.status = res.ok ? 'OK' : `Invalid HTTP Response: ${res.status}`;
      } catch (e) {
        d.status = abort.signal.aborted ? 'timed out' : 'failed to connect';
      } finally {
        clearTimeout(timer);
      }
    }
    d.duration = (Date.now() - started) / 1000;
    return d;
  }

  private deliveryJson(d: DeliveryState, full: boolean): Json {
    const j: Json = {
      id: d.id,
      guid: d.guid,
      delivered_at: d.delivered_at,
      redelivery: d.redelivery,
      duration: d.duration,
      status: d.status,
      status_code: d.status_code,
      event: d.event,
      action: d.action,
      installation_id: d.installation_id,
      repository_id: d.repository_id,
      throttled_at: null,
    };
    if (full) {
      Object.assign(j, {
        url: this.hookUrl ?? 'https://example.com/api/github/webhooks',
        request: { headers: { 'X-GitHub-Event': d.event, 'X-GitHub-Delivery': d.guid }, payload: d.payload },
        response: { headers: {}, payload: d.response },
      });
    }
    return j;
  }

  private defineRoutes(): void {
    const gh = this.gh;
    const appOnly = (ctx: RequestContext) => (ctx.auth === 'app' ? null : { status: 401, body: basicError('A JSON web token could not be decoded') });

    gh.route('GET', '/app/installations', (ctx) => {
      const denied = appOnly(ctx);
      if (denied) return denied;
      const template = (exampleResponse('/app/installations', 'get', 200) as Json[])[0];
      const list = [...gh.installations.values()].map((i) => {
        const j = structuredClone(template);
        Object.assign(j, { id: i.id, app_id: gh.appIdOrDefault, target_id: gh.user(i.account).id });
        // This operation's description says allOf [simple-user, enterprise]
        // (the component says anyOf): an account carrying both sets of
        // required fields satisfies either reading.
        j.account = {
          ...(componentExample('simple-user') as Json),
          login: i.account,
          id: gh.user(i.account).id,
          name: i.account,
          slug: i.account,
          created_at: '2024-01-01T00:00:00Z',
          updated_at: '2024-01-01T00:00:00Z',
        };
        j.access_tokens_url = `${gh.apiUrl}/app/installations/${i.id}/access_tokens`;
        return j;
      });
      return paginate(ctx, list);
    });

    gh.route('GET', '/installation/repositories', (ctx) => {
      const m = /^installation:(\d+)$/.exec(ctx.auth);
      if (!m) return { status: 403, body: basicError('You must authenticate with an installation access token') };
      const inst = gh.installations.get(Number(m[1]));
      const template = (exampleResponse('/installation/repositories', 'get', 200) as Json).repositories[0];
      const repos = [...gh.repos.values()].filter((r) => r.owner === inst?.account);
      const page = paginate(ctx, repos);
      const items = (page.body as typeof repos).map((r) => {
        const j = structuredClone(template);
        Object.assign(j, {
          id: r.id,
          node_id: `R_${r.id}`,
          name: r.name,
          full_name: `${r.owner}/${r.name}`,
          private: r.private,
          default_branch: r.default_branch,
        });
        j.owner = { ...j.owner, login: r.owner, id: gh.user(r.owner).id };
        return j;
      });
      return { status: 200, body: { total_count: repos.length, repositories: items }, headers: page.headers };
    });

    gh.route('GET', '/app/hook/deliveries', (ctx) => {
      const denied = appOnly(ctx);
      if (denied) return denied;
      // Newest first, paged by cursor (the id to continue below).
      const all = [...this.deliveries].sort((a, b) => b.id - a.id);
      const perPage = Math.min(100, Math.max(1, Number(ctx.query.per_page ?? 30) || 30));
      const cursor = ctx.query.cursor ? Number(ctx.query.cursor) : Infinity;
      const rest = all.filter((d) => d.id < cursor && (!ctx.query.status || (ctx.query.status === 'success') === (d.status_code >= 200 && d.status_code < 400)));
      const page = rest.slice(0, perPage);
      const headers: Record<string, string> = {};
      if (rest.length > perPage) {
        const q = new URLSearchParams({ ...ctx.query, per_page: String(perPage), cursor: String(page[page.length - 1].id) });
        headers.link = `<${ctx.baseUrl}${ctx.path}?${q}>; rel="next"`;
      }
      return { status: 200, body: page.map((d) => this.deliveryJson(d, false)), headers };
    });

    gh.route('GET', '/app/hook/deliveries/{delivery_id}', (ctx) => {
      const denied = appOnly(ctx);
      if (denied) return denied;
      const d = this.deliveries.find((x) => x.id === Number(ctx.params.delivery_id));
      return d ? { status: 200, body: this.deliveryJson(d, true) } : notFound();
    });

    gh.route('POST', '/app/hook/deliveries/{delivery_id}/attempts', (ctx) => {
      const denied = appOnly(ctx);
      if (denied) return denied;
      const d = this.deliveries.find((x) => x.id === Number(ctx.params.delivery_id));
      if (!d) return notFound();
      // Answered at once; the event goes out again on its own.
      setTimeout(() => void this.deliver(d.event, d.payload, { guid: d.guid, redelivery: true }), 0);
      return { status: 202, body: {} };
    });
  }
}
