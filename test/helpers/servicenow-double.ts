/**
 * A local double of ServiceNow's Change Management REST API: a real HTTP
 * server on 127.0.0.1 (port 0) holding change requests in memory. No
 * ServiceNow instance can be reached from the tests, so the adapter is checked
 * against this double, which serves only what the documentation describes.
 *
 * Shapes come from these documentation pages:
 * - Change Management API (REST API reference):
 *   https://www.servicenow.com/docs/bundle/zurich-api-reference/page/integrate/inbound-rest/concept/change-management-api.html
 *   `POST /api/sn_chg_rest/change/normal` (body: change_request field
 *   name/value pairs), `GET /api/sn_chg_rest/change/{sys_id}`,
 *   `GET /api/sn_chg_rest/change?sysparm_query=...`; answers wrapped in
 *   `{"result": ...}`, each field `{"value", "display_value"}`.
 * - State model and transitions (Change Management):
 *   https://www.servicenow.com/docs/r/it-service-management/change-management/c_ChangeStateModel.html
 *   New -5, Assess -4, Authorize -3, Scheduled -2, Implement -1, Review 0,
 *   Closed 3, Canceled 4.
 * - Components installed with ITSM Roles - Change Management:
 *   https://www.servicenow.com/docs/r/xanadu/it-service-management/change-management/installed-with-cm-itsm-roles.html
 *   `sn_change_read` (read), `sn_change_write` (write, contains read).
 * - A create response recorded from an instance, published in the public
 *   mcasperson/ServiceNowMock repository (internal/application/handler):
 *   HTTP 200, integer choices such as `state` as JSON numbers (`-5.0`),
 *   date-times with `display_value_internal`, `__meta.ignoredFields`.
 * - REST API status codes and error body `{"error": {"message", "detail"},
 *   "status": "failure"}` (401 "User Not Authenticated" / "Required to provide
 *   Auth information", 403 "User Not Authorized", 404 "No Record found",
 *   400 "Requested URI does not represent any resource").
 *
 * Tests drive the board's decisions (approve, reject, cancel, close) and
 * inject faults (5xx, 429 with Retry-After, slow answers, HTML or malformed
 * bodies). Every request is logged in arrival order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface DoubleUser {
  password: string;
  roles: string[];
}

/** A fault served instead of (or after) handling the next matching request. */
export interface Fault {
  /** Only requests with this method (default: any). */
  method?: 'GET' | 'POST';
  status?: number;
  headers?: Record<string, string>;
  /** Raw body; default ServiceNow's error shape for the status. */
  body?: string;
  /** Delay the answer by this long. */
  delayMs?: number;
  /**
   * Handle the request for real (create, read) but answer only after
   * `delayMs`, as a server whose answer is lost does.
   */
  thenHandle?: boolean;
}

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** `basic:<user>`, `bearer:<token prefix>` or `none`. */
  auth: string;
  body?: unknown;
  /** What the double answered. */
  status?: number;
}

const STATE_LABELS: Record<string, string> = {
  '-5': 'New',
  '-4': 'Assess',
  '-3': 'Authorize',
  '-2': 'Scheduled',
  '-1': 'Implement',
  '0': 'Review',
  '3': 'Closed',
  '4': 'Canceled',
};
const APPROVAL_LABELS: Record<string, string> = {
  'not requested': 'Not Yet Requested',
  requested: 'Requested',
  approved: 'Approved',
  rejected: 'Rejected',
};
const CLOSE_CODE_LABELS: Record<string, string> = {
  successful: 'Successful',
  successful_issues: 'Successful with issues',
  unsuccessful: 'Unsuccessful',
};

/** change_request columns the double stores; anything else lands in __meta.ignoredFields. */
const COLUMNS = new Set([
  'short_description', 'description', 'justification', 'implementation_plan', 'backout_plan',
  'test_plan', 'assignment_group', 'assigned_to', 'category', 'start_date', 'end_date',
  'correlation_id', 'correlation_display', 'risk', 'impact', 'priority', 'cmdb_ci',
  'business_service', 'requested_by', 'close_notes',
]);

const READ_ROLES = ['sn_change_read', 'sn_change_write', 'itil', 'admin'];
const WRITE_ROLES = ['sn_change_write', 'itil', 'admin'];

export type StoredChange = Record<string, string>;

export class ServiceNowDouble {
  readonly url: string;
  readonly requests: LoggedRequest[] = [];
  readonly changes = new Map<string, StoredChange>();
  /** Called after each request is answered (tests use it to move a change along). */
  onRequest?: (req: LoggedRequest) => void;
  private readonly faults: Fault[] = [];
  /** Pending delays, released on close so a stopped double holds no timers. */
  private readonly delays = new Set<() => void>();
  private nextNumber = 30001;

  private constructor(
    private readonly server: Server,
    private readonly users: Record<string, DoubleUser>,
    private readonly tokens: Record<string, string[]>,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the double. Users log in with basic auth; tokens are OAuth bearer tokens with their roles. */
  static async start(options: { users?: Record<string, DoubleUser>; tokens?: Record<string, string[]> } = {}): Promise<ServiceNowDouble> {
    let double!: ServiceNowDouble;
    const server = createServer((req, res) => void double.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    double = new ServiceNowDouble(
      server,
      options.users ?? { 'svc-model-gate': { password: 'correct horse', roles: ['sn_change_write'] } },
      options.tokens ?? {},
    );
    return double;
  }

  async close(): Promise<void> {
    for (const release of this.delays) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues faults for the next matching requests, in order. */
  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** The stored change by sys_id or number. */
  find(idOrNumber: string): StoredChange {
    const c = this.changes.get(idOrNumber) ?? [...this.changes.values()].find((x) => x.number === idOrNumber);
    if (!c) throw new Error(`double: no change ${idOrNumber}`);
    return c;
  }

  /** The CAB approves: approval approved, state Scheduled (or the given state). */
  approve(idOrNumber: string, state = '-2'): void {
    Object.assign(this.find(idOrNumber), { approval: 'approved', state });
  }
  reject(idOrNumber: string): void {
    Object.assign(this.find(idOrNumber), { approval: 'rejected', state: '-5' });
  }
  cancel(idOrNumber: string): void {
    Object.assign(this.find(idOrNumber), { state: '4' });
  }
  request(idOrNumber: string, state = '-3'): void {
    Object.assign(this.find(idOrNumber), { approval: 'requested', state });
  }
  closeChange(idOrNumber: string, closeCode: string): void {
    Object.assign(this.find(idOrNumber), { state: '3', close_code: closeCode });
  }
  set(idOrNumber: string, fields: Record<string, string>): void {
    Object.assign(this.find(idOrNumber), fields);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const text = await readBody(req);
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const logged: LoggedRequest = {
      seq: this.requests.length,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      auth: describeAuth(req.headers.authorization),
      ...(body === undefined ? {} : { body }),
    };
    this.requests.push(logged);

    const answer = (status: number, payload: string, headers: Record<string, string> = {}): void => {
      logged.status = status;
      if (!res.destroyed) {
        // `connection: close` lets a test end without keep-alive sockets lingering in fetch's pool.
        res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', connection: 'close', ...headers });
        res.end(payload);
      }
      this.onRequest?.(logged);
    };

    const i = this.faults.findIndex((f) => !f.method || f.method === logged.method);
    const fault = i >= 0 ? this.faults.splice(i, 1)[0] : undefined;
    if (fault && !fault.thenHandle) {
      if (fault.delayMs) await this.delay(fault.delayMs);
      const status = fault.status ?? 200;
      answer(status, fault.body ?? (status >= 400 ? errorBody(`HTTP ${status}`, null) : '{}'), fault.headers);
      return;
    }
    const [status, payload] = this.route(logged, req.headers.authorization, body);
    if (fault?.delayMs) await this.delay(fault.delayMs);
    answer(status, payload);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        this.delays.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.delays.add(release);
    });
  }

  private route(r: LoggedRequest, authorization: string | undefined, body: unknown): [number, string] {
    const roles = this.authenticate(authorization);
    if (roles === null) return [401, errorBody('User Not Authenticated', 'Required to provide Auth information')];
    const base = '/api/sn_chg_rest/change';
    if (r.method === 'POST' && r.path === `${base}/normal`) {
      if (!roles.some((x) => WRITE_ROLES.includes(x))) return [403, errorBody('User Not Authorized', 'Failed API level ACL Validation')];
      return this.create(body);
    }
    if (r.method === 'GET' && (r.path === base || r.path.startsWith(`${base}/`))) {
      if (!roles.some((x) => READ_ROLES.includes(x))) return [403, errorBody('User Not Authorized', 'Failed API level ACL Validation')];
      if (r.path === base) return this.list(r.query);
      const id = decodeURIComponent(r.path.slice(base.length + 1));
      const c = this.changes.get(id);
      if (!c) return [404, errorBody('No Record found', "Record doesn't exist or ACL restricts the record retrieval")];
      return [200, JSON.stringify({ result: serialize(c) })];
    }
    return [400, errorBody('Requested URI does not represent any resource', null)];
  }

  private authenticate(header: string | undefined): string[] | null {
    if (!header) return null;
    const basic = /^Basic (.+)$/i.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = this.users[decoded.slice(0, colon)];
      return user && colon > 0 && user.password === decoded.slice(colon + 1) ? user.roles : null;
    }
    const bearer = /^Bearer (.+)$/i.exec(header);
    if (bearer) return this.tokens[bearer[1]] ?? null;
    return null;
  }

  private create(body: unknown): [number, string] {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return [400, errorBody('Invalid request body', 'expected a JSON object of change_request fields')];
    }
    const ignoredFields: string[] = [];
    const sysId = randomBytes(16).toString('hex');
    const now = new Date().toISOString().replace('T', ' ').slice(0, 19);
    const change: StoredChange = {
      sys_id: sysId,
      number: `CHG${String(this.nextNumber++).padStart(7, '0')}`,
      type: 'normal',
      state: '-5',
      approval: 'not requested',
      close_code: '',
      start_date: '',
      end_date: '',
      correlation_id: '',
      sys_created_on: now,
    };
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (COLUMNS.has(k) && (typeof v === 'string' || typeof v === 'number')) change[k] = String(v);
      else ignoredFields.push(k);
    }
    this.changes.set(sysId, change);
    return [200, JSON.stringify({ result: { ...serialize(change), __meta: { ignoredFields } } })];
  }

  /** Encoded queries of `field=value` terms joined by `^` (AND), which is all the adapter sends. */
  private list(query: Record<string, string>): [number, string] {
    const terms = (query.sysparm_query ?? '')
      .split('^')
      .filter(Boolean)
      .map((t) => {
        const eq = t.indexOf('=');
        return [t.slice(0, eq), t.slice(eq + 1)] as const;
      });
    const limit = query.sysparm_limit ? Number(query.sysparm_limit) : Infinity;
    const rows = [...this.changes.values()]
      .filter((c) => terms.every(([k, v]) => c[k] === v))
      .slice(0, limit)
      .map(serialize);
    return [200, JSON.stringify({ result: rows })];
  }
}

/** Integer choice columns: the API answers their value as a JSON number (`"value": -5.0`). */
const NUMERIC = new Set(['state', 'impact', 'priority', 'risk', 'urgency']);
const DATE_TIMES = new Set(['start_date', 'end_date', 'sys_created_on']);

type Field = { value: string | number; display_value: string; display_value_internal?: string };

function serialize(c: StoredChange): Record<string, Field> {
  const out: Record<string, Field> = {};
  for (const [k, v] of Object.entries(c)) {
    const labels = k === 'state' ? STATE_LABELS : k === 'approval' ? APPROVAL_LABELS : k === 'close_code' ? CLOSE_CODE_LABELS : {};
    const value = NUMERIC.has(k) && /^-?\d+$/.test(v) ? Number(v) : v;
    out[k] = { value, display_value: labels[v] ?? v };
    // Date-times carry the internal display form too; the double's users sit in UTC.
    if (DATE_TIMES.has(k)) out[k].display_value_internal = v;
  }
  return out;
}

export function errorBody(message: string, detail: string | null): string {
  return JSON.stringify({ error: { message, detail }, status: 'failure' });
}

function describeAuth(header: string | undefined): string {
  if (!header) return 'none';
  const basic = /^Basic (.+)$/i.exec(header);
  if (basic) return `basic:${Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0]}`;
  const bearer = /^Bearer (.+)$/i.exec(header);
  return bearer ? `bearer:${bearer[1].slice(0, 4)}` : 'other';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

