/**
 * HTTP to a ServiceNow instance: authentication, a timeout on every request,
 * bounded retries, and errors that say what to fix. The Change Management
 * adapter (`servicenow.ts`) builds on this; nothing here knows about changes.
 *
 * Error bodies follow ServiceNow's REST error shape
 * `{"error": {"message", "detail"}, "status": "failure"}` (documented with the
 * REST API status codes: 401 not authenticated, 403 ACL / role failure,
 * 404 no record, 429 rate limited; see the REST API reference,
 * https://www.servicenow.com/docs/bundle/zurich-api-reference/page/integrate/inbound-rest/concept/change-management-api.html).
 */
import { backoffMs } from '../core/backoff.js';
import { GateError } from '../core/errors.js';

/** Basic auth (a ServiceNow user) or an OAuth 2.0 bearer token. */
export type ServiceNowAuth = { username: string; password: string } | { token: string };

export interface ServiceNowOptions {
  /** `https://acme.service-now.com`, `acme.service-now.com` or just `acme`. */
  instance: string;
  auth: ServiceNowAuth;
  /** Per-request timeout. Default 15 s. */
  requestTimeoutMs?: number;
  /** Attempts per call, the first included. Default 4. */
  maxAttempts?: number;
  /** First backoff delay; doubles per retry (with jitter). Default 500 ms. */
  backoffMs?: number;
  /** Longest `Retry-After` honoured; a longer one fails the call at once. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Injectable for tests: waits `ms`, rejecting early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What one call needs. */
export interface ServiceNowRequest {
  method: 'GET' | 'POST';
  /** Path below the instance, e.g. `/api/sn_chg_rest/change/normal`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** The caller's deadline. */
  signal?: AbortSignal;
  /**
   * Called before retrying a non-idempotent request whose outcome is unknown
   * (timeout, connection lost, 500/502/504): it may find what the lost request
   * did (e.g. by correlation id) and return it instead of sending it again.
   */
  recover?: () => Promise<unknown | undefined>;
  /** The hint when a non-idempotent request gives up with its outcome unknown. */
  unknownOutcomeHint?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Normalises the instance to an origin URL without trailing slash. Plain HTTP
 * is refused except on loopback (local test doubles): basic credentials would
 * otherwise cross the network in clear text.
 */
export function instanceUrl(instance: string): string {
  const raw = instance.trim();
  if (!raw) {
    throw new GateError('E_CONFIG', 'no ServiceNow instance given', {
      hint: 'pass --instance https://<name>.service-now.com or set SERVICENOW_INSTANCE',
    });
  }
  let text = raw;
  if (/^[a-z0-9][a-z0-9-]*$/i.test(raw)) text = `https://${raw}.service-now.com`;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) text = `https://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new GateError('E_CONFIG', `not a ServiceNow instance URL: ${JSON.stringify(raw)}`, {
      hint: 'write it as https://<name>.service-now.com',
    });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new GateError('E_CONFIG', `refusing ${url.protocol}// for ServiceNow instance ${url.host}`, {
      hint: 'use https:// (plain http is accepted only on loopback, for local test doubles)',
    });
  }
  if (url.username || url.password) {
    throw new GateError('E_CONFIG', 'the ServiceNow instance URL must not carry credentials', {
      hint: 'pass them through SERVICENOW_USERNAME/SERVICENOW_PASSWORD or SERVICENOW_TOKEN',
    });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A ServiceNow REST client with retries. One per instance and credential. */
export class ServiceNowHttp {
  readonly baseUrl: string;
  private readonly authHeader: string;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: ServiceNowOptions) {
    this.baseUrl = instanceUrl(options.instance);
    this.authHeader = authorization(options.auth);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.backoffMs = options.backoffMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.sleep = options.sleep ?? abortableSleep;
  }

  /** Sends the request, retrying what may succeed later; returns the parsed JSON body. */
  async send(req: ServiceNowRequest): Promise<unknown> {
    const url = new URL(this.baseUrl + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const what = `${req.method} ${url.pathname}`;
    const idempotent = req.method === 'GET';
    let lastProblem = '';
    let lastAmbiguous = false;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      this.checkDeadline(req.signal, what);
      const outcome = await this.attempt(req, url, what);
      if (outcome.kind === 'ok') return outcome.body;
      lastProblem = outcome.problem;
      lastAmbiguous = outcome.ambiguous;
      if (attempt === this.maxAttempts) break;
      let delay = outcome.retryAfterMs ?? this.backoff(attempt);
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.maxRetryAfterMs) {
        throw new GateError(
          'E_SERVICENOW',
          `ServiceNow rate-limited ${what} and asked to wait ${Math.ceil(outcome.retryAfterMs / 1000)} s, longer than the ${Math.ceil(this.maxRetryAfterMs / 1000)} s this client waits`,
          { where: this.baseUrl, hint: 'retry later, or ask the ServiceNow admins about the rate limit rules for this user' },
        );
      }
      delay = Math.max(0, delay);
      try {
        await this.sleep(delay, req.signal);
      } catch {
        this.checkDeadline(req.signal, what);
      }
      if (outcome.ambiguous && !idempotent && req.recover) {
        // The lost request may have been carried out: look before sending it again.
        this.checkDeadline(req.signal, what);
        const found = await req.recover();
        if (found !== undefined) return found;
      }
    }
    if (lastAmbiguous && !idempotent && req.recover) {
      // Out of attempts, but the last one may have been carried out: one last look.
      const found = await req.recover().catch(() => undefined);
      if (found !== undefined) return found;
    }
    throw new GateError(
      'E_SERVICENOW',
      `ServiceNow failed ${what} after ${this.maxAttempts} attempt${this.maxAttempts === 1 ? '' : 's'}: ${lastProblem}`,
      {
        where: this.baseUrl,
        hint:
          lastAmbiguous && !idempotent && req.unknownOutcomeHint
            ? req.unknownOutcomeHint
            : 'check the instance status and retry later; the gate stays closed meanwhile',
      },
    );
  }

  private async attempt(
    req: ServiceNowRequest,
    url: URL,
    what: string,
  ): Promise<
    | { kind: 'ok'; body: unknown }
    | { kind: 'retry'; problem: string; ambiguous: boolean; retryAfterMs?: number }
  > {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: this.authHeader,
    };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    let contentType: string;
    let retryAfter: string | null;
    let location: string | null;
    try {
      const res = await fetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
        // A redirect usually means a login page (SSO): report it instead of following it.
        redirect: 'manual',
      });
      status = res.status;
      contentType = res.headers.get('content-type') ?? '';
      retryAfter = res.headers.get('retry-after');
      location = res.headers.get('location');
      text = await res.text();
    } catch (e) {
      this.checkDeadline(req.signal, what);
      if (timeout.aborted) {
        return {
          kind: 'retry',
          problem: `no answer within ${formatSeconds(this.requestTimeoutMs)}`,
          ambiguous: true,
        };
      }
      const code = errorCode(e);
      if (code === 'ENOTFOUND') {
        throw new GateError('E_SERVICENOW_NOT_FOUND', `ServiceNow instance host ${url.hostname} not found (DNS)`, {
          where: this.baseUrl,
          hint: 'check SERVICENOW_INSTANCE / --instance',
          cause: e,
        });
      }
      return {
        kind: 'retry',
        problem: `connection failed (${code ?? messageText(e)})`,
        // Refused means nothing was sent; anything else may have reached the server.
        ambiguous: code !== 'ECONNREFUSED',
      };
    }

    if (status >= 200 && status < 300) {
      return { kind: 'ok', body: parseJsonBody(text, contentType, what, this.baseUrl) };
    }
    const detail = errorDetail(text);
    if (status === 429) {
      return {
        kind: 'retry',
        problem: `HTTP 429 rate limited${detail}`,
        ambiguous: false,
        retryAfterMs: parseRetryAfter(retryAfter),
      };
    }
    if (status >= 500) {
      return {
        kind: 'retry',
        problem: `HTTP ${status}${detail}`,
        // 503 is the one 5xx that says the request was not handled.
        ambiguous: status !== 503,
      };
    }
    throw this.clientError(status, detail, what, location, text);
  }

  private clientError(status: number, detail: string, what: string, location: string | null, text: string): GateError {
    const where = `${this.baseUrl} (${what})`;
    if (status === 401) {
      return new GateError('E_SERVICENOW_AUTH', `credentials rejected by ServiceNow: check SERVICENOW_USERNAME/PASSWORD or TOKEN (HTTP 401${detail})`, {
        where,
        hint: 'check the user name and password (the user must be active; "Web service access only" users are fine), or that the OAuth token is current and issued by this instance',
      });
    }
    if (status === 403) {
      return new GateError('E_SERVICENOW_AUTH', `ServiceNow refused ${what}: the user lacks a role (HTTP 403${detail})`, {
        where,
        hint: 'grant the integration user sn_change_write (create changes; includes sn_change_read) or sn_change_read (status only); on instances without the ITSM Roles plugin, itil',
      });
    }
    if (status === 404) {
      const isServiceNowError = /"status"\s*:\s*"failure"/.test(text);
      return new GateError(
        'E_SERVICENOW_NOT_FOUND',
        isServiceNowError
          ? `ServiceNow has no such record for ${what}${detail}`
          : `no Change Management API at ${this.baseUrl} (HTTP 404 for ${what})`,
        {
          where,
          hint: isServiceNowError
            ? 'check the change number or sys_id (and that this user may read it: ACLs also answer 404)'
            : 'check SERVICENOW_INSTANCE / --instance, and that the Change Management REST API (sn_chg_rest) is active on the instance',
        },
      );
    }
    if (status === 400 && /does not represent any resource/i.test(detail)) {
      // ServiceNow's answer for a URI no API serves: the plugin is missing or the URL is wrong.
      return new GateError('E_SERVICENOW_NOT_FOUND', `no Change Management API at ${this.baseUrl} (HTTP 400${detail})`, {
        where,
        hint: 'check SERVICENOW_INSTANCE / --instance, and that the Change Management REST API (sn_chg_rest) is active on the instance',
      });
    }
    if (status >= 300 && status < 400) {
      return new GateError('E_SERVICENOW', `ServiceNow redirected ${what} (HTTP ${status}${location ? ` to ${location}` : ''})`, {
        where,
        hint: 'the instance may send API users to a login page (SSO): use an OAuth token (SERVICENOW_TOKEN) or a user allowed to use basic auth',
      });
    }
    return new GateError('E_SERVICENOW', `ServiceNow refused ${what} (HTTP ${status}${detail})`, {
      where,
      hint: 'check the fields sent (--field key=value) against the change_request table',
    });
  }

  private checkDeadline(signal: AbortSignal | undefined, what: string): void {
    if (signal?.aborted) {
      throw new GateError('E_SERVICENOW', `stopped waiting for ServiceNow (${what}): the caller's deadline passed`, {
        where: this.baseUrl,
        cause: signal.reason,
      });
    }
  }

  private backoff(attempt: number): number {
    // Equal jitter: each wait is longer than the last one's lower half.
    return backoffMs({ baseMs: this.backoffMs, maxMs: Infinity, jitter: 'equal' }, attempt - 1);
  }
}

function authorization(auth: ServiceNowAuth): string {
  if ('token' in auth) {
    if (!auth.token) throw new GateError('E_CONFIG', 'empty ServiceNow token', { hint: 'set SERVICENOW_TOKEN' });
    return `Bearer ${auth.token}`;
  }
  if (!auth.username || !auth.password) {
    throw new GateError('E_CONFIG', 'ServiceNow basic auth needs both a user name and a password', {
      hint: 'set SERVICENOW_USERNAME and SERVICENOW_PASSWORD',
    });
  }
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

function parseJsonBody(text: string, contentType: string, what: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const looksHtml = /^\s*</.test(text) || /html/i.test(contentType);
    throw new GateError(
      'E_SERVICENOW',
      looksHtml
        ? `ServiceNow answered ${what} with an HTML page instead of JSON`
        : `ServiceNow answered ${what} with a body that is not JSON (${JSON.stringify(text.slice(0, 80))})`,
      {
        where,
        hint: looksHtml
          ? 'the instance may be hibernating, under maintenance, or behind a login page: open it in a browser'
          : 'check that --instance points at the ServiceNow instance itself, not a proxy',
      },
    );
  }
}

/** ` : message (detail)` from ServiceNow's error body, or '' when there is none. */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; detail?: unknown } };
    const message = typeof body?.error?.message === 'string' ? body.error.message : '';
    const detail = typeof body?.error?.detail === 'string' ? body.error.detail : '';
    if (!message && !detail) return '';
    return `: ${message}${detail ? ` (${detail})` : ''}`;
  } catch {
    return '';
  }
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

function errorCode(e: unknown): string | undefined {
  const cause = (e as { cause?: { code?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
